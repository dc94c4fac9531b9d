"""`assistant model check|bench` and provider choice with CPU fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_tiny_pack import build_tiny_pack

from assistant.cli.main import main
from assistant.errors import ModelPackError
from assistant.llm import providers
from assistant.llm.providers import ProviderChoice, choose_provider, create_session, physical_cores


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_pack(tmp_path_factory.mktemp("cli") / "pack")


def test_model_check(pack_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "check", str(pack_dir), "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "tiny-genai" in out and "SHA-256 verified" in out and "CPUExecutionProvider" in out and "OK" in out
    assert main(["model", "check", str(pack_dir), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["manifest"] == "verified" and facts["provider"] == "CPUExecutionProvider"


def test_model_check_bad_pack_exits_2_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = build_tiny_pack(tmp_path / "bad")
    (folder / "model.onnx").unlink()
    assert main(["model", "check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "error: model.onnx is missing" in err and "Traceback" not in err


def test_model_bench_json(pack_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["model", "bench", str(pack_dir), "--prompt-tokens", "40", "--new-tokens", "8", "--runs", "2", "--json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("ttft_s", "decode_tokens_per_s", "peak_rss_mb", "prompt_tokens", "new_tokens", "provider", "threads"):
        assert key in result
    assert result["prompt_tokens"] == 40 and result["new_tokens"] == 8 and len(result["output_ids"]) == 8
    assert main(["model", "bench", str(pack_dir), "--prompt-tokens", "20", "--new-tokens", "4", "--runs", "1"]) == 0
    assert "tokens/s" in capsys.readouterr().out


def test_model_bench_refuses_over_long_prompt(pack_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "bench", str(pack_dir), "--prompt-tokens", "300", "--new-tokens", "8"]) == 2
    assert "context" in capsys.readouterr().err


def test_model_without_action_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model"]) == 2
    assert "check" in capsys.readouterr().out


def test_gpu_asked_for_but_absent_falls_back_to_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(providers.ort, "get_available_providers", lambda: ["CPUExecutionProvider"])
    with pytest.warns(RuntimeWarning, match="cuda was asked for"):
        choice = choose_provider("cuda")
    assert choice.provider == "CPUExecutionProvider" and choice.warning
    assert choose_provider("auto").provider == "CPUExecutionProvider"
    with pytest.raises(ModelPackError, match="unknown device"):
        choose_provider("tpu")


def test_auto_prefers_an_available_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(providers.ort, "get_available_providers",
                        lambda: ["DmlExecutionProvider", "CPUExecutionProvider"])
    choice = choose_provider("auto")
    assert choice.provider == "DmlExecutionProvider" and choice.binding_device == "dml"


def test_failed_gpu_start_falls_back_to_cpu_with_warning(pack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = providers.ort.InferenceSession

    def fake(path, opts, providers=None):  # noqa: ANN001 - mimics onnxruntime's signature
        if providers and providers[0] == "CUDAExecutionProvider":
            raise RuntimeError("CUDA driver version is insufficient")
        return real(path, opts, providers=providers)

    monkeypatch.setattr(providers.ort, "InferenceSession", fake)
    gpu = ProviderChoice("cuda", "CUDAExecutionProvider", "cuda", "test")
    with pytest.warns(RuntimeWarning, match="failed to start"):
        session, used = create_session(pack_dir / "model.onnx", gpu, 1)
    assert used.provider == "CPUExecutionProvider" and "CUDA driver" in (used.warning or "")
    assert session.get_providers()[0] == "CPUExecutionProvider"


def test_physical_cores() -> None:
    assert 1 <= physical_cores() <= (__import__("os").cpu_count() or 1)
