"""Model packs: manifest verification and the exact complaint for each kind of bad pack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_tiny_pack import build_tiny_pack

from assistant.errors import ModelPackError
from assistant.llm import Engine, ModelPack
from assistant.llm.manifest import read_manifest, verify_files, write_manifest


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    return build_tiny_pack(tmp_path / "pack")


def _rewrite_manifest(folder: Path) -> None:
    old = read_manifest(folder)
    facts = {k: v for k, v in old.items() if k not in ("files", "format")}
    write_manifest(folder, facts)


def test_good_pack_describes_itself(pack_dir: Path) -> None:
    pack = ModelPack.load(pack_dir)
    facts = pack.describe()
    assert facts["name"] == "tiny-genai" and facts["licence"] == "CC0-1.0" and facts["kind"] == "genai"
    assert pack.context_length == 256 and pack.eos_token_ids == (2,)
    assert pack.chat_template and pack.eos_token == "<|im_end|>"
    assert set(pack.manifest["files"]) == {"model.onnx", "genai_config.json", "tokenizer.json", "tokenizer_config.json"}


def test_missing_file_is_named(pack_dir: Path) -> None:
    (pack_dir / "tokenizer.json").unlink()
    with pytest.raises(ModelPackError, match=r"tokenizer\.json is missing"):
        ModelPack.load(pack_dir)


def test_changed_hash_is_named(pack_dir: Path) -> None:
    data = bytearray((pack_dir / "model.onnx").read_bytes())
    data[-1] ^= 0xFF  # same size, different content
    (pack_dir / "model.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelPackError, match=r"model\.onnx .*altered.*SHA-256"):
        ModelPack.load(pack_dir)
    ModelPack.load(pack_dir, verify=False)  # the quick check looks at sizes only


def test_changed_size_is_named_even_by_the_quick_check(pack_dir: Path) -> None:
    with (pack_dir / "genai_config.json").open("a") as f:
        f.write(" ")
    with pytest.raises(ModelPackError, match=r"genai_config\.json .*altered.*bytes"):
        ModelPack.load(pack_dir, verify=False)


def test_missing_manifest(pack_dir: Path) -> None:
    (pack_dir / "manifest.json").unlink()
    with pytest.raises(ModelPackError, match=r"manifest\.json is missing"):
        ModelPack.load(pack_dir)


def test_malformed_manifest(pack_dir: Path) -> None:
    (pack_dir / "manifest.json").write_text("{not json")
    with pytest.raises(ModelPackError, match=r"manifest\.json is not valid JSON"):
        ModelPack.load(pack_dir)
    (pack_dir / "manifest.json").write_text(json.dumps({"name": "x", "files": {}}))
    with pytest.raises(ModelPackError, match="lacks version, licence, source, parameters, quantization"):
        ModelPack.load(pack_dir)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelPackError, match="does not exist"):
        ModelPack.load(tmp_path / "nowhere")


def test_wrong_input_names_are_named(pack_dir: Path) -> None:
    config = json.loads((pack_dir / "genai_config.json").read_text())
    config["model"]["decoder"]["inputs"]["input_ids"] = "tokens"
    (pack_dir / "genai_config.json").write_text(json.dumps(config))
    _rewrite_manifest(pack_dir)  # a consistent manifest: the fault is in the config itself
    with pytest.raises(ModelPackError, match=r"model\.onnx has no input 'tokens' named by genai_config\.json"):
        Engine(pack_dir, device="cpu")


def test_wrong_present_names_are_named(pack_dir: Path) -> None:
    config = json.loads((pack_dir / "genai_config.json").read_text())
    config["model"]["decoder"]["outputs"]["present_key_names"] = "present_key.%d"
    (pack_dir / "genai_config.json").write_text(json.dumps(config))
    _rewrite_manifest(pack_dir)
    with pytest.raises(ModelPackError, match=r"no output 'present_key\.0'"):
        Engine(pack_dir, device="cpu")


def test_too_few_layers_in_config_is_caught(pack_dir: Path) -> None:
    config = json.loads((pack_dir / "genai_config.json").read_text())
    config["model"]["decoder"]["num_hidden_layers"] = 1
    (pack_dir / "genai_config.json").write_text(json.dumps(config))
    _rewrite_manifest(pack_dir)
    with pytest.raises(ModelPackError, match="needs inputs that genai_config.json does not describe"):
        Engine(pack_dir, device="cpu")


def test_mangled_genai_config(pack_dir: Path) -> None:
    config = json.loads((pack_dir / "genai_config.json").read_text())
    del config["model"]["decoder"]["head_size"]
    (pack_dir / "genai_config.json").write_text(json.dumps(config))
    _rewrite_manifest(pack_dir)
    with pytest.raises(ModelPackError, match="genai_config.json lacks or mangles"):
        ModelPack.load(pack_dir)


def test_pack_without_any_config(pack_dir: Path) -> None:
    (pack_dir / "genai_config.json").unlink()
    _rewrite_manifest(pack_dir)
    with pytest.raises(ModelPackError, match="neither genai_config.json nor config.json"):
        ModelPack.load(pack_dir)


def test_not_a_decoder_model(tmp_path: Path) -> None:
    folder = build_tiny_pack(tmp_path / "opt", "optimum")
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["input_ids"], ["logits"])], "g",
                              [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, 1])],
                              [helper.make_tensor_value_info("logits", TensorProto.INT64, [1, 1])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(folder / "model.onnx"))
    _rewrite_manifest(folder)
    with pytest.raises(ModelPackError, match="not a decoder with a KV cache"):
        Engine(folder, device="cpu")


def test_corrupt_model_file(pack_dir: Path) -> None:
    (pack_dir / "model.onnx").write_bytes(b"this is not an onnx model")
    _rewrite_manifest(pack_dir)
    with pytest.raises(ModelPackError, match=r"model\.onnx could not be loaded"):
        Engine(pack_dir, device="cpu")


def test_optimum_pack_reads_names_from_the_session(tmp_path: Path) -> None:
    pack = ModelPack.load(build_tiny_pack(tmp_path / "opt", "optimum"))
    assert pack.kind == "optimum" and pack.genai_layout is None
    engine = Engine(pack, device="cpu")
    assert engine.layout.position_ids == "position_ids" and engine.layout.num_layers == 2
    assert not engine.layout.share_buffer and engine.layout.kv_heads == 2


def test_verify_files_reports_first_bad_file(pack_dir: Path) -> None:
    manifest = read_manifest(pack_dir)
    (pack_dir / "tokenizer_config.json").write_text("{}")
    with pytest.raises(Exception, match="tokenizer_config.json") as info:
        verify_files(pack_dir, manifest)
    assert getattr(info.value, "path", None) == "tokenizer_config.json"
