"""Talking to the LLM engine for the assist jobs: prompts, fact budget, streaming, number constraint, stats."""

from __future__ import annotations

import os
import re
import threading
import tomllib
from collections.abc import Generator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import resources_dir
from assistant.errors import AssistantError
from assistant.records.record import PatientRecord

from .facts import FactSheet

if TYPE_CHECKING:
    from assistant.clinical.flags import RiskReport
    from assistant.llm.engine import Engine
    from assistant.llm.sampling import GenerationConfig, LogitsProcessor

# The fact sheet is capped below what the context allows: prompt length drives time to first
# token on a CPU (about 1.1 s per 600 tokens for the default pack), and a 135M model loses track
# of long prompts anyway. The most important facts come first, so the cap drops only context.
FACT_TOKEN_CAP = 600
PROMPT_OVERHEAD_TOKENS = 200  # system prompt, instructions and chat-template tokens


def prompts_dir() -> Path:
    override = os.environ.get("ASSISTANT_PROMPTS_DIR")
    if override:
        return Path(override)
    return resources_dir() / "prompts"


@lru_cache(maxsize=8)
def prompts(name: str) -> dict[str, str]:
    path = prompts_dir() / name
    try:
        with path.open("rb") as f:
            return {k: str(v) for k, v in tomllib.load(f).items()}
    except OSError as e:
        raise AssistantError(f"prompt file {path} cannot be read ({e.strerror}); reinstall the application") from None
    except tomllib.TOMLDecodeError as e:
        raise AssistantError(f"prompt file {path} is not valid TOML: {e}") from None


def context_length(engine: Any) -> int:
    pack = getattr(engine, "pack", None)
    return int(getattr(pack, "context_length", 0) or getattr(engine, "context_length", 0) or 2048)


def fact_budget(engine: Any, max_new_tokens: int) -> int:
    """Tokens the fact sheet may use: what the pack's context leaves, capped for speed."""
    room = context_length(engine) - max_new_tokens - PROMPT_OVERHEAD_TOKENS
    return max(64, min(room, FACT_TOKEN_CAP))


def model_label(engine: Any) -> str:
    pack = getattr(engine, "pack", engine)
    name, version = getattr(pack, "name", ""), getattr(pack, "version", "")
    return f"{name} {version}".strip() if name else type(engine).__name__


def _config(max_new_tokens: int) -> GenerationConfig:
    from assistant.llm.sampling import GenerationConfig

    # Greedy: the same chart gives the same summary. No repetition penalty: the model must copy
    # the facts' numbers and names, which are all "already in the prompt".
    return GenerationConfig(max_new_tokens=max_new_tokens, temperature=0.0, overflow="truncate")


def generate_stream(engine: Any, messages: list[dict[str, str]], max_new_tokens: int, processor: Any,
                    cancel: threading.Event | None, stats: dict[str, float] | None = None,
                    ) -> Generator[str, None, None]:
    """Text pieces from the engine's chat stream (stops early when `cancel` is set). The engine's
    generation is closed however the caller stops (a generation left open keeps the engine busy);
    its statistics go into `stats`."""
    kwargs: dict[str, Any] = {"cancel": cancel}
    if processor is not None:
        kwargs["logits_processor"] = processor
    gen = engine.chat(messages, _config(max_new_tokens), **kwargs)
    try:
        for piece in gen:
            if cancel is not None and cancel.is_set():
                return
            if piece:
                yield str(piece)
    finally:
        close = getattr(gen, "close", None)
        if close is not None:
            close()
        if stats is not None:
            stats.update(read_stats(getattr(gen, "stats", None)) or engine_stats(engine))


_NUMBER = re.compile(r"\d+(?:\.\d+)?")  # as the engine's constraint reads numbers: '1,000' is 1 and 000


def allowed_numbers(sheet: FactSheet) -> set[str]:
    """Every number written on the sheet (the digits of the fact ids too, so that citations can be
    written), plus the same value without trailing zeros ('2.10' -> '2.1')."""
    out: set[str] = set()
    for m in _NUMBER.finditer(sheet.text()):
        out.add(m.group(0))
        if "." in m.group(0):
            out.add(m.group(0).rstrip("0").rstrip("."))
    return {n for n in out if n}


def number_constraint(engine: Any, sheet: FactSheet) -> LogitsProcessor | None:
    """The engine's logits hook that forbids numbers not on the sheet, or None without a tokenizer."""
    tokenizer = getattr(engine, "tokenizer", None)
    if tokenizer is None:
        return None
    from assistant.llm.constraints import allowed_numbers_processor

    return allowed_numbers_processor(tokenizer, allowed_numbers(sheet))


def read_stats(stats: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    if stats is None:
        return out
    for key, names in (("ttft_s", ("ttft_s", "ttft")), ("tokens_per_s", ("tokens_per_s", "decode_tokens_per_s")),
                       ("new_tokens", ("new_tokens", "tokens", "generated_tokens")),
                       ("prompt_tokens", ("prompt_tokens",))):
        for n in names:
            v = stats.get(n) if isinstance(stats, dict) else getattr(stats, n, None)
            if isinstance(v, int | float):
                out[key] = float(v)
                break
    return out


def engine_stats(engine: Any) -> dict[str, float]:
    """ttft_s, tokens_per_s and new_tokens of the engine's last generation."""
    return read_stats(getattr(engine, "last_stats", None) or getattr(engine, "stats", None))


_LABEL = re.compile(r"^\s*(?:[#>*\-•]+\s*|\d+[.)]\s+)*(?:(?:one-line\s+)?(?:synopsis|summary|problem list|"
                    r"problems|assessment)\s*:\s*)?", re.IGNORECASE)


def cleanup_sentence(text: str) -> str:
    """Markdown and section labels a small model adds ('**Synopsis:**', '- ', '1. ') removed."""
    text = text.replace("**", "").replace("__", "").strip()
    return _LABEL.sub("", text, count=1).strip(" -*•#")


def load_engine(model_dir: str | Path | None = None) -> Engine | None:
    """The engine for `model_dir`, else for the configured or installed default pack; None when no
    pack is installed (the caller then writes deterministic text). A named pack that cannot be
    loaded raises ModelPackError, which says what to do."""
    from assistant.config import load_settings
    from assistant.llm.engine import Engine
    from assistant.llm.pack import ModelPack

    settings = load_settings()
    path = Path(model_dir).expanduser() if model_dir else Path(settings.pack_dir)
    if model_dir is None and not (path / "manifest.json").is_file():
        return None
    pack = ModelPack.load(path)
    return Engine(pack, device=settings["models.device"], threads=settings["models.threads"] or None,
                      spin=settings["models.spin"], speculative=settings["models.speculative"])


def evaluate_risk(record: PatientRecord, as_of: datetime | None = None) -> RiskReport:
    """The clinical engine's RiskReport (imported when first needed: it is slow to import)."""
    from assistant.clinical.flags import evaluate

    return evaluate(record, as_of=as_of)
