"""Evaluate every risk rule on a record: sorted, de-duplicated flags plus the scores behind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.clinical.extract import Chart
from assistant.clinical.knowledge import knowledge_version
from assistant.clinical.medsafety import medication_flags
from assistant.clinical.rules.base import CATEGORIES, SEVERITIES, Flag, ScoreResult, finalize
from assistant.clinical.rules.caregaps import care_gap_flags
from assistant.clinical.rules.grouping import group_flags
from assistant.clinical.rules.guard import guarded
from assistant.clinical.rules.kidney import aki_flags
from assistant.clinical.rules.labs import lab_flags
from assistant.clinical.rules.scores import compute_scores, score_flags
from assistant.clinical.rules.stale_results import stale_result_flags
from assistant.clinical.rules.trends import trend_flags
from assistant.records.record import PatientRecord

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


def _deceased_flag(record: PatientRecord) -> Flag:
    died = record.patient.deceased_date
    when = f" on {died.date().isoformat()}" if died else ""
    return Flag("info:deceased", f"Patient deceased{when}", "info", "care gap", (),
                f"The record says this patient died{when}. Risk flags, medicine checks and care gaps are "
                "not evaluated for a deceased patient; the chart is shown for reference only.", (),
                "Clinician Assistant")


def evaluate(record: PatientRecord, as_of: datetime | None = None) -> RiskReport:
    """Run every rule on `record` as of `as_of` (default now, UTC; naive datetimes are UTC).

    Windows such as 'within 12 months' count back from as_of; bedside vitals windows count back
    from the newest vitals set. Entries dated after as_of are ignored.
    """
    chart = Chart(record, as_of)
    computed, skipped = compute_scores(chart)
    if record.patient.deceased:
        # A closed chart: nothing in it can be acted on, and its medicines are not "active" however
        # the source left their status. One plain statement instead of warnings about a living patient.
        return RiskReport(record.patient.id, chart.as_of, (_deceased_flag(record),), tuple(computed),
                          tuple(skipped), knowledge_version())
    flags = [
        *guarded("score", lambda: score_flags(chart, computed)),
        *guarded("laboratory", lambda: lab_flags(chart)),
        *guarded("laboratory", lambda: aki_flags(chart), "aki"),
        *guarded("laboratory", lambda: stale_result_flags(chart), "stale"),
        *guarded("trend", lambda: trend_flags(chart)),
        *guarded("medication", lambda: medication_flags(chart)),
        *guarded("care gaps", lambda: care_gap_flags(chart)),
    ]
    # Each rule inside a group is guarded on its own too; grouping merges one problem's flags.
    grouped = guarded("medication", lambda: group_flags(finalize(flags), chart), "grouping")
    if grouped and grouped[0].id == "error:medication:grouping":
        grouped = [*finalize(flags), *grouped]
    return RiskReport(record.patient.id, chart.as_of, finalize(grouped), tuple(computed),
                      tuple(skipped), knowledge_version())
