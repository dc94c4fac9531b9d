"""Batch B calculators: SOFA (Vincent 1996) and APACHE II (Knaus 1985)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.errors import BadInputError


def run(calc_id: str, **inputs: Any):
    return get(calc_id).compute(inputs)


# --- SOFA: Vincent 1996, Table 1 ----------------------------------------------------------------

@pytest.mark.parametrize("pao2, fio2, support, pts", [
    (400, 1.0, False, 0), (399, 1.0, False, 1), (300, 1.0, False, 1), (299, 1.0, False, 2),
    (199, 1.0, False, 2), (99, 1.0, False, 2),  # 3-4 need respiratory support
    (199, 1.0, True, 3), (100, 1.0, True, 3), (99, 1.0, True, 4), (60, 0.8, True, 4),
    (90, 0.21, False, 0),  # PaO2 90 on room air: P/F 428.6
    (80, 0.21, False, 1),  # P/F 381
])
def test_sofa_respiration(pao2: float, fio2: float, support: bool, pts: int) -> None:
    r = run("sofa", pao2=pao2, fio2=fio2, respiratory_support=support)
    assert r.points["respiration"] == pts


@pytest.mark.parametrize("plt, pts", [(150, 0), (149, 1), (100, 1), (99, 2), (50, 2), (49, 3),
                                      (20, 3), (19, 4), (0, 4)])
def test_sofa_coagulation(plt: float, pts: int) -> None:
    assert run("sofa", platelets=plt).points["coagulation"] == pts


@pytest.mark.parametrize("bili, pts", [(1.1, 0), (1.2, 1), (1.9, 1), (2.0, 2), (5.9, 2), (6.0, 3),
                                       (11.9, 3), (12.0, 4), ("19 umol/L", 0), ("30 umol/L", 1),
                                       ("34.2 umol/L", 2), ("110 umol/L", 3), ("210 umol/L", 4)])
def test_sofa_liver(bili: Any, pts: int) -> None:
    assert run("sofa", bilirubin=bili).points["liver"] == pts


@pytest.mark.parametrize("inputs, pts", [
    ({"map": 70}, 0), ({"map": 69}, 1),
    ({"map": 60, "dopamine": 5}, 2), ({"dobutamine": 2.5}, 2),
    ({"dopamine": 5.1}, 3), ({"norepinephrine": 0.1}, 3), ({"epinephrine": 0.05}, 3),
    ({"dopamine": 15}, 3), ({"dopamine": 15.1}, 4), ({"norepinephrine": 0.11}, 4),
    ({"epinephrine": 0.2, "map": 80}, 4), ({"map": 75, "dopamine": 0}, 0),
])
def test_sofa_cardiovascular(inputs: dict, pts: int) -> None:
    assert run("sofa", **inputs).points["cardiovascular"] == pts


@pytest.mark.parametrize("gcs, pts", [(15, 0), (14, 1), (13, 1), (12, 2), (10, 2), (9, 3), (6, 3),
                                      (5, 4), (3, 4)])
def test_sofa_cns(gcs: int, pts: int) -> None:
    assert run("sofa", gcs=gcs).points["cns"] == pts


@pytest.mark.parametrize("inputs, pts", [
    ({"creatinine": 1.1}, 0), ({"creatinine": 1.2}, 1), ({"creatinine": 1.9}, 1),
    ({"creatinine": 2.0}, 2), ({"creatinine": 3.4}, 2), ({"creatinine": 3.5}, 3),
    ({"creatinine": 4.9}, 3), ({"creatinine": 5.0}, 4), ({"creatinine": "442 umol/L"}, 4),
    ({"urine_output": 500}, 0), ({"urine_output": 499}, 3), ({"urine_output": 200}, 3),
    ({"urine_output": 199}, 4),
    ({"creatinine": 1.0, "urine_output": 300}, 3),  # the worse of the two counts
    ({"creatinine": 5.5, "urine_output": 1500}, 4),
])
def test_sofa_renal(inputs: dict, pts: int) -> None:
    assert run("sofa", **inputs).points["renal"] == pts


def test_sofa_complete_example() -> None:
    # P/F 80/0.5 = 160 ventilated (3), platelets 90 (2), bilirubin 40 umol/L = 2.3 mg/dL (2),
    # MAP 65 without vasopressors (1), GCS 13 (1), creatinine 2.1 mg/dL (2): 11
    r = run("sofa", pao2=80, fio2=0.5, respiratory_support=True, platelets=90,
            bilirubin="40 umol/L", map=65, gcs=13, creatinine=2.1)
    assert dict(r.points) == {"respiration": 3, "coagulation": 2, "liver": 2,
                              "cardiovascular": 1, "cns": 1, "renal": 2}
    assert r.value == 11
    assert r.details["complete"] is True and r.details["systems_missing"] == []
    assert r.interpretation == "SOFA 11 (6/6 organ systems scored)"


def test_sofa_reports_missing_systems() -> None:
    r = run("sofa", platelets=40, gcs=8)
    assert r.value == 6
    assert r.details["systems_scored"] == ["coagulation", "cns"]
    assert r.details["systems_missing"] == ["respiration", "liver", "cardiovascular", "renal"]
    assert r.details["complete"] is False
    assert "not scored: respiration, liver, cardiovascular, renal" in r.interpretation
    # vasopressor explicitly 0 without a MAP cannot judge hypotension
    r2 = run("sofa", platelets=200, dopamine=0)
    assert "cardiovascular" in r2.details["systems_missing"]


def test_sofa_input_errors() -> None:
    with pytest.raises(BadInputError, match="fio2"):
        run("sofa", pao2=80)
    with pytest.raises(BadInputError, match="pao2"):
        run("sofa", fio2=0.4)
    with pytest.raises(BadInputError, match="fio2"):
        run("sofa", pao2=80, fio2=40)  # percent instead of a fraction
    with pytest.raises(BadInputError, match="no organ system"):
        run("sofa")
    with pytest.raises(BadInputError, match="bilirubin"):
        run("sofa", bilirubin="2 mmol/L")


# --- APACHE II: Knaus 1985, Figure 1 ------------------------------------------------------------

BASE = {"temperature": 37.0, "map": 90, "heart_rate": 80, "respiratory_rate": 16, "fio2": 0.21,
        "pao2": 90, "ph": 7.40, "sodium": 140, "potassium": 4.0, "creatinine": 1.0,
        "hematocrit": 40, "wbc": 8, "gcs": 15, "age": 40}


def apache(**change: Any):
    return run("apache_ii", **{**BASE, **change})


def test_apache_ii_normal_patient_scores_zero() -> None:
    r = apache()
    assert r.value == 0 and r.details["acute_physiology_score"] == 0
    assert set(r.points) == {"temperature", "map", "heart_rate", "respiratory_rate", "oxygenation",
                             "ph", "sodium", "potassium", "creatinine", "hematocrit", "wbc", "gcs",
                             "age", "chronic_health"}


APS_CASES = {
    "temperature": [(41, 4), (40.9, 3), (39, 3), (38.9, 1), (38.5, 1), (38.4, 0), (36, 0),
                    (35.9, 1), (34, 1), (33.9, 2), (32, 2), (31.9, 3), (30, 3), (29.9, 4)],
    "map": [(160, 4), (159, 3), (130, 3), (129, 2), (110, 2), (109, 0), (70, 0), (69, 2), (50, 2),
            (49, 4)],
    "heart_rate": [(180, 4), (179, 3), (140, 3), (139, 2), (110, 2), (109, 0), (70, 0), (69, 2),
                   (55, 2), (54, 3), (40, 3), (39, 4)],
    "respiratory_rate": [(50, 4), (49, 3), (35, 3), (34, 1), (25, 1), (24, 0), (12, 0), (11, 1),
                         (10, 1), (9, 2), (6, 2), (5, 4)],
    "ph": [(7.7, 4), (7.69, 3), (7.6, 3), (7.59, 1), (7.5, 1), (7.49, 0), (7.33, 0), (7.32, 2),
           (7.25, 2), (7.24, 3), (7.15, 3), (7.14, 4)],
    "sodium": [(180, 4), (179, 3), (160, 3), (159, 2), (155, 2), (154, 1), (150, 1), (149, 0),
               (130, 0), (129, 2), (120, 2), (119, 3), (111, 3), (110, 4)],
    "potassium": [(7, 4), (6.9, 3), (6, 3), (5.9, 1), (5.5, 1), (5.4, 0), (3.5, 0), (3.4, 1),
                  (3, 1), (2.9, 2), (2.5, 2), (2.4, 4)],
    "creatinine": [(3.5, 4), (3.4, 3), (2, 3), (1.9, 2), (1.5, 2), (1.4, 0), (0.6, 0), (0.5, 2)],
    "hematocrit": [(60, 4), (59.9, 2), (50, 2), (49.9, 1), (46, 1), (45.9, 0), (30, 0), (29.9, 2),
                   (20, 2), (19.9, 4)],
    "wbc": [(40, 4), (39.9, 2), (20, 2), (19.9, 1), (15, 1), (14.9, 0), (3, 0), (2.9, 2), (1, 2),
            (0.9, 4)],
}


@pytest.mark.parametrize("variable, value, pts",
                         [(k, x, p) for k, cases in APS_CASES.items() for x, p in cases])
def test_apache_ii_physiology_bands(variable: str, value: float, pts: int) -> None:
    r = apache(**{variable: value})
    assert r.points[variable] == pts
    assert r.value == pts


@pytest.mark.parametrize("hco3, pts", [(52, 4), (51.9, 3), (41, 3), (40.9, 1), (32, 1), (31.9, 0),
                                       (22, 0), (21.9, 2), (18, 2), (17.9, 3), (15, 3), (14.9, 4)])
def test_apache_ii_bicarbonate_when_no_ph(hco3: float, pts: int) -> None:
    r = apache(ph=None, hco3=hco3)
    assert r.points["hco3"] == pts and "ph" not in r.points


def test_apache_ii_ph_preferred_over_bicarbonate() -> None:
    r = apache(ph=7.40, hco3=10)
    assert r.points["ph"] == 0 and "hco3" not in r.points


@pytest.mark.parametrize("pao2, pts", [(71, 0), (70, 1), (61, 1), (60, 3), (55, 3), (54, 4)])
def test_apache_ii_pao2_when_fio2_below_half(pao2: float, pts: int) -> None:
    r = apache(fio2=0.4, pao2=pao2)
    assert r.points["oxygenation"] == pts
    assert r.details["oxygenation_basis"] == "PaO2"


@pytest.mark.parametrize("aa, pts", [(500, 4), (499, 3), (350, 3), (349, 2), (200, 2), (199, 0)])
def test_apache_ii_aa_gradient_when_fio2_half_or_more(aa: float, pts: int) -> None:
    r = apache(fio2=0.5, aa_gradient=aa, pao2=None)
    assert r.points["oxygenation"] == pts
    assert r.details["oxygenation_basis"] == "A-a gradient"


def test_apache_ii_aa_gradient_calculated_from_blood_gas() -> None:
    # FiO2 1.0: PAO2 = 713 - 40/0.8 = 663; A-a = 663 - 100 = 563 -> 4 points
    r = apache(fio2=1.0, pao2=100, paco2=40)
    assert r.details["aa_gradient"] == pytest.approx(563.0)
    assert r.points["oxygenation"] == 4
    # FiO2 0.6: 427.8 - 35/0.8 - 80 = 304.05 -> 2 points
    r2 = apache(fio2=0.6, pao2=80, paco2=35)
    assert r2.details["aa_gradient"] == pytest.approx(304.1)
    assert r2.points["oxygenation"] == 2


def test_apache_ii_acute_renal_failure_doubles_creatinine() -> None:
    assert apache(creatinine=2.0, acute_renal_failure=True).points["creatinine"] == 6
    assert apache(creatinine=3.6, acute_renal_failure=True).points["creatinine"] == 8
    assert apache(creatinine=0.5, acute_renal_failure=True).points["creatinine"] == 4
    assert apache(creatinine=1.0, acute_renal_failure=True).points["creatinine"] == 0


@pytest.mark.parametrize("gcs, pts", [(15, 0), (14, 1), (8, 7), (3, 12)])
def test_apache_ii_gcs_is_15_minus_gcs(gcs: int, pts: int) -> None:
    assert apache(gcs=gcs).points["gcs"] == pts


@pytest.mark.parametrize("age, pts", [(44, 0), (44.9, 0), (45, 2), (54, 2), (55, 3), (64, 3),
                                      (65, 5), (74, 5), (75, 6), (95, 6)])
def test_apache_ii_age_points(age: float, pts: int) -> None:
    assert apache(age=age).points["age"] == pts


@pytest.mark.parametrize("admission, pts", [("nonoperative", 5), ("emergency_postoperative", 5),
                                            ("elective_postoperative", 2)])
@pytest.mark.parametrize("condition", ["chronic_liver", "chronic_cardiovascular",
                                       "chronic_respiratory", "chronic_renal", "immunocompromised"])
def test_apache_ii_chronic_health_by_admission_type(condition: str, admission: str, pts: int) -> None:
    r = apache(**{condition: True}, admission_type=admission)
    assert r.points["chronic_health"] == pts
    assert r.details["chronic_conditions"] == [condition]


def test_apache_ii_chronic_health_counts_once() -> None:
    r = apache(chronic_liver=True, chronic_renal=True, admission_type="nonoperative")
    assert r.points["chronic_health"] == 5
    assert apache(admission_type="nonoperative").points["chronic_health"] == 0


def test_apache_ii_worked_example() -> None:
    # 67-year-old with cirrhosis, nonoperative: T 39.2 (3), MAP 65 (2), HR 125 (2), RR 28 (1),
    # FiO2 0.6 PaO2 80 PaCO2 35 -> A-a 304 (2), pH 7.30 (2), Na 132 (0), K 3.4 (1),
    # creatinine 2.2 in ARF (3 x 2 = 6), Hct 32 (0), WBC 18 (1), GCS 12 (3): APS 23;
    # age 5; chronic health 5; total 33.
    r = apache(temperature=39.2, map=65, heart_rate=125, respiratory_rate=28, fio2=0.6, pao2=80,
               paco2=35, ph=7.30, sodium=132, potassium=3.4, creatinine=2.2,
               acute_renal_failure=True, hematocrit=32, wbc=18, gcs=12, age=67, chronic_liver=True,
               admission_type="nonoperative")
    assert r.details["acute_physiology_score"] == 23
    assert r.points["age"] == 5 and r.points["chronic_health"] == 5
    assert r.value == 33
    assert r.interpretation == "APACHE II 33 (acute physiology 23, age 5, chronic health 5)"


def test_apache_ii_unit_equivalence() -> None:
    celsius = apache(temperature=39.5, creatinine=1.6)
    other = apache(temperature="103.1 F", creatinine="141.4 umol/L")
    assert other.points["temperature"] == celsius.points["temperature"] == 3
    assert other.points["creatinine"] == celsius.points["creatinine"] == 2
    assert other.value == celsius.value
    # 101.3 F is exactly 38.5 C, the lower edge of the 1-point band
    assert apache(temperature="101.3 F").points["temperature"] == 1


def test_apache_ii_input_errors() -> None:
    with pytest.raises(BadInputError, match="admission_type"):
        apache(chronic_liver=True)
    with pytest.raises(BadInputError, match="aa_gradient"):
        apache(fio2=0.6, pao2=80)  # no PaCO2 to compute the gradient
    with pytest.raises(BadInputError, match="pao2"):
        apache(fio2=0.3, pao2=None)
    with pytest.raises(BadInputError, match="ph"):
        apache(ph=None)
    with pytest.raises(BadInputError, match="missing required input.*sodium"):
        run("apache_ii", **{k: v for k, v in BASE.items() if k != "sodium"})
    with pytest.raises(BadInputError, match="gcs"):
        apache(gcs=2)
    with pytest.raises(BadInputError, match="admission_type"):
        apache(admission_type="surgical")
