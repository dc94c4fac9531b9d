"""Calculators added for issue 14: ATP III hard CHD, PSI, FeverPAIN, FENa, target weight, LMP dating, deltas."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.clinical.calculators.base import Result
from assistant.errors import BadInputError

# id -> (first author, year) of the primary publication each must cite
ADDED = {
    "framingham_atp3": ("National Cholesterol Education Program (NCEP) Expert Panel", 2002),
    "psi_port": ("Fine", 1997), "feverpain": ("Little", 2013), "fena": ("Espinel", 1976),
    "target_weight": ("Keys", 1972),
    "conception_date": ("American College of Obstetricians and Gynecologists", 2017),
    "gestational_age": ("American College of Obstetricians and Gynecologists", 2017),
    "albumin_corrected_delta_gap": ("Wrenn", 1990), "albumin_corrected_delta_ratio": ("Rastegar", 2007),
}


def run(calc_id: str, **inputs: Any) -> Result:
    return get(calc_id).compute(inputs)


@pytest.mark.parametrize("calc_id", sorted(ADDED))
def test_registered_with_primary_reference_and_input_contract(calc_id: str) -> None:
    calc = get(calc_id)
    assert (calc.reference.first_author, calc.reference.year) == ADDED[calc_id]
    assert calc.reference.journal and calc.reference.title and calc.notes
    for i in calc.inputs:
        if i.kind in ("number", "integer"):
            assert i.low is not None and i.high is not None, i.name
        if i.required:
            assert i.default is None, i.name
        if i.kind == "bool" and not i.required:
            assert i.default is False, i.name
    with pytest.raises(BadInputError, match="unknown input"):
        calc.compute({"not_an_input": 1})


# --- Framingham hard CHD, NCEP ATP III 2002 appendix III-A (hand-computed from the point tables) ---

@pytest.mark.parametrize(("inputs", "points", "total", "risk", "shown"), [
    # man 55: age 8, TC 240-279 at 50-59 4, HDL < 40 2, SBP 140-159 untreated 1, smoker at 50-59 3
    ({"sex": "male", "age": 55, "total_cholesterol": 250, "hdl": 39, "sbp": 146, "treated_hypertension": False,
      "smoker": True}, {"age": 8, "total_cholesterol": 4, "hdl": 2, "sbp": 1, "smoker": 3}, 18, 30, ">= 30%"),
    # man 45: 3 + TC 200-239 at 40-49 5 + HDL 40-49 1 + SBP 120-129 untreated 0 = 9 -> 5%
    ({"sex": "male", "age": 45, "total_cholesterol": 210, "hdl": 45, "sbp": 125, "treated_hypertension": False,
      "smoker": False}, {"age": 3, "total_cholesterol": 5, "hdl": 1, "sbp": 0, "smoker": 0}, 9, 5, "5%"),
    # woman 61: 10 + TC 160-199 at 60-69 1 + HDL 1 + SBP 120-129 untreated 1 + smoker at 60-69 2 = 15 -> 3%
    ({"sex": "female", "age": 61, "total_cholesterol": 180, "hdl": 47, "sbp": 124, "treated_hypertension": False,
      "smoker": True}, {"age": 10, "total_cholesterol": 1, "hdl": 1, "sbp": 1, "smoker": 2}, 15, 3, "3%"),
    # woman 70: 14 + TC 240-279 at 70-79 2 + HDL 2 + SBP 140-159 treated 5 + smoker 1 = 24 -> 27%
    ({"sex": "female", "age": 70, "total_cholesterol": 260, "hdl": 38, "sbp": 150, "treated_hypertension": True,
      "smoker": True}, {"age": 14, "total_cholesterol": 2, "hdl": 2, "sbp": 5, "smoker": 1}, 24, 27, "27%"),
    # woman 35: -3 + 0 + HDL >= 60 -1 = -4, below 9 -> < 1%
    ({"sex": "female", "age": 35, "total_cholesterol": 150, "hdl": 65, "sbp": 110, "treated_hypertension": False,
      "smoker": False}, {"age": -3, "total_cholesterol": 0, "hdl": -1, "sbp": 0, "smoker": 0}, -4, 1, "< 1%"),
])
def test_framingham_atp3_points(inputs: dict, points: dict, total: int, risk: int, shown: str) -> None:
    r = run("framingham_atp3", **inputs)
    assert dict(r.points) == points and r.details["point_total"] == total
    assert r.value == risk and r.details["risk_display"] == shown


def test_framingham_atp3_units_and_range() -> None:
    r = run("framingham_atp3", sex="male", age=45, total_cholesterol="5.43 mmol/L", hdl="1.16 mmol/L", sbp=125,
            treated_hypertension=False, smoker=False)
    assert r.points["total_cholesterol"] == 5 and r.points["hdl"] == 1  # 210 and 45 mg/dL
    with pytest.raises(BadInputError, match="age"):
        run("framingham_atp3", sex="male", age=82, total_cholesterol=200, hdl=50, sbp=120,
            treated_hypertension=False, smoker=False)


# --- Pneumonia Severity Index (Fine 1997, tables 2 and 3; hand-computed) ---------------------------

@pytest.mark.parametrize(("inputs", "total", "cls"), [
    ({"age": 45, "sex": "male"}, 45, "I"),                                   # step 1: <= 50, nothing found
    ({"age": 45, "sex": "male", "pulse": 130}, 55, "II"),                     # pulse >= 125 leaves step 1
    ({"age": 55, "sex": "female"}, 45, "II"),                                 # over 50: scored, 55 - 10
    ({"age": 85, "sex": "male"}, 85, "III"),
    ({"age": 75, "sex": "male", "sodium": 128}, 95, "IV"),
    # 72 - 10 + heart failure 10 + RR 32 20 + BUN 35 20 + PaO2 55 10 = 122
    ({"age": 72, "sex": "female", "heart_failure": True, "respiratory_rate": 32, "bun": 35, "pao2": 55}, 122, "IV"),
    # 80 + nursing home 10 + cancer 30 + confusion 20 + temperature 40.2 15 + pH 7.30 30 = 185
    ({"age": 80, "sex": "male", "nursing_home": True, "neoplastic_disease": True, "altered_mental_status": True,
      "temperature": 40.2, "ph": 7.30}, 185, "V"),
])
def test_psi_totals_and_classes(inputs: dict, total: int, cls: str) -> None:
    r = run("psi_port", **inputs)
    assert r.value == total == sum(r.points.values())
    assert r.details["risk_class"] == cls and r.interpretation.startswith(f"risk class {cls}:")


def test_psi_units_oxygenation_and_untested_values() -> None:
    # urea 11 mmol/L = BUN 30.8 mg/dL (>= 30); glucose 14 mmol/L = 252 mg/dL (>= 250); 104 F = 40 C
    r = run("psi_port", age=60, sex="male", bun="11 mmol/L", glucose="14 mmol/L", temperature="104 F",
            spo2=88, pao2=65)
    assert r.points["bun"] == 20 and r.points["glucose"] == 10 and r.points["temperature"] == 15
    assert r.points["oxygenation"] == 10  # SaO2 < 90% counts even with PaO2 65: one item, 10 points
    assert "hematocrit" in r.details["not_given_counted_normal"]
    assert "pao2/spo2" not in r.details["not_given_counted_normal"]


# --- FeverPAIN (Little 2013) --------------------------------------------------------------------

def test_feverpain() -> None:
    assert run("feverpain").value == 0
    r = run("feverpain", fever=True, purulence=True, no_cough_or_coryza=True)
    assert r.value == 3 and r.interpretation.startswith("2-3")
    r = run("feverpain", fever=True, purulence=True, attend_rapidly=True, inflamed_tonsils=True,
            no_cough_or_coryza=True)
    assert r.value == 5 and r.interpretation.startswith("4-5")


# --- FENa (Espinel 1976) ---------------------------------------------------------------------------

@pytest.mark.parametrize(("inputs", "fena", "band"), [
    ({"urine_sodium": 20, "plasma_sodium": 140, "urine_creatinine": 100, "plasma_creatinine": 2}, 0.29, "< 1%"),
    ({"urine_sodium": 40, "plasma_sodium": 140, "urine_creatinine": 100, "plasma_creatinine": 5}, 1.43, "1-3%"),
    # SI creatinine: 353.6 umol/L = 4 mg/dL, 3536 umol/L = 40 mg/dL: 60 x 4 / (135 x 40) = 4.44%
    ({"urine_sodium": 60, "plasma_sodium": 135, "urine_creatinine": "3536 umol/L",
      "plasma_creatinine": "353.6 umol/L"}, 4.44, "> 3%"),
])
def test_fena(inputs: dict, fena: float, band: str) -> None:
    r = run("fena", **inputs)
    assert r.value == pytest.approx(fena) and r.interpretation.startswith(band)


# --- target weight -----------------------------------------------------------------------------

def test_target_weight() -> None:
    r = run("target_weight", height=175, target_bmi=25, weight=90)  # 25 x 1.75^2 = 76.5625
    assert r.value == pytest.approx(76.6) and r.details["change_kg"] == pytest.approx(-13.4)
    assert r.details["current_bmi"] == pytest.approx(29.4) and "lose 13.4 kg" in r.interpretation
    assert run("target_weight", height="69 in", target_bmi=22).value == pytest.approx(67.6)  # 1.7526 m


# --- conception date and gestational age from the LMP (ACOG Committee Opinion 700) ----------------

def test_conception_date() -> None:
    r = run("conception_date", lmp="2024-01-01")
    assert r.value == "2024-01-15" and r.details["due_date"] == "2024-10-07"  # LMP + 280 days
    assert run("conception_date", lmp="2024-01-01", cycle_length=32).value == "2024-01-19"


def test_gestational_age() -> None:
    r = run("gestational_age", lmp="2024-01-01", reference_date="2024-03-15")  # 74 days (2024 is a leap year)
    assert r.value == "10w4d" and r.details["gestational_age_days"] == 74
    assert r.interpretation == "10+4 weeks: first trimester"
    assert run("gestational_age", lmp="2024-01-01", reference_date="2024-03-15", cycle_length=35).value == "9w4d"
    assert run("gestational_age", lmp="2024-01-01", reference_date="2024-09-30").interpretation.endswith(
        "full term (39+0 to 40+6 weeks)")
    with pytest.raises(BadInputError, match="reference_date"):
        run("gestational_age", lmp="2024-01-01", reference_date="2023-12-01")


# --- albumin-corrected delta gap and delta ratio (Figge 1998; Wrenn 1990; Rastegar 2007) -----------

def test_albumin_corrected_deltas() -> None:
    acid = {"sodium": 140, "chloride": 100, "bicarbonate": 14}
    # observed gap 26; albumin 2.0 g/dL adds 2.5 x 2 = 5 -> 31; delta AG 19, delta HCO3 10
    r = run("albumin_corrected_delta_gap", albumin=2.0, **acid)
    assert r.value == pytest.approx(9.0) and r.details["observed_anion_gap"] == pytest.approx(26.0)
    assert r.details["anion_gap"] == pytest.approx(31.0) and r.interpretation.startswith("delta gap > +6")
    r = run("albumin_corrected_delta_ratio", albumin="20 g/L", **acid)
    assert r.value == pytest.approx(1.9) and r.interpretation.startswith("1-2")
    assert run("delta_ratio", **acid).value == pytest.approx(1.4)  # uncorrected, unchanged
    assert run("albumin_corrected_delta_ratio", albumin=4.0, **acid).value == pytest.approx(1.4)
