"""Monitoring lines that follow the plan's own medicine decisions and flags (reader 17): demo and Synthea charts, the rules table."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from careplan_support import demo_record

from assistant.assist.careplan.document import CarePlanDocument
from assistant.assist.careplan.drafting import draft_careplan
from assistant.assist.careplan.monitor_rules import rules
from assistant.assist.careplan.templates import load_templates
from assistant.clinical.flags import evaluate
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord
from support import ROOT

SYNTHEA = ROOT.parent / "shared" / "fhir" / "synthea-r4"


def _plan(record: PatientRecord) -> CarePlanDocument:
    risk = evaluate(record)
    return draft_careplan(record, risk, None, use_model=False, as_of=risk.as_of)


def _lines(doc: CarePlanDocument, key: str) -> list[str]:
    return [i.text for s in doc.sections if s.key == key for i in s.items]


def _line(doc: CarePlanDocument, start: str) -> str:
    found = [t for t in _lines(doc, "monitoring") if t.startswith(start)]
    assert len(found) == 1, _lines(doc, "monitoring")
    return found[0]


def _synthea(name: str) -> PatientRecord:
    paths = sorted(SYNTHEA.glob(f"{name}_*.json"))
    if not paths:
        pytest.skip("shared Synthea bundles (../shared/fhir/synthea-r4) not present")
    parsed = parse_file(paths[0])
    return PatientRecord.build(parsed.patients[0], parsed.entries)


def _dates(text: str) -> list[date]:
    return [date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", text)]


def test_arthur_lipids_follow_the_statin_the_plan_intensifies() -> None:
    doc = _plan(demo_record("01"))
    assert any(t.startswith("Intensify now: simvastatin") for t in _lines(doc, "medications"))
    line = _line(doc, "Lipid panel")
    assert "up to date" not in line
    assert "recheck 4-12 weeks after the change" in line
    start, end = _dates(line)[-2:]
    assert f"next due {start.isoformat()} (due soon; by {end.isoformat()} at the latest)" in line
    assert date.fromisoformat(doc.as_of) + timedelta(weeks=4) == start
    assert date.fromisoformat(doc.as_of) + timedelta(weeks=12) == end
    # The value shown is the LDL the goal is about, named.
    assert "Last LDL cholesterol" in line


def test_arthur_hba1c_is_never_due_sooner_than_three_months_after_the_last() -> None:
    line = _line(_plan(demo_record("01")), "HbA1c")
    last, due = _dates(line)[:2]
    assert (due - last).days >= 90, line
    assert "not sooner" in line and "(due soon)" not in line


def test_beatrice_inr_follows_the_dose_change_the_chart_records() -> None:
    doc = _plan(demo_record("02"))
    med = next(t for t in _lines(doc, "medications") if t.startswith("Dose already changed: warfarin"))
    line = _line(doc, "INR (warfarin)")
    assert "repeat today" not in line
    changed = _dates(med)[0]
    # The anticoagulation clinic's note plans the next INR in 12 days.
    assert f"next due {(changed + timedelta(days=12)).isoformat()}" in line
    assert "as a note plans" in line


@pytest.mark.parametrize("name", ["Cody_Larson", "Beatriz_Salazar", "Louie_Jast"])
def test_old_creatinine_flag_has_its_recheck_line(name: str) -> None:
    doc = _plan(_synthea(name))
    line = _line(doc, "Creatinine and eGFR")
    assert re.search(r"Last Creatinine \d\.\d+ mg/dL", line) and line.endswith("due now."), line
    due = next(t for t in _lines(doc, "rationale") if t.startswith("Tests due or overdue"))
    assert "Creatinine and eGFR" in due


def test_tommy_heart_rate_line_for_the_interaction_flag() -> None:
    doc = _plan(_synthea("Tommy_Friesen"))
    line = _line(doc, "Heart rate")
    assert "No result on record" in line and "check the pulse" in line and line.endswith("due now.")


def test_reba_lipid_panel_shows_the_ldl_of_the_goal() -> None:
    doc = _plan(_synthea("Reba_Nolan"))
    line = _line(doc, "Lipid panel")
    goal = next(t for t in _lines(doc, "goals") if t.startswith("LDL"))
    ldl = re.search(r"latest (\d+) mg/dL", goal)
    assert ldl is not None, goal
    assert f"Last LDL cholesterol {ldl.group(1)} mg/dL" in line, (line, goal)


def test_every_rule_is_sourced_and_names_known_monitoring_lines() -> None:
    known = {s.key for t in load_templates() for s in t.monitoring}
    table = rules()
    assert table.after and table.floors and table.flag_tests
    for r in table.after:
        assert r.source and set(r.monitors) <= known, r
        assert r.event or 0 < r.weeks_min <= r.weeks_max, r
    for f in table.floors:
        assert f.source and set(f.monitors) <= known, f
    for t in table.flag_tests:
        assert t.source and t.loinc and t.flags, t


def test_rules_table_is_in_the_manifest() -> None:
    manifest = (ROOT / "resources" / "knowledge" / "manifest.json").read_text(encoding="utf-8")
    assert "monitoring_rules.toml" in manifest
    assert Path(ROOT / "resources" / "knowledge" / "monitoring_rules.toml").is_file()


def test_cornelius_heart_failure_tests_follow_the_changed_status() -> None:
    doc = _plan(demo_record("03"))
    assert "congestion" in _line(doc, "Weight")
    echo, peptide = _line(doc, "Echocardiogram (LVEF)"), _line(doc, "NT-proBNP or BNP")
    assert "up to date" not in echo and "up to date" not in peptide
    assert "reassess LVEF: now" in echo
    last, due = _dates(peptide)[:2]
    assert 0 < (due - last).days <= 16, peptide


def test_the_editor_redates_a_decided_line_whole() -> None:
    from assistant.gui.plan_timing import redate, stated_due

    line = _line(_plan(demo_record("01")), "Lipid panel")
    text, _ = redate(line, "2027-03-01", "2026-12-05")
    assert stated_due(line) and "2027-03-01" in text and "at the latest" not in text
