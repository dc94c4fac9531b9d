"""Batch B calculators: Revised Cardiac Risk Index and Caprini 2005."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.errors import BadInputError


def run(calc_id: str, **inputs: Any):
    return get(calc_id).compute(inputs)


# --- RCRI (Lee, Circulation 1999) ----------------------------------------------------------------

@pytest.mark.parametrize("criterion", [
    "high_risk_surgery", "ischemic_heart_disease", "heart_failure", "cerebrovascular_disease",
    "insulin_diabetes",
])
def test_rcri_each_criterion(criterion: str) -> None:
    r = run("rcri", creatinine=1.0, **{criterion: True})
    assert r.value == 1 and r.points[criterion] == 1
    assert r.points["creatinine"] == 0


@pytest.mark.parametrize("creatinine, pts", [
    (2.0, 0), (2.01, 1), ("177 umol/L", 1), ("170 umol/L", 0), ("2.5 mg/dL", 1),
])
def test_rcri_creatinine_over_2(creatinine: Any, pts: int) -> None:
    # Lee 1999: creatinine >2.0 mg/dL (177 umol/L)
    assert run("rcri", creatinine=creatinine).points["creatinine"] == pts


def test_rcri_classes_with_validation_cohort_rates() -> None:
    # Lee 1999 validation cohort: class I 0.4%, II 0.9%, III 6.6%, IV 11%
    flags = ["high_risk_surgery", "ischemic_heart_disease", "heart_failure",
             "cerebrovascular_disease", "insulin_diabetes"]
    expected = [("I", 0.4), ("II", 0.9), ("III", 6.6), ("IV", 11.0), ("IV", 11.0), ("IV", 11.0),
                ("IV", 11.0)]
    for n, (klass, rate) in enumerate(expected):
        # n = 6 is all five history items plus creatinine >2
        r = run("rcri", creatinine=3.0 if n == 6 else 1.0, **{f: True for f in flags[:min(n, 5)]})
        assert r.value == n
        assert r.details["risk_class"] == klass
        assert r.details["complication_rate_percent"] == pytest.approx(rate)
        assert r.interpretation.startswith(f"class {klass}:")


def test_rcri_creatinine_required_and_range_checked() -> None:
    with pytest.raises(BadInputError, match="creatinine"):
        run("rcri", high_risk_surgery=True)
    with pytest.raises(BadInputError, match="creatinine"):
        run("rcri", creatinine=120)  # umol/L typed without its unit
    with pytest.raises(BadInputError, match="creatinine"):
        run("rcri", creatinine="1.2 g/L")


# --- Caprini 2005 (Caprini, Dis Mon 2005 risk factor form) --------------------------------------

# Every factor on the 2005 form with its points, written out independently of the module.
CAPRINI = {
    "minor_surgery": 1, "recent_major_surgery": 1, "varicose_veins": 1,
    "inflammatory_bowel_disease": 1, "swollen_legs": 1, "obesity": 1, "acute_mi": 1, "chf": 1,
    "sepsis": 1, "serious_lung_disease": 1, "copd": 1, "bed_rest": 1, "other_risk_factor": 1,
    "hormones": 1, "pregnancy_postpartum": 1, "obstetric_history": 1,
    "arthroscopic_surgery": 2, "malignancy": 2, "major_surgery": 2, "laparoscopic_surgery": 2,
    "confined_to_bed": 2, "plaster_cast": 2, "central_venous_access": 2,
    "history_vte": 3, "family_history_thrombosis": 3, "factor_v_leiden": 3,
    "prothrombin_20210a": 3, "elevated_homocysteine": 3, "lupus_anticoagulant": 3,
    "anticardiolipin_antibodies": 3, "hit": 3, "other_thrombophilia": 3,
    "arthroplasty": 5, "hip_pelvis_leg_fracture": 5, "stroke": 5, "multiple_trauma": 5,
    "spinal_cord_injury": 5,
}


def test_caprini_form_is_complete() -> None:
    names = {i.name for i in get("caprini").inputs} - {"age", "sex"}
    assert names == set(CAPRINI)


@pytest.mark.parametrize("factor, pts", sorted(CAPRINI.items()))
def test_caprini_each_factor(factor: str, pts: int) -> None:
    r = run("caprini", age=30, sex="female", **{factor: True})
    assert r.value == pts
    assert r.points[factor] == pts
    assert sum(r.points.values()) == pts


@pytest.mark.parametrize("age, pts", [(40, 0), (40.9, 0), (41, 1), (60, 1), (60.9, 1), (61, 2),
                                      (74, 2), (75, 3), (99, 3)])
def test_caprini_age_bands(age: float, pts: int) -> None:
    assert run("caprini", age=age).points["age"] == pts


@pytest.mark.parametrize("flags, score, level, dvt", [
    ({}, 0, "low", "<10%"),
    ({"varicose_veins": True}, 1, "low", "<10%"),
    ({"major_surgery": True}, 2, "moderate", "10-20%"),
    ({"major_surgery": True, "obesity": True}, 3, "high", "20-40%"),
    ({"major_surgery": True, "malignancy": True}, 4, "high", "20-40%"),
    ({"stroke": True}, 5, "highest", "40-80%"),
])
def test_caprini_risk_levels(flags: dict, score: int, level: str, dvt: str) -> None:
    r = run("caprini", age=35, **flags)
    assert r.value == score
    assert r.details["risk_level"] == level
    assert r.details["dvt_incidence"] == dvt
    assert r.interpretation == f"{level} risk (DVT incidence {dvt})"


def test_caprini_worked_example() -> None:
    # 65-year-old (2) having major surgery >45 min (2) with BMI >25 (1), varicose veins (1) and a
    # previous DVT (3): 9 points, highest risk on the 2005 form.
    r = run("caprini", age=65, sex="male", major_surgery=True, obesity=True, varicose_veins=True,
            history_vte=True)
    assert r.value == 9
    assert r.details["risk_level"] == "highest"


def test_caprini_women_only_factors_refused_for_men() -> None:
    with pytest.raises(BadInputError, match="pregnancy_postpartum"):
        run("caprini", age=30, sex="male", pregnancy_postpartum=True)
    # without sex the factor is taken as stated
    assert run("caprini", age=30, hormones=True).value == 1


def test_caprini_requires_age() -> None:
    with pytest.raises(BadInputError, match="missing required input.*age"):
        run("caprini", major_surgery=True)
