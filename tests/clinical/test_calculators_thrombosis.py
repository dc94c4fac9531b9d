"""Batch B calculators: CHA2DS2-VASc, HAS-BLED, Wells PE, Wells DVT, PERC."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.errors import BadInputError


def run(calc_id: str, **inputs: Any):
    return get(calc_id).compute(inputs)


# --- CHA2DS2-VASc (Lip, Chest 2010, Table 1 point values) -------------------------------------

@pytest.mark.parametrize("criterion, pts", [
    ("chf", 1), ("hypertension", 1), ("diabetes", 1), ("stroke_tia_thromboembolism", 2),
    ("vascular_disease", 1),
])
def test_cha2ds2_vasc_each_criterion(criterion: str, pts: int) -> None:
    r = run("cha2ds2_vasc", age=50, sex="male", **{criterion: True})
    assert r.value == pts
    assert r.points[criterion] == pts
    assert sum(r.points.values()) == pts


@pytest.mark.parametrize("age, pts", [(64, 0), (64.9, 0), (65, 1), (74, 1), (74.9, 1), (75, 2), (95, 2)])
def test_cha2ds2_vasc_age_bands(age: float, pts: int) -> None:
    assert run("cha2ds2_vasc", age=age, sex="male").points["age"] == pts


def test_cha2ds2_vasc_sex_category_and_bands() -> None:
    r0 = run("cha2ds2_vasc", age=50, sex="male")
    assert (r0.value, r0.interpretation) == (0, "low risk")
    r1 = run("cha2ds2_vasc", age=50, sex="female")
    assert (r1.value, r1.interpretation) == (1, "intermediate risk")
    assert r1.points["sex_female"] == 1 and r1.details["female_sex_only"] is True
    r2 = run("cha2ds2_vasc", age=66, sex="female")
    assert (r2.value, r2.interpretation) == (2, "high risk")
    assert r2.details["female_sex_only"] is False


def test_cha2ds2_vasc_maximum_is_9() -> None:
    r = run("cha2ds2_vasc", age=80, sex="female", chf=True, hypertension=True, diabetes=True,
            stroke_tia_thromboembolism=True, vascular_disease=True)
    assert r.value == 9
    assert r.interpretation == "high risk"


def test_cha2ds2_vasc_input_errors() -> None:
    with pytest.raises(BadInputError, match="age"):
        run("cha2ds2_vasc", sex="male")
    with pytest.raises(BadInputError, match="sex"):
        run("cha2ds2_vasc", age=70, sex="other")
    with pytest.raises(BadInputError, match="age"):
        run("cha2ds2_vasc", age=130, sex="male")
    with pytest.raises(BadInputError, match="chf"):
        run("cha2ds2_vasc", age=70, sex="male", chf="maybe")


# --- HAS-BLED (Pisters, Chest 2010) --------------------------------------------------------------

@pytest.mark.parametrize("criterion", [
    "hypertension", "abnormal_renal_function", "abnormal_liver_function", "stroke", "bleeding",
    "labile_inr", "drugs", "alcohol",
])
def test_has_bled_each_criterion_one_point(criterion: str) -> None:
    r = run("has_bled", age=60, **{criterion: True})
    assert r.value == 1 and r.points[criterion] == 1


@pytest.mark.parametrize("age, pts", [(65, 0), (65.5, 1), (66, 1), (90, 1)])
def test_has_bled_elderly_is_over_65(age: float, pts: int) -> None:
    assert run("has_bled", age=age).points["elderly"] == pts


def test_has_bled_bands_and_published_bleeding_rates() -> None:
    # Pisters 2010 Table 4: bleeds per 100 patient-years 1.13, 1.02, 1.88, 3.74, 8.70, 12.50
    cases = [
        ({}, 0, "low risk", 1.13),
        ({"stroke": True}, 1, "moderate risk", 1.02),
        ({"stroke": True, "drugs": True}, 2, "moderate risk", 1.88),
        ({"stroke": True, "drugs": True, "alcohol": True}, 3, "high risk", 3.74),
        ({"stroke": True, "drugs": True, "alcohol": True, "bleeding": True}, 4, "high risk", 8.70),
        ({"stroke": True, "drugs": True, "alcohol": True, "bleeding": True, "labile_inr": True},
         5, "high risk", 12.50),
    ]
    for flags, score, band, rate in cases:
        r = run("has_bled", age=60, **flags)
        assert (r.value, r.interpretation) == (score, band)
        assert r.details["bleeds_per_100_patient_years"] == pytest.approx(rate, abs=1e-9)


def test_has_bled_maximum_and_no_rate_beyond_5() -> None:
    r = run("has_bled", age=80, hypertension=True, abnormal_renal_function=True,
            abnormal_liver_function=True, stroke=True, bleeding=True, labile_inr=True, drugs=True,
            alcohol=True)
    assert r.value == 9
    assert r.details["bleeds_per_100_patient_years"] is None


def test_has_bled_requires_age() -> None:
    with pytest.raises(BadInputError, match="missing required input.*age"):
        run("has_bled", stroke=True)


# --- Wells PE (Wells, Thromb Haemost 2000) -------------------------------------------------------

@pytest.mark.parametrize("criterion, pts", [
    ("dvt_signs", 3.0), ("pe_most_likely", 3.0), ("immobilization_or_surgery", 1.5),
    ("previous_vte", 1.5), ("hemoptysis", 1.0), ("malignancy", 1.0),
])
def test_wells_pe_each_criterion(criterion: str, pts: float) -> None:
    r = run("wells_pe", heart_rate=80, **{criterion: True})
    assert r.value == pytest.approx(pts)
    assert r.points[criterion] == pytest.approx(pts)


@pytest.mark.parametrize("hr, pts", [(100, 0.0), (100.5, 1.5), (101, 1.5), (140, 1.5)])
def test_wells_pe_heart_rate_over_100(hr: float, pts: float) -> None:
    assert run("wells_pe", heart_rate=hr).points["heart_rate"] == pytest.approx(pts)


@pytest.mark.parametrize("flags, hr, score, three, two", [
    ({}, 101, 1.5, "low probability", "PE unlikely"),
    ({"hemoptysis": True, "malignancy": True}, 80, 2.0, "moderate probability", "PE unlikely"),
    ({"pe_most_likely": True, "hemoptysis": True}, 80, 4.0, "moderate probability", "PE unlikely"),
    ({"pe_most_likely": True}, 101, 4.5, "moderate probability", "PE likely"),
    ({"dvt_signs": True, "pe_most_likely": True}, 80, 6.0, "moderate probability", "PE likely"),
    ({"dvt_signs": True, "hemoptysis": True, "malignancy": True}, 101, 6.5, "high probability",
     "PE likely"),
])
def test_wells_pe_three_and_two_tier_boundaries(flags: dict, hr: float, score: float, three: str,
                                                two: str) -> None:
    r = run("wells_pe", heart_rate=hr, **flags)
    assert r.value == pytest.approx(score)
    assert r.details["three_tier"] == three
    assert r.details["two_tier"] == two
    assert r.interpretation == f"{three}; {two}"


def test_wells_pe_maximum_and_required_heart_rate() -> None:
    r = run("wells_pe", heart_rate=120, dvt_signs=True, pe_most_likely=True,
            immobilization_or_surgery=True, previous_vte=True, hemoptysis=True, malignancy=True)
    assert r.value == pytest.approx(12.5)
    with pytest.raises(BadInputError, match="heart_rate"):
        run("wells_pe", dvt_signs=True)
    with pytest.raises(BadInputError, match="heart_rate"):
        run("wells_pe", heart_rate=500)


# --- Wells DVT (Wells, NEJM 2003) ----------------------------------------------------------------

_DVT_ITEMS = ["active_cancer", "paralysis_or_cast", "bedridden_or_surgery", "deep_vein_tenderness",
              "entire_leg_swollen", "calf_swelling", "pitting_edema", "collateral_veins",
              "previous_dvt"]


@pytest.mark.parametrize("criterion", _DVT_ITEMS)
def test_wells_dvt_each_item_one_point(criterion: str) -> None:
    r = run("wells_dvt", **{criterion: True})
    assert r.value == 1 and r.points[criterion] == 1
    assert r.interpretation == "DVT unlikely"


def test_wells_dvt_alternative_diagnosis_and_threshold() -> None:
    r = run("wells_dvt", alternative_diagnosis=True)
    assert r.value == -2 and r.points["alternative_diagnosis"] == -2
    # Wells 2003: >=2 "likely", <2 "unlikely"
    r2 = run("wells_dvt", active_cancer=True, calf_swelling=True)
    assert (r2.value, r2.interpretation) == (2, "DVT likely")
    r3 = run("wells_dvt", active_cancer=True, calf_swelling=True, pitting_edema=True,
             alternative_diagnosis=True)
    assert (r3.value, r3.interpretation) == (1, "DVT unlikely")
    allin = run("wells_dvt", **{k: True for k in _DVT_ITEMS})
    assert allin.value == 9


def test_wells_dvt_rejects_unknown_input() -> None:
    with pytest.raises(BadInputError, match="unknown input"):
        run("wells_dvt", leg_swelling=True)


# --- PERC (Kline, J Thromb Haemost 2004) ---------------------------------------------------------

def test_perc_negative_when_all_criteria_met() -> None:
    r = run("perc", age=49, heart_rate=99, spo2=95)
    assert r.value == 0
    assert r.interpretation.startswith("PERC negative")
    assert r.details["failed_criteria"] == []


@pytest.mark.parametrize("inputs, criterion", [
    ({"age": 50}, "age"), ({"heart_rate": 100}, "heart_rate"), ({"spo2": 94}, "spo2"),
    ({"unilateral_leg_swelling": True}, "unilateral_leg_swelling"),
    ({"hemoptysis": True}, "hemoptysis"),
    ({"recent_surgery_or_trauma": True}, "recent_surgery_or_trauma"),
    ({"prior_vte": True}, "prior_vte"), ({"hormone_use": True}, "hormone_use"),
])
def test_perc_each_failed_criterion(inputs: dict, criterion: str) -> None:
    base = {"age": 30, "heart_rate": 80, "spo2": 98}
    r = run("perc", **{**base, **inputs})
    assert r.value == 1
    assert r.points[criterion] == 1
    assert r.details["failed_criteria"] == [criterion]
    assert r.interpretation.startswith("PERC positive (1 criteria")


def test_perc_all_failed_and_missing_spo2() -> None:
    r = run("perc", age=70, heart_rate=120, spo2=90, unilateral_leg_swelling=True, hemoptysis=True,
            recent_surgery_or_trauma=True, prior_vte=True, hormone_use=True)
    assert r.value == 8
    with pytest.raises(BadInputError, match="spo2"):
        run("perc", age=30, heart_rate=80)
    with pytest.raises(BadInputError, match="spo2"):
        run("perc", age=30, heart_rate=80, spo2=101)
