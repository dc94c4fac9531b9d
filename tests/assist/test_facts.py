"""Fact sheet: content of each section, ids and citations, and the order lines are dropped under a budget."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from assist_fixtures import DEMO, sample_record, sample_risk

from assistant.assist.facts import SECTIONS, build_fact_sheet, estimate_tokens
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord


def load(path: Path) -> PatientRecord:
    parsed = parse_file(path)
    return PatientRecord.build(parsed.patients[0], parsed.entries)


def test_sections_content_and_ids():
    rec = sample_record()
    sheet = build_fact_sheet(rec, sample_risk())
    assert [f.id for f in sheet.lines] == [f"F{n}" for n in range(1, len(sheet.lines) + 1)]
    order = [SECTIONS.index(f.section) for f in sheet.lines]
    assert order == sorted(order), "sections appear in display order"
    text = sheet.text()
    assert text.splitlines()[0] == "F1: Patient: 78-year-old woman"
    assert "Allergy: Penicillin (allergy; Anaphylaxis, severe reaction, high criticality)" in text
    assert "Active problem: Atrial fibrillation (since 2019-09-23)" in text
    assert "Viral sinusitis" not in text  # resolved problems are not active problems
    assert re.search(r"Medication: Warfarin Sodium 5 mg Oral Tablet; 5 mg once daily in the evening "
                     r"\(since 2019-10-01; for Atrial fibrillation\)", text)
    assert "Amoxicillin" not in text  # stopped medication
    assert "Blood pressure 152/88 mmHg (2026-11-12)" in text
    assert "INR 3.8 (2026-11-12), high (normal 2.0-3.0); earlier 2.2 (2026-09-16); rising" in text
    assert "HbA1c 8.9 % (2026-10-27), high" in text and "earlier 8.1 (2026-01-19), 7.4 (2025-07-14); rising" in text
    assert "Documentation of current medications" not in text  # administrative procedure
    assert "Procedure 2026-06-10: Electrocardiographic procedure for Atrial fibrillation" in text
    assert "Plan: hold warfarin tonight, recheck INR in 3 days." in text
    assert "Weather was fine" not in text and "ANTICOAGULATION CLINIC" not in text


def test_every_line_cites_record_entries():
    rec = sample_record()
    sheet = build_fact_sheet(rec, sample_risk())
    for f in sheet.lines:
        if f.text != "Allergies: none recorded" and "Annual review due" not in f.text:  # no evidence
            assert f.refs, f
        for ref in f.refs:
            assert ref == rec.patient.ref or rec.entry(ref) is not None, (f, ref)
    inr = next(f for f in sheet.lines if f.text.startswith("INR"))
    assert inr.refs == ("Observation/o-inr2", "Observation/o-inr1")
    assert sheet.refs_for([inr.id, "F999", inr.id]) == inr.refs
    assert sheet.fact(inr.id) is inr and sheet.fact("F999") is None


def test_flags_are_ordered_by_severity_with_evidence():
    sheet = build_fact_sheet(sample_record(), sample_risk())
    flags = sheet.section("flag")
    assert [f.text.split(":")[0] for f in flags] == ["Risk flag (critical)", "Risk flag (high)",
                                                     "Risk flag (info)"]
    assert flags[1].refs == ("Observation/o-inr2", "MedicationRequest/m-warf")
    assert flags[0].priority > flags[1].priority > flags[2].priority


def test_no_allergies_is_a_fact():
    rec = sample_record()
    rec = PatientRecord.build(rec.patient, [e for e in rec.entries() if e.resource_type != "AllergyIntolerance"])
    assert "F2: Allergies: none recorded" in build_fact_sheet(rec).text()


def _rank(sheet_lines):
    return sorted(sheet_lines, key=lambda f: (-f.priority, int(f.id[1:])))


def test_budget_drops_least_important_first():
    rec, risk = sample_record(), sample_risk()
    full = build_fact_sheet(rec, risk)
    ranked = _rank(full.lines)
    total = sum(estimate_tokens(f.line() + "\n") for f in full.lines)
    for budget in range(0, total + 20, 7):
        sheet = build_fact_sheet(rec, risk, token_budget=budget)
        kept = {f.id for f in sheet.lines}
        # What survives is always a prefix of the importance ranking.
        assert [f.id for f in ranked[:len(kept)]] == sorted(kept, key=lambda i: [r.id for r in ranked].index(i))
        assert sheet.tokens is not None and sheet.tokens <= budget or not sheet.lines
        assert {f.id for f in sheet.omitted} | kept == {f.id for f in full.lines}
        # Ids do not change when lines are dropped: the same fact keeps its id.
        assert all(full.fact(f.id) == f for f in sheet.lines)


def test_budget_priority_order_between_sections():
    rec, risk = sample_record(), sample_risk()
    full = build_fact_sheet(rec, risk)
    by_text = {f.text.split(":")[0].split(" ")[0]: f for f in full.lines}

    def prio(prefix: str) -> int:
        return next(f.priority for f in full.lines if f.text.startswith(prefix))

    assert prio("Patient") > prio("Allergy") > prio("Risk flag (high)") > prio("Active problem")
    assert prio("Active problem") > prio("Medication") > prio("INR") > prio("Blood pressure")
    assert prio("Blood pressure") > prio("Sodium")  # a normal lab goes before a recent vital sign
    assert prio("Sodium") > prio("Encounter") and prio("Note") > prio("Sodium")
    assert prio("LDL") < prio("Sodium")  # an old normal result goes early
    assert prio("Risk flag (info)") < prio("Active problem")
    assert by_text
    tight = build_fact_sheet(rec, risk, token_budget=60)
    assert [f.section for f in tight.lines][:2] == ["demographics", "allergy"]
    assert all(f.section in ("demographics", "allergy", "flag") for f in tight.lines)


def test_budget_uses_given_tokenizer():
    rec = sample_record()
    calls = []

    def count(text: str) -> int:
        calls.append(text)
        return 10

    sheet = build_fact_sheet(rec, None, token_budget=55, count_tokens=count)
    assert len(sheet.lines) == 5 and sheet.tokens == 50 and calls


def test_demo_patients_sheets():
    files = sorted(DEMO.glob("*.json"))
    if not files:
        pytest.skip("demo patients not present")
    for path in files:
        rec = load(path)
        sheet = build_fact_sheet(rec)
        assert sheet.lines[0].section == "demographics"
        for f in sheet.lines:
            assert all(ref == rec.patient.ref or rec.entry(ref) for ref in f.refs)
        assert len(sheet.section("problem")) == len({c.display for c in rec.active_conditions})


def test_shared_bundles_sheets_fit_budget(shared_fhir):
    for path in sorted(shared_fhir.glob("*.json"))[:12]:
        parsed = parse_file(path)
        if not parsed.patients:
            continue
        rec = PatientRecord.build(parsed.patients[0], parsed.entries)
        sheet = build_fact_sheet(rec, token_budget=400)
        assert sheet.tokens is not None and sheet.tokens <= 400
        assert sheet.lines and sheet.lines[0].id == "F1"
        for f in sheet.lines:
            assert all(ref == rec.patient.ref or rec.entry(ref) for ref in f.refs)
