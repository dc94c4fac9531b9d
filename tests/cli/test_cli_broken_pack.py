"""A broken installed model pack: `summarize`, `risk-review` and the summary PDF fall back to
record-built text with a visible note instead of failing; `export` takes --no-model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import ROOT, run_cli

DEMO = ROOT / "resources" / "demo"


@pytest.fixture
def broken_pack(cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                monkeypatch: pytest.MonkeyPatch) -> str:
    pack = tmp_path / "pack"
    pack.mkdir()
    shutil.copy(ROOT / "models" / "default" / "manifest.json", pack)  # the weights are missing
    monkeypatch.setenv("ASSISTANT_MODEL", str(pack))
    assert run_cli(capsys, "init")[0] == 0
    (path,) = sorted(DEMO.glob("01_*.json"))
    code, _, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    code, out, _ = run_cli(capsys, "patients", "--json")
    return str(json.loads(out)[0]["id"])


def test_summarize_falls_back_with_a_note(broken_pack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "summarize", broken_pack, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["source"] == "deterministic" and summary["sentences"]
    assert "installed model pack cannot be used" in summary["reason"]
    assert "installed model pack cannot be used" in err


def test_risk_review_falls_back_with_a_note(broken_pack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "risk-review", broken_pack, "--json")
    assert code == 0, err
    assert "installed model pack cannot be used" in json.loads(out)["reason"]


def test_summary_pdf_falls_back_and_says_so(broken_pack: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.pdf"
    code, _, err = run_cli(capsys, "export", broken_pack, "--format", "pdf", "--document", "summary",
                           "--out", str(out))
    assert code == 0, err
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(out).pages)
    assert "installed model pack cannot be used" in text


def test_export_takes_no_model(broken_pack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.pdf"
    code, _, err = run_cli(capsys, "export", broken_pack, "--format", "pdf", "--document", "summary",
                           "--no-model", "--out", str(out))
    assert code == 0, err
    assert out.stat().st_size > 0 and "installed model pack" not in err
