"""Model-written care-plan prose (rationale, patient section), each sentence verified against the facts it cites."""

from __future__ import annotations

import logging
import os
import threading
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .careplan_model import Item

log = logging.getLogger(__name__)
FACT_TOKEN_BUDGET = 700  # keeps prompt + answer well inside a small model's context on a CPU
MAX_NEW_TOKENS = 220
MAX_SENTENCES = 6
PLAN_LINES = 10


@dataclass
class Prose:
    rationale: list[Item] = field(default_factory=list)
    patient: list[Item] = field(default_factory=list)
    model: str = ""
    warnings: list[str] = field(default_factory=list)


def prompts_dir() -> Path:
    base = os.environ.get("ASSISTANT_RESOURCES")
    return (Path(base) if base else Path(__file__).resolve().parents[2] / "resources") / "prompts"


@lru_cache(maxsize=2)
def _prompts(folder: str) -> dict[str, str]:
    with (Path(folder) / "careplan.toml").open("rb") as f:
        data = tomllib.load(f)
    return {k: str(data[k]) for k in ("system", "rationale", "patient")}


def prompts() -> dict[str, str]:
    return _prompts(str(prompts_dir()))


def _plan_lines(sections: dict[str, list[Item]]) -> list[Item]:
    """Plan items worth citing in prose: safety items, goals off target (then the rest), next review."""
    goals = sections.get("goals", [])
    off = [g for g in goals if g.state in ("above-target", "below-target", "not-at-target")]
    rest = [g for g in goals if g not in off]
    nxt = [f for f in sections.get("followup", []) if f.key in ("followup:safety", "followup:next")]
    return (sections.get("flags", [])[:3] + off + rest + nxt)[:PLAN_LINES]


def extended_sheet(sheet: Any, plan: list[Item]) -> tuple[Any, dict[str, tuple[str, ...]]]:
    """The fact sheet plus the plan's own lines as further facts (F<n+1>...), so that the model can
    cite a target and the verifier accepts numbers that come from the guideline templates. Returns
    the sheet and, per added id, the real fact ids its item was built from."""
    from .facts import Fact, FactSheet

    last = max((int(f.id[1:]) for f in sheet.lines), default=0)
    extra, back = [], {}
    for n, item in enumerate(plan, start=last + 1):
        fid = f"F{n}"
        extra.append(Fact(fid, "plan", item.text, item.citations, 50))
        back[fid] = item.fact_ids
    return FactSheet(sheet.patient_id, tuple(sheet.lines) + tuple(extra), sheet.omitted, sheet.as_of,
                     sheet.tokens), back


def _cancel_fn(cancel: Any) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return lambda: bool(cancel())


def _model_name(engine: Any) -> str:
    pack = getattr(engine, "pack", None) or getattr(engine, "manifest", None)
    name = getattr(pack, "name", "") or getattr(engine, "name", "")
    version = getattr(pack, "version", "") or getattr(engine, "version", "")
    return f"{name} {version}".strip() or type(engine).__name__


def _config(max_new_tokens: int) -> Any:
    try:
        from assistant.llm import GenerationConfig  # type: ignore[attr-defined]
    except ImportError:
        return {"max_new_tokens": max_new_tokens, "temperature": 0.0}
    return GenerationConfig(max_new_tokens=max_new_tokens)


def _text_of(chunk: Any) -> str:
    return chunk if isinstance(chunk, str) else str(getattr(chunk, "text", "") or "")


def generate(engine: Any, messages: list[dict[str, str]], cancel: Any = None,
             on_text: Callable[[str], None] | None = None, max_new_tokens: int = MAX_NEW_TOKENS) -> str:
    """Run one chat turn; streams pieces to `on_text`. Accepts an engine whose chat() returns the
    text, a result with `.text`, or an iterator of pieces."""
    stop = _cancel_fn(cancel)
    out = engine.chat(messages, _config(max_new_tokens), cancel=stop)
    if isinstance(out, str) or hasattr(out, "text"):
        text = _text_of(out)
        if on_text and text:
            on_text(text)
        return text
    parts: list[str] = []
    for chunk in out:
        piece = _text_of(chunk)
        parts.append(piece)
        if on_text and piece:
            on_text(piece)
        if stop():
            break
    return "".join(parts)


def verified_items(text: str, sheet: Any, back: dict[str, tuple[str, ...]], kind: str,
                   key: str) -> list[Item]:
    """Each generated sentence as an item: verified, or unverified with what the chart lacks."""
    from .verify import split_sentences, verify_sentence

    items = []
    for n, sentence in enumerate(split_sentences(text)[:MAX_SENTENCES]):
        s = verify_sentence(sentence, sheet)
        if not s.text:
            continue
        # Plan lines are not on the fact sheet the clinician sees: point at the facts behind them.
        ids: Iterable[str] = (i for f in s.fact_ids for i in (back.get(f, (f,)) if f in back else (f,)))
        items.append(Item(text=s.text, kind=kind, status=s.status, citations=tuple(s.citations),
                          fact_ids=tuple(dict.fromkeys(ids)), key=f"{key}:{n}",
                          issues=tuple(s.unsupported)))
    return items


def write_prose(engine: Any, sheet: Any, sections: dict[str, list[Item]], *, cancel: Any = None,
                on_text: Callable[[str], None] | None = None) -> Prose:
    """Ask the model for the rationale and the patient's summary from `sheet` (a fact sheet already
    cut to the prompt budget); on any failure the caller keeps its deterministic text and the plan
    says why."""
    prose = Prose(model=_model_name(engine))
    if sheet is None:
        prose.warnings.append("fact sheet unavailable: rationale and patient section are deterministic")
        return prose
    ext, back = extended_sheet(sheet, _plan_lines(sections))
    p = prompts()
    stop = _cancel_fn(cancel)
    for part, kind in (("rationale", "rationale"), ("patient", "text")):
        if stop():
            prose.warnings.append("generation cancelled: deterministic text kept")
            break
        messages = [{"role": "system", "content": p["system"]},
                    {"role": "user", "content": p[part].format(facts=ext.text())}]
        try:
            text = generate(engine, messages, cancel=cancel, on_text=on_text)
        except Exception as e:  # a broken pack must not lose the deterministic plan
            log.warning("care-plan %s generation failed: %s", part, type(e).__name__)
            prose.warnings.append(f"model failed ({type(e).__name__}): deterministic {part} kept")
            continue
        items = verified_items(text, ext, back, kind, f"{part}:model")
        if not items:
            prose.warnings.append(f"the model wrote no usable {part}: deterministic text kept")
            continue
        if on_text:
            on_text("\n")
        setattr(prose, part, items)
        bad = sum(1 for i in items if i.status != "verified")
        if bad:
            prose.warnings.append(f"{bad} model sentence(s) in the {part} not supported by the chart: "
                                  "marked unverified")
    return prose
