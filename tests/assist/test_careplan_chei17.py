"""A cholinesterase inhibitor with a beta-blocker in heart failure: the plan keeps the beta-blocker and adjusts the other."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from careplan_support import ago, chart, cond, draft, med, text

from assistant.assist.careplan.drafting import draft_careplan
from assistant.clinical.flags import evaluate
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord
from support import SHARED_FHIR

HF = cond("c-hf", "88805009", "Chronic congestive heart failure", ago(1000))
GALANTAMINE = med("m1", "Galantamine 4 MG Oral Tablet")
METOPROLOL = med("m2", "24 HR metoprolol succinate 100 MG Extended Release Oral Tablet")
KEEP = ("keep the beta-blocker (heart failure); check the pulse; reduce or stop galantamine if the pulse "
        "is slow (< 50-60/min), or syncope or falls occur")


def _lines(doc) -> dict[str, str]:
    return {i.key: i.text for i in doc.items("medications")}


def test_heart_failure_keeps_the_beta_blocker_and_adjusts_the_cholinesterase_inhibitor() -> None:
    doc = draft(chart(79, "male", HF, GALANTAMINE, METOPROLOL))
    lines = _lines(doc)
    assert lines["med:m2"].startswith("Keep: 24 HR metoprolol") and KEEP in lines["med:m2"]
    assert lines["med:m1"].startswith("Review now: Galantamine") and KEEP in lines["med:m1"]
    assert "Heidenreich" in lines["med:m2"] and "BNF" in lines["med:m1"]
    states = {i.key: i.state for i in doc.items("medications")}
    assert states["med:m1"] == "flagged" and states["med:m2"] == "keep"
    patient = text(doc, "patient")
    assert "Keep taking your heart medicines, including metoprolol" in patient
    assert "stop" not in patient.lower()  # nothing tells him to stop a medicine


def test_without_heart_failure_the_medicines_get_no_keep_line() -> None:
    lines = _lines(draft(chart(79, "male", GALANTAMINE, METOPROLOL)))
    assert not any(t.startswith("Keep:") or "keep the beta-blocker" in t for t in lines.values())


def test_tommy_friesen_plan_keeps_metoprolol() -> None:
    paths = sorted(SHARED_FHIR.glob("Tommy_Friesen_*.json")) if SHARED_FHIR.is_dir() else []
    if not paths:
        pytest.skip("shared Synthea bundles (../shared/fhir/synthea-r4) not present")
    parsed = parse_file(paths[0])
    record = PatientRecord.build(parsed.patients[0], parsed.entries)
    when = datetime(2026, 12, 5, 12, tzinfo=UTC)
    doc = draft_careplan(record, evaluate(record, when), None, use_model=False, as_of=when)
    meds = [i.text for i in doc.items("medications")]
    assert any(t.startswith("Keep: 24 HR metoprolol") and KEEP in t for t in meds)
    assert any(t.startswith("Review now: Galantamine") and KEEP in t for t in meds)
    assert not any(t.startswith("Review now (safety flag): 24 HR metoprolol") for t in meds)
    assert "Keep taking your heart medicines, including metoprolol" in text(doc, "patient")
