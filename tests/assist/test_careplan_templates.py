"""Care-plan templates: every file is complete and sourced, and they match the demo and Synthea charts."""

from __future__ import annotations

import re
from pathlib import Path

from careplan_support import demo_record, synthea_records

from assistant.assist.careplan.document import (
    CarePlanDocument,
    ConditionCoverage,
    Item,
    Section,
    mark_edits,
)
from assistant.assist.careplan.templates import load_templates, match_templates, templates_dir

LOINC = re.compile(r"^\d{1,6}-\d$")


def test_at_least_twelve_complete_templates_with_sources() -> None:
    templates = load_templates()
    assert len(templates) >= 12
    assert len(list(templates_dir().glob("*.toml"))) == len(templates)
    for t in templates:
        assert t.guideline and 2010 <= t.year <= 2026 and str(t.year) in t.citation, t.id
        assert t.snomed and t.icd10, t.id
        assert t.goals and t.interventions and t.monitoring and t.education, t.id
        assert t.followup_interval and t.followup_months > 0, t.id
        for g in t.goals:
            assert g.target, (t.id, g.key)
            assert all(LOINC.match(c) for c in g.codes), (t.id, g.key)
        assert sum(1 for g in t.goals if g.codes) >= 1, t.id  # at least one measurable target
        for m in t.monitoring:
            assert m.interval and m.loinc and all(LOINC.match(c) for c in m.loinc), (t.id, m.key)
    ids = {t.id for t in templates}
    assert {"t2dm", "ckd", "hypertension", "hyperlipidemia", "heart_failure", "atrial_fibrillation",
            "copd", "coronary_disease", "obesity", "anemia", "osteoarthritis", "prediabetes"} <= ids


def test_guideline_sources_named_in_the_issue() -> None:
    by_id = {t.id: t for t in load_templates()}
    assert by_id["t2dm"].guideline.startswith("ADA")
    assert by_id["ckd"].guideline.startswith("KDIGO")
    for key in ("hypertension", "hyperlipidemia", "heart_failure"):
        assert "ACC" in by_id[key].guideline and "AHA" in by_id[key].guideline
    assert by_id["copd"].guideline.startswith("GOLD")
    assert "ESC" in by_id["atrial_fibrillation"].guideline and "CHEST" in by_id["atrial_fibrillation"].citation


def test_demo_patients_match_their_conditions() -> None:
    expect = {"01": {"t2dm", "ckd", "hypertension", "hyperlipidemia", "obesity"},
              "02": {"atrial_fibrillation", "hypertension", "osteoarthritis"},
              "03": {"heart_failure", "coronary_disease", "ckd", "hypertension", "hyperkalemia"},
              "04": {"copd", "osteoporosis", "pneumonia", "delirium"}, "05": {"hypothyroidism"}}
    for prefix, ids in expect.items():
        assert {m.template.id for m in match_templates(demo_record(prefix))} == ids, prefix
    # The resolved TIA of patient 02 is not an active problem: no stroke plan.
    assert "stroke" not in {m.template.id for m in match_templates(demo_record("02"))}


def test_prediabetes_gives_way_to_diabetes() -> None:
    from dataclasses import replace

    from assistant.records.domain import SNOMED, Coding, Condition

    rec = demo_record("01")
    pre = Condition(id="pre", patient_id=rec.patient.id, code=Coding(SNOMED, "15777000", "Prediabetes"),
                    clinical_status="active")
    ids = {m.template.id for m in match_templates(rec.with_entries(pre))}
    assert "t2dm" in ids and "prediabetes" not in ids
    alone = replace(rec, conditions=(pre,), _index={})
    assert [m.template.id for m in match_templates(alone)] == ["prediabetes"]


def test_shared_synthea_conditions_are_covered(shared_fhir: Path) -> None:
    from collections import Counter

    seen: Counter[str] = Counter()
    for rec in synthea_records(shared_fhir):
        seen.update(m.template.id for m in match_templates(rec))
    assert len(seen) >= 12
    assert seen["hypertension"] >= 5 and seen["prediabetes"] >= 5 and seen["anemia"] >= 5


def test_document_model_round_trip_and_edit_marking() -> None:
    doc = CarePlanDocument(
        patient_id="p1", title="Care plan", created="2026-11-22T10:00:00+00:00", source="model",
        model="pack 1.0", as_of="2026-11-20", warnings=("w",),
        conditions=(ConditionCoverage("t2dm", "Type 2 diabetes", "ADA", 2025, "ADA 2025", ("Condition/c1",)),),
        sections=(Section("goals", "Goals", (Item("HbA1c target < 7.0 %", "goal", "deterministic",
                                                   ("Observation/o1",), ("F7",), "< 7.0 %", "8.9 % on 2026-09-12",
                                                   "", "goal:hba1c", ("t2dm",), "ADA 2025", "4548-4",
                                                   "above-target", ()),)),
                  Section("rationale", "Rationale", (Item("Because.", "rationale", "unverified",
                                                          issues=("12.5 %",)),))))
    assert CarePlanDocument.from_dict(doc.to_dict()) == doc
    assert doc.citations() == ("Observation/o1",)
    changed = doc.with_section(Section("rationale", "Rationale", (Item("Because, checked.", "rationale",
                                                                       "unverified", issues=("12.5 %",)),)))
    marked = mark_edits(doc, changed)
    (r,) = marked.items("rationale")
    assert r.status == "edited" and r.issues == ()
    assert marked.items("goals")[0].status == "deterministic"
    assert [s.key for s in marked.sections] == ["goals", "rationale"]
