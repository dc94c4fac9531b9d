"""Batch B calculators: Charlson comorbidity index and Glasgow-Blatchford score."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.errors import BadInputError


def run(calc_id: str, **inputs: Any):
    return get(calc_id).compute(inputs)


# --- Charlson (J Chronic Dis 1987 weights; J Clin Epidemiol 1994 age points) -----------------

@pytest.mark.parametrize("condition, weight", [
    ("myocardial_infarction", 1), ("chf", 1), ("peripheral_vascular_disease", 1),
    ("cerebrovascular_disease", 1), ("dementia", 1), ("chronic_pulmonary_disease", 1),
    ("connective_tissue_disease", 1), ("peptic_ulcer_disease", 1), ("hemiplegia", 2),
    ("renal_disease", 2), ("leukemia", 2), ("lymphoma", 2), ("aids", 6),
])
def test_charlson_condition_weights(condition: str, weight: int) -> None:
    r = run("charlson", **{condition: True})
    assert r.value == weight and r.points[condition] == weight
    assert r.details["age_adjusted"] is False


@pytest.mark.parametrize("condition, grade, weight", [
    ("diabetes", "none", 0), ("diabetes", "uncomplicated", 1), ("diabetes", "end_organ_damage", 2),
    ("liver_disease", "mild", 1), ("liver_disease", "moderate_severe", 3),
    ("solid_tumor", "localized", 2), ("solid_tumor", "metastatic", 6),
])
def test_charlson_graded_conditions_score_the_worse_grade_once(condition: str, grade: str,
                                                               weight: int) -> None:
    r = run("charlson", **{condition: grade})
    assert r.value == weight and r.points[condition] == weight


@pytest.mark.parametrize("age, pts", [(39, 0), (49, 0), (49.9, 0), (50, 1), (59, 1), (60, 2),
                                      (69, 2), (70, 3), (79, 3), (80, 4), (89, 4), (90, 5)])
def test_charlson_1994_age_points(age: float, pts: int) -> None:
    # one point per decade over 40; uncapped as in Charlson 1994 (MDCalc caps at 4 for >=80)
    r = run("charlson", age=age)
    assert r.points["age"] == pts and r.value == pts
    assert r.details["age_adjusted"] is True and r.details["comorbidity_index"] == 0


@pytest.mark.parametrize("score, survival", [
    # 0.983 ** exp(0.9 * score), in percent
    (0, 98.3), (1, 95.9), (2, 90.1), (3, 77.5), (4, 53.4), (5, 21.4), (6, 2.2),
])
def test_charlson_ten_year_survival(score: int, survival: float) -> None:
    r = run("charlson", aids=score == 6, hemiplegia=score in (2, 3, 4, 5),
            dementia=score in (1, 3, 5), renal_disease=score in (4, 5))
    assert r.value == score
    assert r.details["ten_year_survival_percent"] == pytest.approx(survival, abs=1e-9)


@pytest.mark.parametrize("flags, group, mortality", [
    ({}, "0", 12), ({"chf": True}, "1-2", 26), ({"hemiplegia": True}, "1-2", 26),
    ({"liver_disease": "moderate_severe"}, "3-4", 52), ({"renal_disease": True, "leukemia": True}, "3-4", 52),
    ({"aids": True}, ">=5", 85),
])
def test_charlson_1987_one_year_mortality_groups(flags: dict, group: str, mortality: int) -> None:
    # Charlson 1987 derivation cohort: 1-year mortality 12%, 26%, 52%, 85%
    r = run("charlson", **flags)
    assert r.details["one_year_mortality_percent"] == mortality
    assert f"comorbidity index group {group}:" in r.interpretation


def test_charlson_age_adjusted_example() -> None:
    # 72-year-old with CHF (1) and diabetes with end-organ damage (2): index 3, age 3, total 6;
    # 10-year survival 0.983^(e^5.4) = 2.2%
    r = run("charlson", age=72, chf=True, diabetes="end_organ_damage")
    assert r.value == 6
    assert r.details["comorbidity_index"] == 3
    assert r.details["ten_year_survival_percent"] == pytest.approx(2.2)
    assert r.interpretation.startswith("age-adjusted Charlson score 6; estimated 10-year survival 2%")
    # the 1-year mortality group stays with the comorbidity index, not the age points
    assert r.details["one_year_mortality_percent"] == 52


def test_charlson_input_errors() -> None:
    with pytest.raises(BadInputError, match="diabetes"):
        run("charlson", diabetes="type 2")
    with pytest.raises(BadInputError, match="age"):
        run("charlson", age=-1)
    with pytest.raises(BadInputError, match="unknown input"):
        run("charlson", diabetes_complicated=True)


# --- Glasgow-Blatchford (Blatchford, Lancet 2000, Table 2) -----------------------------------

GBS_NORMAL = {"urea": 5.0, "hemoglobin": 14.0, "sex": "male", "sbp": 125, "pulse": 80}


def gbs(**change: Any):
    return run("glasgow_blatchford", **{**GBS_NORMAL, **change})


def test_gbs_normal_is_zero() -> None:
    r = gbs()
    assert r.value == 0 and r.interpretation.startswith("low risk")


@pytest.mark.parametrize("urea, pts", [(6.4, 0), (6.5, 2), (7.9, 2), (8.0, 3), (9.9, 3), (10, 4),
                                       (24.9, 4), (25, 6), ("18.2 mg/dL", 2), ("22.4 mg/dL", 3),
                                       ("28 mg/dL", 4), ("70.1 mg/dL", 6), ("18.0 mg/dL", 0)])
def test_gbs_urea(urea: Any, pts: int) -> None:
    # BUN mg/dL converts to urea mmol/L at 2.801 (18.2 -> 6.5, 22.4 -> 8.0, 28 -> 10.0, 70 -> 25.0)
    assert gbs(urea=urea).points["urea"] == pts


@pytest.mark.parametrize("sex, hb, pts", [
    ("male", 13.0, 0), ("male", 12.9, 1), ("male", 12.0, 1), ("male", 11.9, 3), ("male", 10.0, 3),
    ("male", 9.9, 6), ("female", 12.0, 0), ("female", 11.9, 1), ("female", 10.0, 1),
    ("female", 9.9, 6), ("male", "120 g/L", 1), ("female", "99 g/L", 6),
    ("male", "7.45 mmol/L", 1),
])
def test_gbs_hemoglobin_by_sex(sex: str, hb: Any, pts: int) -> None:
    assert gbs(sex=sex, hemoglobin=hb).points["hemoglobin"] == pts


@pytest.mark.parametrize("sbp, pts", [(110, 0), (109, 1), (100, 1), (99, 2), (90, 2), (89, 3)])
def test_gbs_systolic_bp(sbp: int, pts: int) -> None:
    assert gbs(sbp=sbp).points["sbp"] == pts


@pytest.mark.parametrize("change, item, pts", [
    ({"pulse": 99}, "pulse", 0), ({"pulse": 100}, "pulse", 1), ({"melena": True}, "melena", 1),
    ({"syncope": True}, "syncope", 2), ({"hepatic_disease": True}, "hepatic_disease", 2),
    ({"cardiac_failure": True}, "cardiac_failure", 2),
])
def test_gbs_other_markers(change: dict, item: str, pts: int) -> None:
    r = gbs(**change)
    assert r.points[item] == pts and r.value == pts


def test_gbs_maximum_and_band() -> None:
    r = gbs(urea=30, hemoglobin=8, sbp=80, pulse=120, melena=True, syncope=True,
            hepatic_disease=True, cardiac_failure=True)
    assert r.value == 23
    assert r.interpretation.startswith("at risk of needing intervention")
    assert gbs(melena=True).interpretation.startswith("at risk")


def test_gbs_input_errors() -> None:
    with pytest.raises(BadInputError, match="missing required input.*sex"):
        run("glasgow_blatchford", urea=5, hemoglobin=14, sbp=120, pulse=80)
    with pytest.raises(BadInputError, match="hemoglobin"):
        gbs(hemoglobin=140)  # g/L typed without its unit
    with pytest.raises(BadInputError, match="urea"):
        gbs(urea="5 mg")
