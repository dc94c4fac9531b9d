"""Model pack: a verified folder holding an ONNX decoder, its tokenizer, chat template and manifest."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ModelPackError
from assistant.json_types import JSONObject
from assistant.llm.layout import DecoderLayout, layout_from_genai
from assistant.llm.manifest import Manifest, ManifestError, read_manifest, verify_files

log = logging.getLogger(__name__)

GENAI_CONFIG = "genai_config.json"
HF_CONFIG = "config.json"


def _read_json(folder: Path, name: str, required: bool = True) -> dict[str, Any]:
    path = folder / name
    if not path.is_file():
        if required:
            raise ModelPackError(f"{name} is missing from the model pack {folder}; reinstall the pack")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelPackError(f"{name} in {folder} is not valid JSON ({e}); reinstall the pack") from e
    if not isinstance(data, dict):
        raise ModelPackError(f"{name} in {folder} must hold a JSON object; reinstall the pack")
    return data


def _ids(*values: Any) -> tuple[int, ...]:
    """Flatten token-id settings that may be an int, a list of ints or absent, keeping order."""
    out: list[int] = []
    for v in values:
        for i in v if isinstance(v, list) else [v]:
            if isinstance(i, int) and i not in out:
                out.append(i)
    return tuple(out)


def _token_text(value: Any) -> str | None:
    # tokenizer_config.json writes special tokens either as strings or as AddedToken dicts.
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


def _chat_template(folder: Path, tok_config: dict[str, Any]) -> str | None:
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    template = tok_config.get("chat_template")
    if isinstance(template, list):  # named templates: take the default one
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        template = named.get("default") or next(iter(named.values()), None)
    return template if isinstance(template, str) else None


@dataclass(frozen=True, eq=False)
class ModelPack:
    """What a pack holds, read and verified by `ModelPack.load`; the engine runs it."""

    path: Path
    name: str
    version: str
    licence: str
    source: str
    parameters: int
    quantization: str
    kind: str  # "genai" (GenAI model builder) or "optimum" (Optimum export, names read from the model)
    model_file: Path
    tokenizer_file: Path
    context_length: int
    vocab_size: int | None
    eos_token_ids: tuple[int, ...]
    bos_token_id: int | None
    bos_token: str | None
    eos_token: str | None
    chat_template: str | None
    genai_layout: DecoderLayout | None  # None for Optimum packs: the engine reads it from the session
    hf_config: dict[str, Any] = field(repr=False)
    manifest: Manifest = field(repr=False)

    @classmethod
    def load(cls, path: str | Path, verify: bool = True) -> ModelPack:
        """Read a pack and check it against its manifest.

        `verify=True` hashes every file (about a second per 300 MB); `False` checks presence and
        size only. Raises ModelPackError naming the missing or altered file.
        """
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise ModelPackError(f"model pack folder {folder} does not exist; build it with `make model` or install one")
        try:
            manifest = read_manifest(folder)
            verify_files(folder, manifest, hashes=verify)
        except ManifestError as e:
            raise ModelPackError(e.message) from e
        tok_config = _read_json(folder, "tokenizer_config.json", required=False)
        gen_config = _read_json(folder, "generation_config.json", required=False)
        if (folder / GENAI_CONFIG).is_file():
            genai = _read_json(folder, GENAI_CONFIG)
            layout = layout_from_genai(genai)
            model = genai["model"]
            hf: dict[str, Any] = _read_json(folder, HF_CONFIG, required=False)
            kind, model_name = "genai", model["decoder"].get("filename", "model.onnx")
            context = int(model.get("context_length") or genai.get("search", {}).get("max_length") or 0)
            eos = _ids(model.get("eos_token_id"), gen_config.get("eos_token_id"))
            bos, vocab = model.get("bos_token_id"), model.get("vocab_size")
        elif (folder / HF_CONFIG).is_file():
            hf = _read_json(folder, HF_CONFIG)
            layout, kind, model_name = None, "optimum", "model.onnx"
            context = int(hf.get("max_position_embeddings") or hf.get("n_positions") or 0)
            eos = _ids(gen_config.get("eos_token_id"), hf.get("eos_token_id"))
            bos, vocab = hf.get("bos_token_id"), hf.get("vocab_size")
        else:
            raise ModelPackError(
                f"{folder} has neither {GENAI_CONFIG} nor {HF_CONFIG}; a pack needs one to describe its model"
            )
        for name in (model_name, "tokenizer.json"):
            if not (folder / name).is_file():
                raise ModelPackError(f"{name} is missing from the model pack {folder}; reinstall the pack")
            if name not in manifest["files"]:
                raise ModelPackError(f"{name} in {folder} is not listed in manifest.json; the pack is incomplete")
        eos_text = _token_text(tok_config.get("eos_token"))
        if not eos:
            raise ModelPackError(f"{folder}: no eos_token_id in the model config; generation could not stop")
        if context <= 0:
            raise ModelPackError(f"{folder}: the model config states no context length")
        return cls(
            path=folder,
            name=str(manifest["name"]),
            version=str(manifest["version"]),
            licence=str(manifest["licence"]),
            source=str(manifest["source"]),
            parameters=int(manifest["parameters"]),
            quantization=str(manifest["quantization"]),
            kind=kind,
            model_file=folder / model_name,
            tokenizer_file=folder / "tokenizer.json",
            context_length=context,
            vocab_size=int(vocab) if isinstance(vocab, int) else None,
            eos_token_ids=eos,
            bos_token_id=bos if isinstance(bos, int) else None,
            bos_token=_token_text(tok_config.get("bos_token")),
            eos_token=eos_text,
            chat_template=_chat_template(folder, tok_config),
            genai_layout=layout,
            hf_config=hf,
            manifest=manifest,
        )

    def describe(self) -> JSONObject:
        """Plain facts for `assistant model check` and for logs."""
        return {
            "path": str(self.path),
            "name": self.name,
            "version": self.version,
            "licence": self.licence,
            "source": self.source,
            "parameters": self.parameters,
            "quantization": self.quantization,
            "kind": self.kind,
            "context_length": self.context_length,
            "eos_token_ids": list(self.eos_token_ids),
            "files": len(self.manifest["files"]),
            "bytes": sum(int(f.get("bytes", 0)) for f in self.manifest["files"].values()),
        }
