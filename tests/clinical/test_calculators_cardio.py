"""Batch B calculators: HEART, Framingham CHD (Wilson 1998) and the Pooled Cohort Equations."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.errors import BadInputError


def run(calc_id: str, **inputs: Any):
    return get(calc_id).compute(inputs)


# --- HEART (Six, Neth Heart J 2008) -------------------------------------------------------------

HEART_LOW = {"history": "slightly", "ecg": "normal", "age": 40, "troponin": "normal"}


@pytest.mark.parametrize("change, component, pts", [
    ({"history": "moderately"}, "history", 1), ({"history": "highly"}, "history", 2),
    ({"ecg": "nonspecific"}, "ecg", 1), ({"ecg": "st_depression"}, "ecg", 2),
    ({"age": 44.9}, "age", 0), ({"age": 45}, "age", 1), ({"age": 64}, "age", 1),
    ({"age": 65}, "age", 2),
    ({"troponin": "1-3x"}, "troponin", 1), ({"troponin": ">3x"}, "troponin", 2),
    ({"smoking": True}, "risk_factors", 1),
    ({"smoking": True, "obesity": True}, "risk_factors", 1),
    ({"smoking": True, "obesity": True, "diabetes": True}, "risk_factors", 2),
    ({"atherosclerotic_disease": True}, "risk_factors", 2),
])
def test_heart_components(change: dict, component: str, pts: int) -> None:
    r = run("heart", **{**HEART_LOW, **change})
    assert r.points[component] == pts
    assert r.value == pts


@pytest.mark.parametrize("rf", ["hypercholesterolemia", "hypertension", "diabetes", "smoking",
                                "family_history", "obesity"])
def test_heart_each_risk_factor_counts(rf: str) -> None:
    r = run("heart", **HEART_LOW, **{rf: True})
    assert r.details["risk_factor_count"] == 1 and r.points["risk_factors"] == 1


def test_heart_bands() -> None:
    # Six 2008: 0-3 low (MACE 2.5%), 4-6 intermediate (20.3%), 7-10 high (72.7%)
    three = run("heart", **{**HEART_LOW, "history": "highly", "ecg": "nonspecific"})
    assert three.value == 3 and three.interpretation.startswith("low risk (MACE 2.5%")
    four = run("heart", **{**HEART_LOW, "history": "highly", "ecg": "st_depression"})
    assert four.value == 4 and four.interpretation.startswith("intermediate risk (MACE 20.3%")
    six = run("heart", **{**HEART_LOW, "history": "highly", "ecg": "st_depression", "age": 70})
    assert six.value == 6 and six.interpretation.startswith("intermediate")
    seven = run("heart", **{**HEART_LOW, "history": "highly", "ecg": "st_depression", "age": 70,
                            "troponin": "1-3x"})
    assert seven.value == 7 and seven.interpretation.startswith("high risk (MACE 72.7%")
    ten = run("heart", history="highly", ecg="st_depression", age=70, troponin=">3x",
              atherosclerotic_disease=True)
    assert ten.value == 10


def test_heart_input_errors() -> None:
    with pytest.raises(BadInputError, match="troponin"):
        run("heart", history="slightly", ecg="normal", age=40)
    with pytest.raises(BadInputError, match="history"):
        run("heart", **{**HEART_LOW, "history": "very"})


# --- Framingham CHD (Wilson, Circulation 1998, Figures 3-4, total cholesterol) ------------------

def fram(**kw: Any):
    base = {"sbp": 115, "dbp": 75, "smoker": False, "diabetes": False, "total_cholesterol": 180,
            "hdl": 47}
    return run("framingham_chd", **{**base, **kw})


@pytest.mark.parametrize("sex, age, pts", [
    ("male", 30, -1), ("male", 34, -1), ("male", 35, 0), ("male", 40, 1), ("male", 45, 2),
    ("male", 50, 3), ("male", 55, 4), ("male", 60, 5), ("male", 65, 6), ("male", 70, 7),
    ("male", 74, 7),
    ("female", 30, -9), ("female", 35, -4), ("female", 40, 0), ("female", 45, 3),
    ("female", 50, 6), ("female", 55, 7), ("female", 60, 8), ("female", 65, 8), ("female", 74, 8),
])
def test_framingham_age_points(sex: str, age: int, pts: int) -> None:
    assert fram(sex=sex, age=age).points["age"] == pts


@pytest.mark.parametrize("sex, tc, pts", [
    ("male", 159, -3), ("male", 160, 0), ("male", 199, 0), ("male", 200, 1), ("male", 240, 2),
    ("male", 280, 3), ("female", 159, -2), ("female", 160, 0), ("female", 200, 1),
    ("female", 279, 1), ("female", 280, 3),
])
def test_framingham_cholesterol_points(sex: str, tc: float, pts: int) -> None:
    assert fram(sex=sex, age=50, total_cholesterol=tc).points["total_cholesterol"] == pts


@pytest.mark.parametrize("sex, hdl, pts", [
    ("male", 34, 2), ("male", 35, 1), ("male", 44, 1), ("male", 45, 0), ("male", 59, 0),
    ("male", 60, -2), ("female", 34, 5), ("female", 35, 2), ("female", 45, 1), ("female", 50, 0),
    ("female", 60, -3),
])
def test_framingham_hdl_points(sex: str, hdl: float, pts: int) -> None:
    assert fram(sex=sex, age=50, hdl=hdl).points["hdl"] == pts


@pytest.mark.parametrize("sbp, dbp, category, male, female", [
    (119, 79, "optimal", 0, -3), (120, 79, "normal", 0, 0), (119, 80, "normal", 0, 0),
    (130, 70, "high normal", 1, 0), (110, 85, "high normal", 1, 0),
    (140, 70, "stage I hypertension", 2, 2), (118, 92, "stage I hypertension", 2, 2),
    (160, 70, "stage II-IV hypertension", 3, 3), (120, 100, "stage II-IV hypertension", 3, 3),
])
def test_framingham_blood_pressure_uses_higher_category(sbp: int, dbp: int, category: str,
                                                        male: int, female: int) -> None:
    m = fram(sex="male", age=50, sbp=sbp, dbp=dbp)
    f = fram(sex="female", age=50, sbp=sbp, dbp=dbp)
    assert m.details["bp_category"] == f.details["bp_category"] == category
    assert (m.points["blood_pressure"], f.points["blood_pressure"]) == (male, female)


def test_framingham_diabetes_and_smoking() -> None:
    assert fram(sex="male", age=50, diabetes=True).points["diabetes"] == 2
    assert fram(sex="female", age=50, diabetes=True).points["diabetes"] == 4
    assert fram(sex="male", age=50, smoker=True).points["smoker"] == 2
    assert fram(sex="female", age=50, smoker=True).points["smoker"] == 2


def test_framingham_worked_examples() -> None:
    # Man, 55 (4), TC 250 (2), HDL 39 (1), BP 146/88 stage I (2), non-smoker, no diabetes:
    # 9 points -> 20% (Figure 3 risk table).
    m = fram(sex="male", age=55, total_cholesterol=250, hdl=39, sbp=146, dbp=88)
    assert m.details["point_total"] == 9
    assert m.value == 20 and m.unit == "%"
    assert m.interpretation == "intermediate risk (20% 10-year CHD risk)"
    # Same profile in a woman: 7 + 1 + 2 + 2 = 12 points -> 13% (Figure 4 risk table).
    f = fram(sex="female", age=55, total_cholesterol=250, hdl=39, sbp=146, dbp=88)
    assert f.details["point_total"] == 12
    assert f.value == 13


# Profiles built by hand from the Figure 3/4 point tables; base: TC 180 (0), BP 125/75 "normal"
# (0 for both sexes), HDL 55 (0 for both sexes), non-smoker, no diabetes.
@pytest.mark.parametrize("sex, profile, total, risk", [
    ("male", {"age": 35}, 0, 3),
    ("male", {"age": 50}, 3, 5),
    ("male", {"age": 60}, 5, 8),
    ("male", {"age": 65}, 6, 10),
    ("male", {"age": 60, "diabetes": True, "smoker": True, "sbp": 130}, 10, 25),
    ("male", {"age": 70, "diabetes": True, "smoker": True, "total_cholesterol": 210, "hdl": 40},
     13, 45),
    ("female", {"age": 40}, 0, 2),
    ("female", {"age": 45, "total_cholesterol": 210}, 4, 4),
    ("female", {"age": 55, "smoker": True}, 9, 8),
    ("female", {"age": 60, "smoker": True}, 10, 10),
    ("female", {"age": 60, "smoker": True, "diabetes": True, "total_cholesterol": 210}, 15, 20),
    ("female", {"age": 60, "smoker": True, "diabetes": True, "total_cholesterol": 210, "hdl": 45},
     16, 24),
])
def test_framingham_risk_table_rows(sex: str, profile: dict, total: int, risk: int) -> None:
    r = fram(sex=sex, **{"sbp": 125, "dbp": 75, "hdl": 55, **profile})
    assert r.details["point_total"] == total
    assert r.value == risk


def test_framingham_table_ends_are_capped() -> None:
    low_m = fram(sex="male", age=30, total_cholesterol=150, hdl=65, sbp=110, dbp=70)
    assert low_m.details["point_total"] == -6
    assert low_m.value == 2 and low_m.details["risk_display"] == "<=2%"
    low_f = fram(sex="female", age=30, total_cholesterol=150, hdl=65, sbp=110, dbp=70)
    assert low_f.details["point_total"] == -17 and low_f.value == 1
    high_m = fram(sex="male", age=70, total_cholesterol=300, hdl=30, sbp=170, dbp=105,
                  diabetes=True, smoker=True)
    assert high_m.details["point_total"] == 19
    assert high_m.value == 53 and high_m.details["risk_display"] == ">=53%"
    assert high_m.interpretation.startswith("high risk")
    high_f = fram(sex="female", age=70, total_cholesterol=300, hdl=30, sbp=170, dbp=105,
                  diabetes=True, smoker=True)
    assert high_f.value == 27 and high_f.details["risk_display"] == ">=27%"


def test_framingham_mmol_per_litre_equivalent() -> None:
    mg = fram(sex="male", age=55, total_cholesterol=250, hdl=39, sbp=146, dbp=88)
    mmol = fram(sex="male", age=55, total_cholesterol="6.47 mmol/L", hdl="1.01 mmol/L", sbp=146,
                dbp=88)
    assert dict(mmol.points) == dict(mg.points)
    assert mmol.value == mg.value == 20


def test_framingham_input_errors() -> None:
    with pytest.raises(BadInputError, match="age"):
        fram(sex="male", age=75)
    with pytest.raises(BadInputError, match="age"):
        fram(sex="male", age=29)
    with pytest.raises(BadInputError, match="smoker"):
        run("framingham_chd", sex="male", age=50, total_cholesterol=200, hdl=50, sbp=120, dbp=80,
            diabetes=False)
    with pytest.raises(BadInputError, match="dbp"):
        run("framingham_chd", sex="male", age=50, total_cholesterol=200, hdl=50, sbp=120,
            smoker=False, diabetes=False)


# --- Pooled Cohort Equations (Goff, Circulation 2014) -------------------------------------------

GOFF_EXAMPLE = {"age": 55, "total_cholesterol": 213, "hdl": 50, "sbp": 120,
                "treated_hypertension": False, "smoker": False, "diabetes": False}


@pytest.mark.parametrize("race, sex, individual_sum, risk", [
    # Goff 2014, Table A: individual sum and estimated 10-year risk of hard ASCVD
    ("white", "female", -29.67, 2.1),
    ("african_american", "female", 86.16, 3.0),
    ("white", "male", 60.69, 5.3),
    ("african_american", "male", 18.97, 6.1),
])
def test_pce_goff_table_a_example(race: str, sex: str, individual_sum: float, risk: float) -> None:
    r = run("pce_ascvd", race=race, sex=sex, **GOFF_EXAMPLE)
    # Table A prints the sums to two decimals (truncated); full precision differs by <0.01.
    assert r.details["individual_sum"] == pytest.approx(individual_sum, abs=0.01)
    # Table A exponentiates the two-decimal sums; at full precision the white male risk is 5.38%
    # (5.4% shown), so the unrounded risk is held to within 0.1 percentage point of the table.
    assert r.details["risk_unrounded"] == pytest.approx(risk, abs=0.1)
    assert r.unit == "%"


def test_pce_goff_table_a_displayed_values() -> None:
    shown = {(race, sex): run("pce_ascvd", race=race, sex=sex, **GOFF_EXAMPLE).value
             for race in ("white", "african_american") for sex in ("female", "male")}
    assert shown == {("white", "female"): 2.1, ("african_american", "female"): 3.0,
                     ("white", "male"): 5.4, ("african_american", "male"): 6.1}


def test_pce_goff_table_a_term_contributions_white_female() -> None:
    # Goff 2014 Table A, white women column: coefficient x value for each term
    r = run("pce_ascvd", race="white", sex="female", **GOFF_EXAMPLE)
    expected = {"ln_age": -119.41, "ln_age_sq": 78.43, "ln_tc": 72.59, "ln_age_ln_tc": -66.90,
                "ln_hdl": -53.12, "ln_age_ln_hdl": 49.37, "ln_untreated_sbp": 9.37,
                "smoker": 0.0, "ln_age_smoker": 0.0, "diabetes": 0.0}
    assert set(r.points) == set(expected)
    for term, value in expected.items():
        assert r.points[term] == pytest.approx(value, abs=0.01)


def test_pce_goff_table_a_term_contributions_white_male() -> None:
    # Goff 2014 Table A, white men column
    r = run("pce_ascvd", race="white", sex="male", **GOFF_EXAMPLE)
    expected = {"ln_age": 49.47, "ln_tc": 63.55, "ln_age_ln_tc": -57.23, "ln_hdl": -31.26,
                "ln_age_ln_hdl": 27.73, "ln_untreated_sbp": 8.45}
    for term, value in expected.items():
        assert r.points[term] == pytest.approx(value, abs=0.01)
    assert r.points["ln_age_smoker"] == 0.0 and "ln_age_sq" not in r.points


def test_pce_other_race_uses_white_equations() -> None:
    for sex in ("female", "male"):
        other = run("pce_ascvd", race="other", sex=sex, **GOFF_EXAMPLE)
        white = run("pce_ascvd", race="white", sex=sex, **GOFF_EXAMPLE)
        assert other.details["risk_unrounded"] == white.details["risk_unrounded"]
        assert other.details["equation"] == f"white {sex}"


def test_pce_risk_factors_raise_risk() -> None:
    base = run("pce_ascvd", race="white", sex="male", **GOFF_EXAMPLE).details["risk_unrounded"]
    for change in ({"smoker": True}, {"diabetes": True}, {"treated_hypertension": True},
                   {"sbp": 150}):
        r = run("pce_ascvd", race="white", sex="male", **{**GOFF_EXAMPLE, **change})
        assert r.details["risk_unrounded"] > base, change


def test_pce_treated_sbp_uses_treated_coefficients() -> None:
    r = run("pce_ascvd", race="african_american", sex="female",
            **{**GOFF_EXAMPLE, "treated_hypertension": True})
    assert "ln_treated_sbp" in r.points and "ln_untreated_sbp" not in r.points
    assert "ln_age_ln_treated_sbp" in r.points
    # 29.291 x ln(120) and -6.432 x ln(55) x ln(120)
    assert r.points["ln_treated_sbp"] == pytest.approx(29.291 * 4.787492, abs=1e-3)
    assert r.points["ln_age_ln_treated_sbp"] == pytest.approx(-6.432 * 4.007333 * 4.787492, abs=1e-3)


@pytest.mark.parametrize("inputs, band", [
    ({"race": "white", "sex": "female"}, "low"),                            # 2.1%
    ({"race": "white", "sex": "male"}, "borderline"),                       # 5.4%
    ({"race": "white", "sex": "male", "smoker": True}, "intermediate"),
    ({"race": "white", "sex": "male", "smoker": True, "diabetes": True, "age": 70,
      "sbp": 160, "treated_hypertension": True}, "high"),
])
def test_pce_bands(inputs: dict, band: str) -> None:
    r = run("pce_ascvd", **{**GOFF_EXAMPLE, **inputs})
    assert r.interpretation.startswith(f"{band} risk")
    v = r.value
    assert {"low": v < 5, "borderline": 5 <= v < 7.5, "intermediate": 7.5 <= v < 20,
            "high": v >= 20}[band]


def test_pce_band_edges_follow_the_displayed_value() -> None:
    # search ages for a risk that displays exactly 7.5 or crosses 5.0 and check the band edges
    seen = {}
    for age10 in range(400, 791):
        r = run("pce_ascvd", race="white", sex="male", **{**GOFF_EXAMPLE, "age": age10 / 10})
        seen.setdefault(r.value, r.interpretation.split(" risk")[0])
    assert seen[4.9] == "low" and seen[5.0] == "borderline"
    assert seen[7.4] == "borderline" and seen[7.5] == "intermediate"


def test_pce_mmol_per_litre_equivalent() -> None:
    mg = run("pce_ascvd", race="white", sex="female", **GOFF_EXAMPLE)
    mmol = run("pce_ascvd", race="white", sex="female",
               **{**GOFF_EXAMPLE, "total_cholesterol": "5.508 mmol/L", "hdl": "1.293 mmol/L"})
    assert mmol.details["risk_unrounded"] == pytest.approx(mg.details["risk_unrounded"], abs=0.01)


@pytest.mark.parametrize("change, name", [
    ({"age": 39}, "age"), ({"age": 80}, "age"), ({"total_cholesterol": 129}, "total_cholesterol"),
    ({"total_cholesterol": 321}, "total_cholesterol"), ({"hdl": 19}, "hdl"), ({"hdl": 101}, "hdl"),
    ({"sbp": 89}, "sbp"), ({"sbp": 201}, "sbp"),
])
def test_pce_out_of_range(change: dict, name: str) -> None:
    with pytest.raises(BadInputError, match=name):
        run("pce_ascvd", race="white", sex="male", **{**GOFF_EXAMPLE, **change})


def test_pce_missing_inputs() -> None:
    for name in ("race", "sex", "smoker", "diabetes", "treated_hypertension", "hdl"):
        inputs = {"race": "white", "sex": "male", **GOFF_EXAMPLE}
        del inputs[name]
        with pytest.raises(BadInputError, match=f"missing required input.*{name}"):
            run("pce_ascvd", **inputs)
    with pytest.raises(BadInputError, match="race"):
        run("pce_ascvd", race="asian", sex="male", **GOFF_EXAMPLE)
