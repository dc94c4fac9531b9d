"""Cited patient summary: the record-built text (allergies, problems, medicines, latest note) always,
and, with a model, its prose on top, every sentence checked against the entries it cites."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from typing import Any

from .deterministic import deterministic_summary
from .facts import FactSheet, build_fact_sheet, fit_budget
from .generation import (
    cleanup_sentence,
    fact_budget,
    generate_stream,
    model_label,
    number_constraint,
    prompts,
)
from .result import MODEL, Summary
from .verify import UNVERIFIED, Sentence, split_sentences, verify_sentence

log = logging.getLogger(__name__)

MAX_NEW_TOKENS = 320  # about 12 sentences; at ~90 tokens/s on two CPU cores that is under 4 s


def _emit(sentence: Sentence, on_text: Callable[[str], None] | None) -> None:
    """Stream one checked sentence; an unverified one carries its mark, so a draft is never shown
    as fact even while the summary is still being written."""
    if on_text is None:
        return
    mark = ""
    if sentence.status == UNVERIFIED:
        mark = f" [unverified: {', '.join(sentence.unsupported) or 'not traceable to the record'}]"
    on_text(sentence.text + mark + " ")


class SentenceCollector:
    """Turns streamed text into checked sentences as soon as each one is complete."""

    def __init__(self, sheet: FactSheet, unverified: str, on_text: Callable[[str], None] | None,
                 on_sentence: Callable[[Sentence], None] | None, shown: Sequence[Sentence] = ()) -> None:
        self.sheet, self.mode, self.on_text, self.on_sentence = sheet, unverified, on_text, on_sentence
        self.buffer = ""
        self.kept: list[Sentence] = []
        self.dropped: list[Sentence] = []
        self.seen: set[str] = set()
        # A copy of a fact line or of the record-built text adds nothing: skipped, not a loop.
        self.known = {_key(f.text) for f in sheet.lines} | {_key(x.text) for x in shown}
        self.repeats = 0

    def feed(self, piece: str) -> None:
        self.buffer += piece
        parts = split_sentences(self.buffer)
        # The last part may still be growing; everything before it is complete.
        if len(parts) > 1 and self.buffer.rstrip() and not self.buffer.endswith(("\n",)):
            complete, self.buffer = parts[:-1], self.buffer[self.buffer.rfind(parts[-1]):]
        elif self.buffer.endswith("\n"):
            complete, self.buffer = parts, ""
        else:
            return
        for raw in complete:
            self.add(raw)

    def finish(self) -> None:
        if self.buffer.strip():
            self.add(self.buffer)
        self.buffer = ""

    def add(self, raw: str) -> None:
        raw = cleanup_sentence(raw)
        if not raw:
            return
        sentence = verify_sentence(raw, self.sheet, previous=[s.text for s in (*self.kept, *self.dropped)])
        key = sentence.text.lower()
        if key in self.seen or len(sentence.text) < 4:
            self.repeats += key in self.seen  # a tiny model loops; repeats are a stop signal
            return
        self.seen.add(key)
        # A copy of a line, or a bare word or two ('Sodium'), is not prose: it adds nothing.
        if _key(sentence.text) in self.known or len(_key(sentence.text).split()) < 3:
            return
        if sentence.status == UNVERIFIED and self.mode == "drop":
            self.dropped.append(sentence)
            return
        self.kept.append(sentence)
        _emit(sentence, self.on_text)
        if self.on_sentence:
            self.on_sentence(sentence)


def _key(text: str) -> str:
    """A sentence compared as the record says it: case, spacing and a final full stop do not count
    (split_citations already took off what the model puts before an echoed line, 'F1: ')."""
    return " ".join(text.lower().rstrip(".").split())


def generate_summary(record: Any, risk: Any | None = None, engine: Any | None = None, *, use_model: bool = True,
                     on_text: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
                     unverified: str = "drop", on_sentence: Callable[[Sentence], None] | None = None,
                     constrain_numbers: bool = True, as_of: Any = None) -> Summary:
    """Summarise a record. The record-built sentences (synopsis, allergies, flags, problems,
    medicines, latest note) are always there; with an engine and `use_model`, the model's prose
    follows, each sentence checked against the entries it cites (unchecked ones dropped into
    `Summary.dropped`, or marked in place, per `unverified`). Without a model, or if it fails, the
    record-built text alone is returned with the reason. Never raises for a cancel."""
    start = time.perf_counter()
    if unverified not in ("mark", "drop"):
        raise ValueError("unverified must be 'mark' or 'drop'")
    if engine is None or not use_model:
        reason = "deterministic summary requested" if engine is not None else "no model pack installed"
        return _deterministic(record, risk, reason, start, on_text, on_sentence, as_of)
    try:
        # The model sees the most important facts that fit its budget; sentences are checked, and
        # the draft completed, against the whole sheet (same ids), which is also what is returned.
        full = build_fact_sheet(record, risk, as_of=as_of)
        sheet = fit_budget(full, fact_budget(engine, MAX_NEW_TOKENS), getattr(engine, "count_tokens", None))
        p = prompts("summary.toml")
        messages = [{"role": "system", "content": p["system"]},
                    {"role": "user", "content": p["summary"].format(facts=sheet.text())}]
        processor = number_constraint(engine, sheet) if constrain_numbers else None
    except Exception as e:  # a broken pack or tokenizer must not cost the clinician the summary
        log.warning("summary: model set-up failed (%s); deterministic summary used", type(e).__name__)
        return _deterministic(record, risk, f"model failed ({type(e).__name__})", start, on_text, on_sentence, as_of)
    # The record-built part streams first, at once; the model's prose follows it.
    base = deterministic_summary(full, "")
    for x in base.all_sentences:
        _emit(x, on_text)
        if on_sentence:
            on_sentence(x)
    collector = SentenceCollector(full, unverified, on_text, on_sentence, base.all_sentences)
    gen_stats: dict[str, float] = {}
    first_piece: float | None = None
    looped = False
    try:
        with closing(generate_stream(engine, messages, MAX_NEW_TOKENS, processor, cancel, gen_stats)) as stream:
            for piece in stream:
                if first_piece is None:
                    first_piece = time.perf_counter() - start
                collector.feed(piece)
                if collector.repeats >= 2:
                    looped = True
                    break  # looping: what follows would be repeats too
    except Exception as e:
        if not (cancel is not None and cancel.is_set()):
            log.warning("summary: generation failed (%s); deterministic summary used", type(e).__name__)
            return _deterministic(record, risk, f"model failed ({type(e).__name__})", start, None,
                                  None, as_of)
    cancelled = cancel is not None and cancel.is_set()
    if not cancelled and not looped:
        collector.finish()  # after a loop the buffer is a cut-off fragment, not a sentence to judge
    timing = dict(gen_stats)
    timing["ttft_s"] = timing.get("ttft_s") or (first_piece or 0.0)
    timing["total_s"] = time.perf_counter() - start
    return Summary(full.patient_id, MODEL, model_label(engine), "", base.synopsis,
                   (*base.sentences, *collector.kept), full, timing, cancelled, tuple(collector.dropped))


def _deterministic(record: Any, risk: Any | None, reason: str, start: float,
                   on_text: Callable[[str], None] | None, on_sentence: Callable[[Sentence], None] | None,
                   as_of: Any) -> Summary:
    summary = deterministic_summary(build_fact_sheet(record, risk, as_of=as_of), reason)
    for s in summary.all_sentences:
        _emit(s, on_text)
        if on_sentence:
            on_sentence(s)
    total = time.perf_counter() - start
    return Summary(summary.patient_id, summary.source, "", reason, summary.synopsis, summary.sentences,
                   summary.facts, {"ttft_s": 0.0, "total_s": total, "tokens_per_s": 0.0, "new_tokens": 0})
