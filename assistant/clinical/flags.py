"""Evaluate every risk rule on a record: sorted, de-duplicated flags plus the scores behind them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.clinical.extract import Chart
from assistant.clinical.knowledge import KnowledgeError, knowledge_version
from assistant.clinical.medsafety import medication_flags
from assistant.clinical.rules.base import CATEGORIES, SEVERITIES, Flag, ScoreResult, finalize
from assistant.clinical.rules.caregaps import care_gap_flags
from assistant.clinical.rules.labs import lab_flags
from assistant.clinical.rules.scores import compute_scores, score_flags
from assistant.clinical.rules.trends import trend_flags
from assistant.records.record import PatientRecord

log = logging.getLogger(__name__)

__all__ = ["CATEGORIES", "SEVERITIES", "Flag", "RiskReport", "ScoreResult", "evaluate"]


@dataclass(frozen=True)
class RiskReport:
    """Everything the risk review shows for one patient on one date."""

    patient: str  # the FHIR Patient id (never the name or MRN)
    as_of: datetime
    flags: tuple[Flag, ...]  # critical, high, moderate, info; one per id
    scores: tuple[ScoreResult, ...]  # calculators computed from the record
    not_computed: tuple[ScoreResult, ...] = ()  # applicable calculators the record cannot fill
    knowledge_version: str = ""  # the knowledge pack ('name version') every flag and score came from

    def counts(self) -> dict[str, int]:
        return {s: sum(f.severity == s for f in self.flags) for s in SEVERITIES}

    def to_dict(self) -> dict[str, Any]:
        return {"patient": self.patient, "as_of": self.as_of.isoformat(),
                "flags": [f.to_dict() for f in self.flags],
                "scores": [s.to_dict() for s in self.scores],
                "not_computed": [s.to_dict() for s in self.not_computed],
                "knowledge_version": self.knowledge_version}


_GROUP_CATEGORY = {"score": "score", "laboratory": "lab", "trend": "trend", "medication": "medication",
                   "care gaps": "care gap"}


def _guarded(name: str, rule: Callable[[], list[Flag]]) -> list[Flag]:
    # One faulty rule must not hide every other warning; it shows up as a flag instead. A broken
    # knowledge table is an installation error and stops the evaluation.
    try:
        return rule()
    except KnowledgeError:
        raise
    except Exception as e:  # noqa: BLE001 - reported as a flag instead
        # Only the exception type is logged: its message could quote chart data.
        log.error("risk rule group %s failed with %s", name, type(e).__name__)
        return [Flag(f"error:{name}", f"Some {name} checks could not run", "info",
                     _GROUP_CATEGORY[name], (),
                     f"An internal error ({type(e).__name__}) stopped the {name} checks for this "
                     "record; the other checks ran. Report this to IT.", (), "Clinician Assistant")]


def evaluate(record: PatientRecord, as_of: datetime | None = None) -> RiskReport:
    """Run every rule on `record` as of `as_of` (default now, UTC; naive datetimes are UTC).

    Windows such as 'within 12 months' count back from as_of; bedside vitals windows count back
    from the newest vitals set. Entries dated after as_of are ignored.
    """
    chart = Chart(record, as_of)
    computed, skipped = compute_scores(chart)
    flags = [
        *_guarded("score", lambda: score_flags(chart, computed)),
        *_guarded("laboratory", lambda: lab_flags(chart)),
        *_guarded("trend", lambda: trend_flags(chart)),
        *_guarded("medication", lambda: medication_flags(chart)),
        *_guarded("care gaps", lambda: care_gap_flags(chart)),
    ]
    return RiskReport(record.patient.id, chart.as_of, finalize(flags), tuple(computed), tuple(skipped),
                      knowledge_version())
