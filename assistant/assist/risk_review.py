"""Risk review: the clinical engine's flags in order with their evidence, and an optional short
model-written explanation of the top flags, verified like the summary."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.clinical.flags import RiskReport
from assistant.clinical.rules.base import Flag
from assistant.records.record import PatientRecord

from .fact_lines import ordered_flags
from .facts import FactSheet, build_fact_sheet
from .generation import (
    evaluate_risk,
    generate_stream,
    model_label,
    number_constraint,
    prompts,
)
from .summary import SentenceCollector
from .verify import Sentence

log = logging.getLogger(__name__)
MAX_NEW_TOKENS = 160


@dataclass(frozen=True)
class RiskReview:
    """The clinical engine's flags, most severe first, with the model's verified explanation if any."""

    patient_id: str
    flags: tuple[Flag, ...]
    explanation: tuple[Sentence, ...] = ()  # model-written and verified; empty without a model
    source: str = "deterministic"  # "model" when the explanation was written by the model
    model: str = ""
    reason: str = ""
    timing: dict[str, float] = field(default_factory=dict)
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"patient": self.patient_id, "source": self.source, "model": self.model, "reason": self.reason,
                "flags": [f.to_dict() for f in self.flags],
                "explanation": [s.to_dict() for s in self.explanation],
                "timing": {k: round(v, 4) for k, v in self.timing.items()}, "cancelled": self.cancelled}


def explanation_sheet(sheet: FactSheet, top: int) -> FactSheet:
    """The top flag lines, the facts that share their evidence, and the demographics line: a small
    sheet (same ids) so that the model sees only what the explanation needs."""
    flags = [f for f in sheet.section("flag") if f.detail.get("severity") != "info"][:top]
    evidence = {r for f in flags for r in f.refs}
    keep = {f.id for f in flags} | {f.id for f in sheet.section("demographics")}
    keep |= {f.id for f in sheet.lines if f.section != "flag" and evidence & set(f.refs)}
    return FactSheet(sheet.patient_id, tuple(f for f in sheet.lines if f.id in keep), (), sheet.as_of)


def risk_review(record: PatientRecord, risk: RiskReport | None = None, engine: Any | None = None, *,
                use_model: bool = True, top: int = 3, on_text: Callable[[str], None] | None = None,
                cancel: threading.Event | None = None, unverified: str = "mark",
                as_of: datetime | None = None) -> RiskReview:
    """Flags most severe first, each with its evidence; with an engine, a verified explanation."""
    start = time.perf_counter()
    if risk is None:
        risk = evaluate_risk(record, as_of)
    items = tuple(ordered_flags(risk))
    reason = "no model pack installed" if engine is None else ("explanation not requested" if not use_model else "")
    if engine is None or not use_model or not any(i.severity != "info" for i in items):
        reason = reason or "no flags to explain"
        return RiskReview(record.patient.id, items, reason=reason,
                          timing={"total_s": time.perf_counter() - start})
    sheet = explanation_sheet(build_fact_sheet(record, risk, as_of=as_of), top)
    p = prompts("risk.toml")
    messages = [{"role": "system", "content": p["system"]},
                {"role": "user", "content": p["explain"].format(facts=sheet.text())}]
    collector = SentenceCollector(sheet, unverified, on_text, None)
    gen_stats: dict[str, float] = {}
    try:
        processor = number_constraint(engine, sheet)
        with closing(generate_stream(engine, messages, MAX_NEW_TOKENS, processor, cancel, gen_stats)) as stream:
            for piece in stream:
                collector.feed(piece)
                if collector.repeats >= 2:
                    break
    except Exception as e:  # the flags stand on their own; only the explanation is lost
        log.warning("risk explanation failed (%s)", type(e).__name__)
        return RiskReview(record.patient.id, items, reason=f"model failed ({type(e).__name__})",
                          timing={"total_s": time.perf_counter() - start})
    cancelled = cancel is not None and cancel.is_set()
    if not cancelled:
        collector.finish()
    timing = dict(gen_stats)
    timing["total_s"] = time.perf_counter() - start
    return RiskReview(record.patient.id, items, tuple(collector.kept), "model", model_label(engine), "",
                      timing, cancelled)
