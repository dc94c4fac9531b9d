"""Scenario bundles for the flag and care-plan tests: TOML charts with dates relative to today.

Each file in tests/data/scenarios/ describes one patient in clinical terms (ages and days ago, not
dates) and what a clinician expects: the first flag, flags that must not appear, and care-plan
phrases that must and must not appear. `build_bundle` turns it into a real FHIR R4 bundle (through
the exporter), which the tests then parse with the importer, so each scenario also crosses the
import path as a site's data would.
"""

from __future__ import annotations

import itertools
import json
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.records.domain import (
    LOINC,
    RXNORM,
    SNOMED,
    Allergy,
    Coding,
    Component,
    Condition,
    Encounter,
    Entry,
    Medication,
    Note,
    Observation,
    Patient,
)
from assistant.records.fhir_export import export_bundle
from assistant.records.record import PatientRecord

SCENARIOS = Path(__file__).resolve().parent / "data" / "scenarios"


@dataclass(frozen=True)
class Scenario:
    """One scenario file: its name, the chart and the expectations."""

    name: str
    title: str
    spec: dict[str, Any]

    @property
    def expect(self) -> dict[str, Any]:
        return self.spec.get("expect", {})


def load_all() -> list[Scenario]:
    out = []
    for path in sorted(SCENARIOS.glob("*.toml")):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        out.append(Scenario(path.stem, spec["title"], spec))
    return out


def _birth(age: int, today: date) -> date:
    # Born 100 days after today's date `age + 1` years ago: `age` today, whatever the day.
    return date(today.year - age - 1, today.month, 1) + timedelta(days=100)


def build_record(s: Scenario, now: datetime) -> PatientRecord:
    """The scenario as a PatientRecord, every date counted back from `now`."""
    ids = itertools.count(1)
    p = s.spec["patient"]
    pid = "scenario-" + s.name.replace("_", "-")

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    def nid() -> str:
        return f"{pid}-{next(ids)}"

    patient = Patient(id=pid, family="Scenario", given=(s.name.split("_", 1)[-1].title(),),
                      birth_date=_birth(int(p["age"]), now.date()), sex=p.get("sex", "female"),
                      deceased=bool(p.get("deceased_days")),
                      deceased_date=ago(p["deceased_days"]) if p.get("deceased_days") else None)
    entries: list[Entry] = []
    for c in s.spec.get("conditions", []):
        code = Coding(SNOMED, c["snomed"], c["display"])
        entries.append(Condition(
            id=nid(), patient_id=pid, code=code, codes=(code,),
            clinical_status=c.get("status", "active"), verification_status="confirmed",
            onset=ago(c.get("onset_days", 1000)),
            abatement=ago(c["resolved_days"]) if "resolved_days" in c else None))
    for m in s.spec.get("medications", []):
        entries.append(Medication(
            id=nid(), patient_id=pid, code=Coding(RXNORM, m.get("rxnorm", ""), m["name"]),
            name=m["name"], status=m.get("status", "active"), intent="order",
            start=ago(m.get("start_days", 365)),
            end=ago(m["end_days"]) if "end_days" in m else None))
    for o in s.spec.get("observations", []):
        entries.append(Observation(
            id=nid(), patient_id=pid, code=Coding(LOINC, o["loinc"], o.get("display", "")),
            category=o.get("category", "laboratory"), status="final", value=o["value"],
            unit=o.get("unit", ""), effective=ago(o.get("days", 1))))
    for b in s.spec.get("bp", []):
        comps = (Component(Coding(LOINC, "8480-6", "Systolic blood pressure"), b["sbp"], "mm[Hg]"),
                 Component(Coding(LOINC, "8462-4", "Diastolic blood pressure"), b["dbp"], "mm[Hg]"))
        entries.append(Observation(
            id=nid(), patient_id=pid, code=Coding(LOINC, "85354-9", "Blood pressure panel"),
            category="vital-signs", status="final", components=comps,
            effective=ago(b.get("days", 1))))
    for a in s.spec.get("allergies", []):
        entries.append(Allergy(
            id=nid(), patient_id=pid, substance=a["substance"],
            code=Coding(SNOMED, a.get("snomed", ""), a["substance"]), reaction=a.get("reaction", ""),
            criticality=a.get("criticality", ""), category="medication",
            clinical_status="active", recorded=ago(3000)))
    for e in s.spec.get("encounters", []):
        # An encounter still open (no end) is one the patient is in now (emergency department).
        entries.append(Encounter(
            id=nid(), patient_id=pid, type=Coding(SNOMED, e.get("snomed", ""), e.get("display", "")),
            class_code=e.get("class", "AMB"), status="in-progress" if "end_days" not in e else "finished",
            start=ago(e.get("days", 1)), end=ago(e["end_days"]) if "end_days" in e else None,
            reason=e.get("reason", "")))
    for n in s.spec.get("notes", []):
        entries.append(Note(id=nid(), patient_id=pid, title=n.get("title", "Progress note"),
                            author="Dr Scenario", date=ago(n.get("days", 1)), text=n["text"]))
    return PatientRecord.build(patient, entries)


def write_bundle(s: Scenario, now: datetime, folder: Path) -> Path:
    """The scenario as a FHIR R4 collection bundle on disk (for the importer)."""
    path = folder / f"{s.name}.json"
    path.write_text(json.dumps(export_bundle(build_record(s, now))), encoding="utf-8")
    return path


def today() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
