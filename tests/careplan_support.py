"""Helpers shared by the care-plan tests: demo records without a database, a scripted engine, built charts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from assist_fixtures import FakeRisk

from assistant.assist.careplan.document import CarePlanDocument
from assistant.assist.careplan.drafting import draft_careplan
from assistant.demo import parse_demo
from assistant.records.domain import (
    LOINC,
    SNOMED,
    Coding,
    Condition,
    Entry,
    Medication,
    Observation,
    Patient,
)
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord
from support import ROOT

DEMO = ROOT / "resources" / "demo"


# The day the demo bundles are written as of: demo_record(prefix, ANCHOR) is the chart with the
# dates as written, for a test that checks fixed dates.
ANCHOR = date(2026, 11, 22)


@cache
def demo_record(prefix: str, today: date | None = None) -> PatientRecord:
    """A demo patient's record by file prefix ('01', '02', ...), parsed without a database, its dates
    moved to `today` (default today) as the demo database made that day holds them: drafts and
    summaries without an as_of read the chart today, so the showcase is checked as a clinician sees it."""
    (path,) = sorted(DEMO.glob(f"{prefix}_*.json"))
    parsed = parse_demo(Path(path), today)
    return PatientRecord.build(parsed.patients[0], parsed.entries)


@cache
def synthea_records(folder: Path) -> tuple[PatientRecord, ...]:
    """Every shared Synthea patient, parsed once per test session (parsing takes seconds)."""
    out = []
    for path in sorted(folder.glob("*.json")):
        parsed = parse_file(path)
        if parsed.patients:
            out.append(PatientRecord.build(parsed.patients[0], parsed.entries))
    return tuple(out)


@dataclass
class FakeEngine:
    """Answers each chat with a fixed script; `{HbA1c}` becomes the fact id of the HbA1c line."""

    rationale: str = "HbA1c is 8.9 % and above target {HbA1c}. HbA1c was 12.5 % last week {HbA1c}."
    patient: str = "Your average blood sugar is higher than your goal {HbA1c}. Keep taking your medicines."
    calls: list[list[dict[str, str]]] = field(default_factory=list)
    name: str = "fake-engine"
    version: str = "1"

    def chat(self, messages, config=None, cancel=None):
        self.calls.append(messages)
        prompt = messages[-1]["content"]
        fid = next((m.group(1) for m in re.finditer(r"^(F\d+): (.*)$", prompt, re.M)
                    if "HbA1c" in m.group(2) or "Hemoglobin A1c" in m.group(2)), "F1")
        script = self.rationale if "clinician" in prompt else self.patient
        # Streamed in pieces, as the real engine does.
        yield from re.findall(r"\S+\s*", script.replace("{HbA1c}", f"[{fid}]"))


# --- charts built in a test, dated relative to today (eligibility and fit tests) -----------------
NOW = datetime.now(UTC)
PID = "p-built"


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def cond(cid: str, code: str, name: str, onset: datetime) -> Condition:
    return Condition(id=cid, patient_id=PID, code=Coding(SNOMED, code, name), clinical_status="active", onset=onset)


def lab(oid: str, code: str, value: float, unit: str, when: datetime) -> Observation:
    return Observation(id=oid, patient_id=PID, code=Coding(LOINC, code, code), value=value, unit=unit,
                       effective=when, category="laboratory", status="final")


def med(mid: str, name: str, days: int = 400) -> Medication:
    return Medication(id=mid, patient_id=PID, name=name, status="active", start=ago(days))


def chart(age: int, sex: str, *entries: Entry, deceased: bool = False) -> PatientRecord:
    born = date(NOW.year - age, 1, 1) if NOW.month > 1 else date(NOW.year - age - 1, 1, 1)
    return PatientRecord.build(Patient(id=PID, birth_date=born, sex=sex, deceased=deceased), entries)


def draft(rec: PatientRecord) -> CarePlanDocument:
    return draft_careplan(rec, FakeRisk(), use_model=False)


def text(doc: CarePlanDocument, section: str | None = None) -> str:
    return "\n".join(i.text for i in doc.items(section))
