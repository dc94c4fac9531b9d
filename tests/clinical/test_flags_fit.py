"""Issue 14 flags that must fit the chart: simvastatin limits on the total dose, a recent dose despite anaphylaxis, one sepsis flag.

Charts are dated relative to today (the builder's clock is moved to now) and evaluated now.
"""

from __future__ import annotations

import pytest
import test_chart_builder as builder
from test_chart_builder import AMOXICILLIN, SIMVASTATIN, Chart

from assistant.clinical.flags import RiskReport, evaluate
from assistant.clinical.rules.base import Flag
from assistant.records.domain import Medication

AMLODIPINE = ("Amlodipine 5 MG Oral Tablet", "197361")


# The builder's clock at now for every test here (the `today` fixture of tests/clinical/conftest.py).
pytestmark = pytest.mark.usefixtures("today")


def run(c: Chart) -> RiskReport:
    return evaluate(c.build())


def by_id(report: RiskReport) -> dict[str, Flag]:
    return {f.id: f for f in report.flags}


def test_two_simvastatin_products_are_summed_against_the_amlodipine_limit() -> None:
    c = Chart(age=75)
    c.med(*SIMVASTATIN, days=8000)
    c.med("Simvistatin 10 MG", days=900)
    c.med(*AMLODIPINE, days=8000)
    report = run(c)
    simva = [f for f in report.flags if "simvastatin" in f.id]
    assert len(simva) == 1  # the duplicate and the interaction are one dosing problem
    (flag,) = simva
    assert flag.severity == "moderate"
    assert "30 mg a day" in flag.explanation and "within the" not in flag.explanation
    assert not any("within the simvastatin limit" in f.title for f in report.flags)


def test_single_simvastatin_20_with_amlodipine_stays_within_the_limit() -> None:
    c = Chart(age=75)
    c.med(*SIMVASTATIN, days=800)
    c.med(*AMLODIPINE, days=800)
    assert by_id(run(c))["ddi:simvastatin+amlodipine"].severity == "info"


def _ended(c: Chart, name: str, rxcui: str, start_days: float, end_days: float) -> None:
    c.entries.append(Medication(id=c._id(), patient_id=c.patient.id, code=builder.Coding(builder.RXNORM, rxcui, name),
                                name=name, status="active", intent="order", start=builder.ago(start_days),
                                end=builder.ago(end_days)))


def test_a_recent_course_despite_anaphylaxis_is_a_high_flag_after_it_ended() -> None:
    c = Chart(age=34, sex="female")
    c.allergy("Penicillin", reaction="Anaphylaxis", criticality="high")
    _ended(c, *AMOXICILLIN, start_days=16, end_days=6)
    flags = by_id(run(c))
    (flag,) = [f for f in flags.values() if f.id.startswith("allergy-exposure:")]
    assert flag.severity == "high" and "Given despite recorded allergy" in flag.title
    assert not [f for f in flags if f.startswith("allergy:")]  # no longer an active conflict
    old = Chart(age=34, sex="female")
    old.allergy("Penicillin", reaction="Anaphylaxis", criticality="high")
    _ended(old, *AMOXICILLIN, start_days=200, end_days=190)
    assert not [f for f in by_id(run(old)) if f.startswith("allergy-exposure:")]
    mild = Chart(age=34, sex="female")
    mild.allergy("Penicillin", reaction="Rash")
    _ended(mild, *AMOXICILLIN, start_days=16, end_days=6)
    assert not [f for f in by_id(run(mild)) if f.startswith("allergy-exposure:")]


def test_news2_qsofa_and_white_cells_are_one_deterioration_flag() -> None:
    c = Chart(age=75, sex="female")
    c.vitals(rr=26, spo2=88, sbp=98, hr=112, temp=38.4, days=0.2)
    c.obs("6690-2", 15.8, "10*3/uL", days=0.2, low=4, high=11)
    report = run(c)
    ids = {f.id for f in report.flags}
    grouped = [f for f in report.flags if f.id in ("score:news2", "score:qsofa", "lab:wbc:high")]
    assert len(grouped) == 1, ids
    evidence = " ".join(grouped[0].points)
    assert "NEWS2" in evidence or "NEWS2" in grouped[0].title
    assert "Leukocytes" in evidence or "Leukocytes" in grouped[0].title


def test_high_inr_and_low_haemoglobin_on_warfarin_are_one_bleeding_flag() -> None:
    from test_chart_builder import WARFARIN

    c = Chart(age=78, sex="female")
    c.med(*WARFARIN, days=2000)
    c.obs("6301-6", 3.8, "{INR}", days=20, low=2, high=3)
    c.obs("718-7", 11.2, "g/dL", days=20, low=12, high=15.5)
    report = run(c)
    inr = [f for f in report.flags if f.id.startswith(("lab:inr", "lab:hemoglobin"))]
    assert len(inr) == 1 and inr[0].id.startswith("lab:inr") and inr[0].severity == "high"
    assert any("Haemoglobin low" in p for p in inr[0].points)


def test_anticoagulant_for_af_at_cha2ds2_vasc_0_without_another_indication_is_flagged() -> None:
    from test_chart_builder import AF, WARFARIN

    c = Chart(age=62, sex="male")
    c.cond(*AF, days=2000)
    c.med(*WARFARIN, days=2000)
    c.obs("6301-6", 2.4, "{INR}", days=20, low=2, high=3)
    (flag,) = [f for f in run(c).flags if f.id == "score:cha2ds2_vasc:no_indication"]
    assert flag.severity == "moderate" and flag.title.endswith("CHA2DS2-VASc 0")
    assert "Anticoagulant without a recorded indication" in flag.title
    woman = Chart(age=62, sex="female")  # 1 from sex alone: CHA2DS2-VA 0
    woman.cond(*AF, days=2000)
    woman.med(*WARFARIN, days=2000)
    assert "score:cha2ds2_vasc:no_indication" in by_id(run(woman))
    vte = Chart(age=62, sex="male")  # another indication on record: no flag
    vte.cond(*AF, days=2000)
    vte.cond("128053003", "Deep venous thrombosis", days=100)
    vte.med(*WARFARIN, days=2000)
    assert "score:cha2ds2_vasc:no_indication" not in by_id(run(vte))
    older = Chart(age=70, sex="male")  # age 65-74 scores 1: "consider", not "no indication"
    older.cond(*AF, days=2000)
    older.med(*WARFARIN, days=2000)
    assert "score:cha2ds2_vasc:no_indication" not in by_id(run(older))


def test_warfarin_without_an_inr_is_a_high_flag() -> None:
    from test_chart_builder import WARFARIN

    never = Chart(age=80)
    never.med(*WARFARIN, days=2000)
    flag = by_id(run(never))["monitoring:warfarin:inr"]
    assert flag.severity == "high" and flag.title == "Warfarin with no INR on record"
    old = Chart(age=80)
    old.med(*WARFARIN, days=2000)
    old.obs("6301-6", 2.4, "{INR}", days=200, low=2, high=3)
    assert "in the last 84 days" in by_id(run(old))["monitoring:warfarin:inr"].title
    recent = Chart(age=80)
    recent.med(*WARFARIN, days=2000)
    recent.obs("6301-6", 2.4, "{INR}", days=20, low=2, high=3)
    assert "monitoring:warfarin:inr" not in by_id(run(recent))
