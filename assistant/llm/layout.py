"""Decoder input/output names and KV-cache shape, read from genai_config.json or from the ONNX session."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from assistant.errors import ModelPackError
from assistant.llm.exactcheck import INPUTS as EXACT_INPUTS

_PAST = re.compile(r"^past_key_values\.(\d+)\.(key|value)$")
_PRESENT = re.compile(r"^present(?:_key_values)?\.(\d+)\.(key|value)$")


class _NodeArg(Protocol):
    name: str
    shape: Sequence[int | str | None]  # a symbolic dimension is named, an unknown one None
    type: str


class _Session(Protocol):
    def get_inputs(self) -> Sequence[_NodeArg]: ...
    def get_outputs(self) -> Sequence[_NodeArg]: ...


@dataclass(frozen=True)
class DecoderLayout:
    """Names and KV shape of a decoder-only ONNX model with an explicit KV cache."""

    input_ids: str
    attention_mask: str | None
    position_ids: str | None
    past_keys: tuple[str, ...]
    past_values: tuple[str, ...]
    present_keys: tuple[str, ...]
    present_values: tuple[str, ...]
    logits: str
    kv_heads: int
    head_size: int
    # True when the model updates the past buffer in place (GroupQueryAttention as written by the
    # GenAI builder), so one preallocated buffer per layer is bound as both past and present.
    share_buffer: bool
    kv_dtype: str = "float32"
    logits_dtype: str = "float32"
    # The input saying how many of the last positions get logits (lmhead.py's edit of a pruned
    # lm_head); None where the model returns one position (pruned) or all of them.
    logits_positions: str | None = None
    # True where the model has exactcheck.py's inputs: a check's rows round like single steps.
    exact_checks: bool = False

    @property
    def num_layers(self) -> int:
        return len(self.past_keys)


def _names(pattern: str, layers: int, what: str) -> tuple[str, ...]:
    if "%d" not in pattern:
        raise ModelPackError(f"genai_config.json: {what} '{pattern}' has no %d layer placeholder")
    return tuple(pattern % i for i in range(layers))


def layout_from_genai(config: Mapping[str, Any]) -> DecoderLayout:
    """Layout stated by a GenAI model-builder `genai_config.json` (checked against the model later)."""
    try:
        model = config["model"]
        dec = model["decoder"]
        ins, outs = dec["inputs"], dec["outputs"]
        layers = int(dec["num_hidden_layers"])
        heads = int(dec.get("num_key_value_heads", dec.get("num_attention_heads")))
        head_size = int(dec["head_size"])
        if "past_key_names" not in ins:
            raise ModelPackError(
                "genai_config.json: only separate key/value caches (past_key_names) are supported"
            )
        share = bool(config.get("search", {}).get("past_present_share_buffer", False))
        return DecoderLayout(
            input_ids=ins["input_ids"],
            attention_mask=ins.get("attention_mask"),
            position_ids=ins.get("position_ids"),
            past_keys=_names(ins["past_key_names"], layers, "past_key_names"),
            past_values=_names(ins["past_value_names"], layers, "past_value_names"),
            present_keys=_names(outs["present_key_names"], layers, "present_key_names"),
            present_values=_names(outs["present_value_names"], layers, "present_value_names"),
            logits=outs["logits"],
            kv_heads=heads,
            head_size=head_size,
            share_buffer=share,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ModelPackError(f"genai_config.json lacks or mangles a decoder field ({e}); re-export the pack") from e


def _dtype(ort_type: str) -> str:
    return {"tensor(float)": "float32", "tensor(float16)": "float16", "tensor(bfloat16)": "bfloat16"}.get(
        ort_type, ort_type
    )


def check_against_session(layout: DecoderLayout, session: _Session, model_file: str) -> DecoderLayout:
    """Raise ModelPackError naming any input/output the config promises but the model lacks."""
    inputs = {i.name: i for i in session.get_inputs()}
    outputs = {o.name: o for o in session.get_outputs()}
    wanted_in = [layout.input_ids, *layout.past_keys, *layout.past_values]
    wanted_in += [n for n in (layout.attention_mask, layout.position_ids, layout.logits_positions) if n]
    if layout.exact_checks:
        wanted_in += list(EXACT_INPUTS)
    wanted_out = [layout.logits, *layout.present_keys, *layout.present_values]
    for name in wanted_in:
        if name not in inputs:
            raise ModelPackError(
                f"{model_file} has no input '{name}' named by genai_config.json "
                f"(its inputs: {', '.join(list(inputs)[:6])}...); the pack's config does not match its model"
            )
    for name in wanted_out:
        if name not in outputs:
            raise ModelPackError(
                f"{model_file} has no output '{name}' named by genai_config.json "
                f"(its outputs: {', '.join(list(outputs)[:6])}...); the pack's config does not match its model"
            )
    extra = [n for n in inputs if n not in wanted_in]
    if extra:
        raise ModelPackError(f"{model_file} needs inputs that genai_config.json does not describe: {', '.join(extra)}")
    kv_dtype = _dtype(inputs[layout.past_keys[0]].type)
    return replace(layout, kv_dtype=kv_dtype, logits_dtype=_dtype(outputs[layout.logits].type))


def layout_from_session(session: _Session, config: Mapping[str, Any], model_file: str) -> DecoderLayout:
    """Layout of an Optimum-style export, read from the session's names and `config.json`."""
    inputs = {i.name: i for i in session.get_inputs()}
    outputs = {o.name: o for o in session.get_outputs()}
    past: dict[tuple[int, str], str] = {}
    present: dict[tuple[int, str], str] = {}
    for name in inputs:
        if m := _PAST.match(name):
            past[(int(m[1]), m[2])] = name
    for name in outputs:
        if m := _PRESENT.match(name):
            present[(int(m[1]), m[2])] = name
    if "input_ids" not in inputs or not past:
        raise ModelPackError(
            f"{model_file} is not a decoder with a KV cache: it needs inputs 'input_ids' and "
            f"'past_key_values.N.key/value' (it has {', '.join(list(inputs)[:6])}); export it with "
            "Optimum's text-generation-with-past task or the ONNX Runtime GenAI builder"
        )
    layers = 1 + max(i for i, _ in past)
    try:
        keys = tuple(past[(i, "key")] for i in range(layers))
        values = tuple(past[(i, "value")] for i in range(layers))
        pkeys = tuple(present[(i, "key")] for i in range(layers))
        pvalues = tuple(present[(i, "value")] for i in range(layers))
    except KeyError as e:
        raise ModelPackError(f"{model_file} lacks the cache tensor for layer {e.args[0][0]} ({e.args[0][1]})") from e
    if "logits" not in outputs:
        raise ModelPackError(f"{model_file} has no 'logits' output")
    shape = list(inputs[keys[0]].shape)
    heads = shape[1] if len(shape) == 4 and isinstance(shape[1], int) else None
    size = shape[3] if len(shape) == 4 and isinstance(shape[3], int) else None
    attn = config.get("num_attention_heads")
    heads = heads or config.get("num_key_value_heads") or attn
    size = size or config.get("head_dim") or (config["hidden_size"] // attn if attn and "hidden_size" in config else None)
    if not heads or not size:
        raise ModelPackError(f"cannot tell the KV-cache shape of {model_file}: config.json lacks head counts")
    known = {"input_ids", "attention_mask", "position_ids", *keys, *values}
    extra = [n for n in inputs if n not in known]
    if extra:
        raise ModelPackError(f"{model_file} needs inputs this engine does not supply: {', '.join(extra)}")
    return DecoderLayout(
        input_ids="input_ids",
        attention_mask="attention_mask" if "attention_mask" in inputs else None,
        position_ids="position_ids" if "position_ids" in inputs else None,
        past_keys=keys,
        past_values=values,
        present_keys=pkeys,
        present_values=pvalues,
        logits="logits",
        kv_heads=int(heads),
        head_size=int(size),
        # Optimum's attention concatenates past and new keys into a fresh tensor: no in-place update.
        share_buffer=False,
        kv_dtype=_dtype(inputs[keys[0]].type),
        logits_dtype=_dtype(outputs["logits"].type),
    )
