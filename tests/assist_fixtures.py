"""Records, flags and a scripted engine for the summary tests (imported as `assist_fixtures`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from assistant.clinical.rules.base import Flag
from assistant.records.domain import (
    LOINC,
    Allergy,
    Coding,
    Component,
    Condition,
    Encounter,
    Medication,
    Note,
    Observation,
    Patient,
    Procedure,
)
from assistant.records.record import PatientRecord

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo"
PID = "p1"


def t(y: int, m: int = 1, d: int = 1) -> datetime:
    return datetime(y, m, d, 9, 0, tzinfo=UTC)


def obs(oid: str, code: str, name: str, value: float, unit: str, when: datetime, **kw) -> Observation:
    return Observation(id=oid, patient_id=PID, code=Coding(LOINC, code, name), value=value, unit=unit,
                       effective=when, category=kw.pop("category", "laboratory"), status="final", **kw)


def sample_record() -> PatientRecord:
    """A 78-year-old woman with AF on warfarin, hypertension and type 2 diabetes; penicillin allergy."""
    p = Patient(id=PID, family="Testperson", given=("Ann",), birth_date=date(1948, 3, 1), sex="female")
    entries = [
        Condition(id="c-af", patient_id=PID, code=Coding("", "49436004", "Atrial fibrillation (disorder)"),
                  clinical_status="active", onset=t(2019, 9, 23)),
        Condition(id="c-htn", patient_id=PID, code=Coding("", "59621000", "Essential hypertension"),
                  clinical_status="active", onset=t(2005, 4, 18)),
        Condition(id="c-dm", patient_id=PID, code=Coding("", "44054006", "Type 2 diabetes mellitus"),
                  clinical_status="active", onset=t(2014, 5, 6)),
        Condition(id="c-old", patient_id=PID, code=Coding("", "444814009", "Viral sinusitis (disorder)"),
                  clinical_status="resolved", onset=t(2016, 1, 1), abatement=t(2016, 1, 20)),
        Medication(id="m-warf", patient_id=PID, name="Warfarin Sodium 5 MG Oral Tablet",
                   dose_text="5 mg once daily in the evening", status="active", start=t(2019, 10, 1),
                   reason_refs=("c-af",)),
        Medication(id="m-met", patient_id=PID, name="Metformin hydrochloride 500 MG Oral Tablet",
                   dose_text="1000 mg twice daily", status="active", start=t(2014, 6, 1),
                   reason_refs=("c-dm",)),
        Medication(id="m-aml", patient_id=PID, name="Amlodipine 5 MG Oral Tablet", status="active",
                   start=t(2015, 2, 9), reason_refs=("c-htn",)),
        Medication(id="m-amox", patient_id=PID, name="Amoxicillin 500 MG Oral Capsule", status="stopped",
                   start=t(2010, 1, 1)),
        Allergy(id="a-pen", patient_id=PID, substance="Penicillin", reaction="Anaphylaxis",
                severity="severe", criticality="high", category="medication", allergy_type="allergy"),
        obs("o-bp", "85354-9", "Blood pressure panel", None, "", t(2026, 11, 12), category="vital-signs",
            components=(Component(Coding(LOINC, "8480-6", "Systolic"), 152, "mm[Hg]"),
                        Component(Coding(LOINC, "8462-4", "Diastolic"), 88, "mm[Hg]"))),
        obs("o-hr", "8867-4", "Heart rate", 92, "/min", t(2026, 11, 12), category="vital-signs"),
        obs("o-inr1", "6301-6", "INR", 2.2, "{INR}", t(2026, 9, 16), reference_low=2.0, reference_high=3.0),
        obs("o-inr2", "6301-6", "INR", 3.8, "{INR}", t(2026, 11, 12), reference_low=2.0, reference_high=3.0),
        obs("o-a1c0", "4548-4", "HbA1c", 7.4, "%", t(2025, 7, 14)),
        obs("o-a1c1", "4548-4", "HbA1c", 8.1, "%", t(2026, 1, 19)),
        obs("o-a1c2", "4548-4", "HbA1c", 8.9, "%", t(2026, 10, 27)),
        obs("o-na", "2951-2", "Sodium", 139, "mmol/L", t(2026, 10, 27), reference_low=135, reference_high=145),
        obs("o-ldl", "18262-6", "LDL", 94, "mg/dL", t(2019, 1, 1)),
        Encounter(id="e1", patient_id=PID, type=Coding("", "", "Follow-up encounter"), class_code="AMB",
                  start=t(2026, 11, 12), reason="Anticoagulation clinic"),
        Encounter(id="e0", patient_id=PID, type=Coding("", "", "Encounter for check up (procedure)"),
                  class_code="AMB", start=t(2020, 1, 1)),
        Procedure(id="pr1", patient_id=PID, code=Coding("", "", "Electrocardiographic procedure"),
                  performed_start=t(2026, 6, 10), reason="Atrial fibrillation"),
        Procedure(id="pr0", patient_id=PID, code=Coding("", "", "Documentation of current medications"),
                  performed_start=t(2026, 6, 10)),
        Note(id="n1", patient_id=PID, title="Anticoagulation clinic review", date=t(2026, 11, 12),
             text="ANTICOAGULATION CLINIC\n\nBruises on both forearms for 1 week.\n"
                  "Assessment: supratherapeutic INR with NSAID co-prescription.\nPlan: hold warfarin "
                  "tonight, recheck INR in 3 days.\nWeather was fine today."),
    ]
    return PatientRecord.build(p, entries)


def make_flag(fid: str, title: str, severity: str, category: str = "medication",
              evidence: tuple[str, ...] = (), explanation: str = "", missing: tuple[str, ...] = (),
              reference: str = "") -> Flag:
    """The clinical engine's Flag, with the fields a test does not care about left empty."""
    return Flag(fid, title, severity, category, evidence, explanation, missing, reference)


@dataclass(frozen=True)
class FakeRisk:
    """The clinical engine's RiskReport shape."""

    flags: tuple[Flag, ...] = ()
    scores: tuple = ()
    as_of: datetime | None = None


def sample_risk() -> FakeRisk:
    return FakeRisk((
        make_flag("inr-high", "INR above therapeutic range on warfarin", "high",
                 evidence=("Observation/o-inr2", "MedicationRequest/m-warf"),
                 explanation="INR 3.8 on 2026-11-12 above the target 2.0-3.0."),
        make_flag("info-x", "Annual review due", "info", category="care gap"),
        make_flag("crit", "Penicillin allergy", "critical", category="allergy",
                 evidence=("AllergyIntolerance/a-pen",), explanation="Anaphylaxis recorded."),
    ))


@dataclass
class FakeStats:
    ttft_s: float = 0.01
    tokens_per_s: float = 100.0
    new_tokens: int = 0
    total_s: float = 0.02
    prompt_tokens: int = 0


@dataclass
class ScriptedEngine:
    """Test double for the LLM engine: yields the scripted text in small pieces and records calls."""

    script: str
    piece: int = 7
    fail: bool = False
    stop_after: int | None = None  # set the cancel event after this many pieces
    calls: list = field(default_factory=list)
    stats: FakeStats = field(default_factory=FakeStats)
    context_length: int = 2048
    name: str = "scripted-test-model"
    version: str = "0"

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + text.count("\n")

    def chat(self, messages, config=None, logits_processor=None, cancel: threading.Event | None = None,
             **kw) -> Iterator[str]:
        self.calls.append({"messages": messages, "config": config, "logits_processor": logits_processor})
        if self.fail:
            raise RuntimeError("engine exploded")
        for n, i in enumerate(range(0, len(self.script), self.piece)):
            if cancel is not None and cancel.is_set():
                return
            if self.stop_after is not None and n == self.stop_after and cancel is not None:
                cancel.set()
                return
            self.stats.new_tokens += 1
            yield self.script[i:i + self.piece]
