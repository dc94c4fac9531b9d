"""Cited patient summary: the model writes prose from the fact sheet, the verifier checks every sentence,
templates complete what the model left out, and a deterministic summary stands in when there is no model."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

from .coverage import completion_sentences
from .deterministic import deterministic_summary, synopsis
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
from .verify import DETERMINISTIC, UNVERIFIED, Sentence, split_sentences, verify_sentence

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
                 on_sentence: Callable[[Sentence], None] | None) -> None:
        self.sheet, self.mode, self.on_text, self.on_sentence = sheet, unverified, on_text, on_sentence
        self.buffer = ""
        self.kept: list[Sentence] = []
        self.dropped: list[Sentence] = []
        self.seen: set[str] = set()
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
        if sentence.status == UNVERIFIED and self.mode == "drop":
            self.dropped.append(sentence)
            return
        self.kept.append(sentence)
        _emit(sentence, self.on_text)
        if self.on_sentence:
            self.on_sentence(sentence)


def generate_summary(record: Any, risk: Any | None = None, engine: Any | None = None, *, use_model: bool = True,
                     on_text: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
                     unverified: str = "mark", on_sentence: Callable[[Sentence], None] | None = None,
                     constrain_numbers: bool = True, as_of: Any = None) -> Summary:
    """Summarise a record. With an engine and `use_model`, the model writes the prose and every
    sentence is verified (unverified ones marked or dropped, per `unverified`); otherwise, or if the
    model fails, the deterministic summary is returned with the reason. Never raises for a cancel."""
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
    collector = SentenceCollector(full, unverified, on_text, on_sentence)
    gen_stats: dict[str, float] = {}
    first_piece: float | None = None
    try:
        with closing(generate_stream(engine, messages, MAX_NEW_TOKENS, processor, cancel, gen_stats)) as stream:
            for piece in stream:
                if first_piece is None:
                    first_piece = time.perf_counter() - start
                collector.feed(piece)
                if collector.repeats >= 2:
                    break  # looping: what follows would be repeats too
    except Exception as e:
        if not (cancel is not None and cancel.is_set()):
            log.warning("summary: generation failed (%s); deterministic summary used", type(e).__name__)
            return _deterministic(record, risk, f"model failed ({type(e).__name__})", start, on_text,
                                  on_sentence, as_of)
    cancelled = cancel is not None and cancel.is_set()
    if not cancelled:
        collector.finish()
    sentences = list(collector.kept)
    if not cancelled:
        # The model's draft is completed from templates: any allergy or active problem it did not
        # state (verified) gets its deterministic sentence, and a missing synopsis is replaced.
        if not sentences or sentences[0].status == UNVERIFIED:
            sentences.insert(0, synopsis(full))
            _emit(sentences[0], on_text)
        for s in completion_sentences(full, sentences):
            sentences.append(s)
            _emit(s, on_text)
            if on_sentence:
                on_sentence(s)
    timing = dict(gen_stats)
    timing["ttft_s"] = timing.get("ttft_s") or (first_piece or 0.0)
    timing["total_s"] = time.perf_counter() - start
    first = sentences[0] if sentences else Sentence("", status=DETERMINISTIC)
    return Summary(full.patient_id, MODEL, model_label(engine), "", first, tuple(sentences[1:]), full, timing,
                   cancelled, tuple(collector.dropped))


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
