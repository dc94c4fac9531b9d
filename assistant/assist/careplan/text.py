"""Model-written care-plan prose (rationale, patient section), each sentence verified against the facts it cites."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.assist.careplan.document import Item
from assistant.assist.facts import Fact, FactSheet, estimate_tokens, fit_budget
from assistant.assist.generation import (
    cleanup_sentence,
    fact_budget,
    generate_stream,
    model_label,
    number_constraint,
    prompts,
)
from assistant.assist.verify import split_sentences, verify_sentence

log = logging.getLogger(__name__)
MAX_NEW_TOKENS = 200  # 2-5 sentences each; a CPU writes ~90 tokens/s with the default pack
MAX_SENTENCES = 6
PLAN_LINES = 10


@dataclass
class Prose:
    rationale: list[Item] = field(default_factory=list)
    patient: list[Item] = field(default_factory=list)
    model: str = ""
    warnings: list[str] = field(default_factory=list)


class _CallableCancel:
    """A cancel callable seen through threading.Event's `is_set`, which the engine polls."""

    def __init__(self, fn: Callable[[], bool]) -> None:
        self.fn = fn

    def is_set(self) -> bool:
        return bool(self.fn())


def as_event(cancel: Any) -> Any:
    if cancel is None or isinstance(cancel, threading.Event):
        return cancel
    return _CallableCancel(cancel)


def plan_lines(sections: dict[str, list[Item]]) -> list[Item]:
    """Plan items worth citing in prose: safety items, goals off target (then the rest), next review."""
    goals = sections.get("goals", [])
    off = [g for g in goals if g.state in ("above-target", "below-target", "not-at-target")]
    rest = [g for g in goals if g not in off]
    nxt = [f for f in sections.get("followup", []) if f.key in ("followup:safety", "followup:next")]
    return (sections.get("flags", [])[:3] + off + rest + nxt)[:PLAN_LINES]


def extended_sheet(sheet: FactSheet, plan: list[Item]) -> tuple[FactSheet, dict[str, tuple[str, ...]]]:
    """The fact sheet plus the plan's own lines as further facts (F<n+1>...), so that the model can
    cite a target and the verifier accepts numbers that come from the tested templates. Returns the
    sheet and, per added id, the real fact ids its item was built from."""
    last = max((int(f.id[1:]) for f in sheet.lines), default=0)
    extra, back = [], {}
    for n, item in enumerate(plan, start=last + 1):
        fid = f"F{n}"
        # The plan line's own [F7] markers would read as citations inside a fact: drop them.
        text = " ".join(w for w in item.text.split() if not (w.startswith("[F") and w.endswith("]")))
        extra.append(Fact(fid, "plan", text, item.citations, 50))
        back[fid] = item.fact_ids
    return FactSheet(sheet.patient_id, tuple(sheet.lines) + tuple(extra), sheet.omitted, sheet.as_of,
                     sheet.tokens), back


def prompt_sheet(sheet: FactSheet, engine: Any, plan: list[Item]) -> FactSheet:
    """The whole fact `sheet` cut to what the context (and speed) allows once the plan lines are added."""
    count = getattr(engine, "count_tokens", None) or estimate_tokens
    plan_tokens = sum(count(i.text + "\n") + 4 for i in plan)
    budget = max(64, fact_budget(engine, MAX_NEW_TOKENS) - plan_tokens)
    return fit_budget(sheet, budget, getattr(engine, "count_tokens", None))


# A small model slips into writing a letter or playing a person ("Dear Dr. Smith", "My name is
# Sarah Johnson, and I am a registered dietitian"): no record entry ever says that.
_GREETING = re.compile(r"^\s*(dear|hello|hi|greetings|sincerely|best regards|kind regards|yours)\b"
                       r"|\bmy name is\b|\bi hope this\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(\w+\s+)?(I|I'm|I've|I'd|I'll|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself)\b")
# "Type I diabetes", "stage I": a Roman numeral, not the writer.
_NUMERAL_BEFORE = {"type", "grade", "stage", "class", "phase", "part", "level", "schedule", "tier"}


def letter_voice(text: str) -> str:
    """Why a sentence reads as a letter or role play (first person, greeting), or ''."""
    found = _GREETING.search(text)
    word = found.group(0).strip() if found else ""
    for m in _PRONOUN.finditer(text):
        before = (m.group(1) or "").strip().lower()
        if m.group(2) == "I" and before in _NUMERAL_BEFORE:
            continue
        word = word or m.group(2)
    return f"letter or first-person text ({word!r}), not a statement from the record" if word else ""


def verified_items(text: str, sheet: FactSheet, back: dict[str, tuple[str, ...]], kind: str,
                   key: str) -> list[Item]:
    """Each generated sentence as an item: verified, or unverified with what the chart lacks."""
    items: list[Item] = []
    seen: set[str] = set()
    parts = split_sentences(text)
    for i, sentence in enumerate(parts):
        s = verify_sentence(cleanup_sentence(sentence), sheet, previous=parts[:i])
        if not s.text or s.text in seen:  # a small model repeats itself; once is enough
            continue
        seen.add(s.text)
        # Plan lines are not on the fact sheet the clinician sees: point at the facts behind them.
        ids: Iterable[str] = (i for f in s.fact_ids for i in back.get(f, (f,)))
        status, issues = s.status, tuple(s.unsupported)
        voice = letter_voice(s.text)
        if voice:  # whatever the verifier made of its facts, a letter is not a plan statement
            status, issues = "unverified", issues + (voice,)
        items.append(Item(text=s.text, kind=kind, status=status, citations=tuple(s.citations),
                          fact_ids=tuple(dict.fromkeys(ids)), key=f"{key}:{len(items)}",
                          issues=issues))
        if len(items) == MAX_SENTENCES:
            break
    return items


def write_prose(engine: Any, whole: FactSheet, sections: dict[str, list[Item]], *, cancel: Any = None,
                on_text: Callable[[str], None] | None = None) -> Prose:
    """Ask the model for the rationale and the patient's summary, from the record's whole fact
    sheet (trimmed here to the prompt's budget); on any failure the caller keeps its
    deterministic text and the plan says why. Never raises for a broken pack or a cancel."""
    prose = Prose(model=model_label(engine))
    event = as_event(cancel)
    try:
        plan = plan_lines(sections)
        sheet, back = extended_sheet(prompt_sheet(whole, engine, plan), plan)
        p = prompts("careplan.toml")
        processor = number_constraint(engine, sheet)
    except Exception as e:  # a broken pack or tokenizer must not cost the clinician the plan
        log.warning("care plan: model set-up failed (%s)", type(e).__name__)
        prose.warnings.append(f"model failed ({type(e).__name__}): deterministic text kept")
        return prose
    for part, kind in (("rationale", "rationale"), ("patient", "text")):
        if event is not None and event.is_set():
            prose.warnings.append("generation cancelled: deterministic text kept")
            break
        messages = [{"role": "system", "content": p["system"]},
                    {"role": "user", "content": p[part].format(facts=sheet.text())}]
        pieces: list[str] = []
        try:
            for piece in generate_stream(engine, messages, MAX_NEW_TOKENS, processor, event):
                pieces.append(piece)
                if on_text:
                    on_text(piece)
        except Exception as e:
            log.warning("care plan: %s generation failed (%s)", part, type(e).__name__)
            prose.warnings.append(f"model failed ({type(e).__name__}): deterministic {part} kept")
            continue
        if event is not None and event.is_set():
            prose.warnings.append("generation cancelled: deterministic text kept")
            break
        if on_text:
            on_text("\n")
        items = verified_items("".join(pieces), sheet, back, kind, f"{part}:model")
        if not items:
            prose.warnings.append(f"the model wrote no usable {part}: deterministic text kept")
            continue
        # How many are unchecked is said by notes computed from the plan's content (review.py),
        # which stay true after the clinician deletes or rewrites them.
        setattr(prose, part, items)
    return prose
