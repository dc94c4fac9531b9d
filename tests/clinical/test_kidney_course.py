"""KDIGO kidney course: heat map, progression (certain drop, rapid decline) and acute kidney disease."""

from __future__ import annotations

import pytest
from test_chart_builder import HTN, Chart

from assistant.assist.careplan.monitor_merge import kdigo_interval
from assistant.assist.careplan.templates import MonitorSpec
from assistant.clinical.extract import Chart as ChartView
from assistant.clinical.flags import RiskReport, evaluate
from assistant.clinical.rules.base import Flag
from assistant.clinical.rules.kidney_course import albuminuria_category, course, heat_map, risk_cell

pytestmark = pytest.mark.usefixtures("today")
EGFR, UNIT = "33914-3", "mL/min/{1.73_m2}"


def run(c: Chart) -> RiskReport:
    return evaluate(c.build())


def by_id(report: RiskReport) -> dict[str, Flag]:
    return {f.id: f for f in report.flags}


def progressing() -> Chart:
    """eGFR 56 -> 49 -> 41 over 15 months (G3a -> G3b, about 11-12 a year), UACR 42 -> 118 mg/g."""
    c = Chart(age=67)
    c.cond(*HTN)
    for days, egfr, creat, acr in ((495, 56, 1.38, 42), (306, 49, 1.55, 76), (26, 41, 1.79, 118)):
        c.obs(EGFR, egfr, UNIT, days=days)
        c.obs("2160-0", creat, "mg/dL", days=days, low=0.74, high=1.35)
        c.obs("14959-1", acr, "mg/g", days=days)
    return c


def test_heat_map_has_every_cell_with_the_kdigo_frequencies() -> None:
    cells = heat_map()
    assert len(cells) == 18 and all(c.source for c in cells.values())
    assert (cells[("G3b", "A2")].risk, cells[("G3b", "A2")].per_year) == ("very high", 3)
    assert (cells[("G3a", "A2")].risk, cells[("G3a", "A2")].per_year) == ("high", 2)
    assert (cells[("G2", "A1")].risk, cells[("G5", "A3")].per_year) == ("low", 4)
    assert [albuminuria_category(v) for v in (29, 30, 300, 301)] == ["A1", "A2", "A2", "A3"]


def test_progression_is_a_certain_drop_and_rapid_decline() -> None:
    chart = ChartView(progressing().build())
    c = course(chart)
    assert c is not None and c.progression and c.certain and c.rapid and not c.acute
    assert c.slope is not None and -12.5 < c.slope < -10.5
    cell = risk_cell(chart)
    assert cell is not None and (cell.gfr, cell.albuminuria, cell.per_year) == ("G3b", "A2", 3)


def test_progression_flag_names_the_finding_with_creatinine_as_a_sub_point() -> None:
    report = run(progressing())
    f = by_id(report)["trend:egfr-decline"]
    assert f.title == "Kidney function falling: eGFR 56 -> 41 in 15 months (CKD G3b A2)"
    assert f.severity == "high" and "rapid progression" in f.explanation
    assert "Meets KDIGO criteria for referral" in f.explanation
    assert "lab:creatinine:high" not in by_id(report)
    assert any(p.startswith("Creatinine high: 1.79") for p in f.points)
    assert any("42 -> 76 -> 118 mg/g" in p for p in f.points)


def test_a_35_percent_fall_within_3_months_is_acute_kidney_disease() -> None:
    c = Chart(age=70)
    c.obs(EGFR, 80, UNIT, days=60)
    c.obs(EGFR, 50, UNIT, days=2)
    f = by_id(run(c))
    assert "trend:egfr-decline" not in f
    assert f["lab:akd"].severity == "high" and "not CKD progression" in f["lab:akd"].title


def test_a_new_low_value_in_the_emergency_department_is_acute() -> None:
    from datetime import timedelta

    from test_chart_builder import ago

    from assistant.records.domain import Coding, Encounter

    c = Chart(age=75, sex="female")
    c.obs(EGFR, 70, UNIT, days=101)
    c.obs(EGFR, 51, UNIT, days=0.2)
    c._add(Encounter(id=c._id(), patient_id=c.patient.id, type=Coding("http://snomed.info/sct", "50849002"),
                     class_code="EMER", status="in-progress", start=ago(0.3) - timedelta(hours=1)))
    f = by_id(run(c))
    assert "lab:akd" in f and "trend:egfr-decline" not in f


def test_the_same_fall_seen_in_clinic_stays_a_chronic_fall() -> None:
    c = Chart(age=75, sex="female")
    c.obs(EGFR, 70, UNIT, days=101)
    c.obs(EGFR, 51, UNIT, days=0.2)
    f = by_id(run(c))
    assert "lab:akd" not in f and f["trend:egfr-decline"].severity == "high"


def test_aki_criteria_met_means_no_akd_and_no_chronic_flag() -> None:
    c = Chart(age=68)
    c.obs(EGFR, 80, UNIT, days=60)
    c.obs("2160-0", 1.0, "mg/dL", days=4)
    c.obs("2160-0", 1.6, "mg/dL", days=0.5)
    c.obs(EGFR, 45, UNIT, days=0.5)
    f = by_id(run(c))
    assert "lab:aki" in f and not {"lab:akd", "trend:egfr-decline"} & set(f)


def test_kdigo_heat_map_sets_the_interval() -> None:
    c = Chart(age=67)
    c.obs("33914-3", 41, "mL/min/{1.73_m2}", days=20)
    c.obs("14959-1", 118, "mg/g", days=20)
    spec = MonitorSpec("uacr", "UACR", ("14959-1",), "1-4 times a year", 6, kdigo_risk=True)
    got = kdigo_interval(ChartView(c.build()), spec)
    assert got.months == 4 and got.interval == "3 times a year (KDIGO very high risk, G3b A2)"
    plain = MonitorSpec("hb", "Hb", ("718-7",), "yearly", 12)
    assert kdigo_interval(ChartView(c.build()), plain) is plain


def test_progression_advice_fits_the_chart_not_a_fixed_sentence() -> None:
    """Reader 17b (Cornelius): the flag said "use an ACE inhibitor or ARB at the maximum tolerated
    dose with albuminuria" beside a plan holding lisinopril for potassium 6.1, with no urine
    albumin on record, and listed NSAIDs/obstruction but not the heart failure and the newly
    added spironolactone the chart shows."""
    from test_chart_builder import HF

    c = Chart(age=72)
    c.cond(*HF)
    c.med("lisinopril 20 MG Oral Tablet", days=900)
    c.med("spironolactone 25 MG Oral Tablet", days=120)
    for days, egfr in ((180, 58), (90, 47), (3, 36)):
        c.obs(EGFR, egfr, UNIT, days=days)
    c.obs("2823-3", 6.1, "mmol/L", days=3)
    text = by_id(run(c))["trend:egfr-decline"].explanation
    assert "maximum tolerated dose" not in text
    assert "worsening heart failure" in text and "spironolactone" in text
    assert "potassium 6.1" in text and "urine albumin" in text.lower()
    # With albuminuria on record and a normal potassium, the dose advice stands.
    plain = by_id(run(progressing()))["trend:egfr-decline"].explanation
    assert "maximum tolerated dose" in plain and "heart failure" not in plain


def test_progression_advice_continues_an_sglt2_inhibitor_already_taken() -> None:
    """Reader 17c (Arthur on empagliflozin): "An SGLT2 inhibitor protects the kidneys" read as advice
    to start one."""
    c = progressing()
    c.med("empagliflozin 10 MG Oral Tablet", days=400)
    text = by_id(run(c))["trend:egfr-decline"].explanation
    assert "Continue empagliflozin" in text and "at eGFR 20 or more" not in text
