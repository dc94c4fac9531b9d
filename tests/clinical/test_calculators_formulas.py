"""Batch A calculators: worked examples, band boundaries, unit equivalence and input errors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.clinical.calculators.base import Input, Reference, Result, round_half_up
from assistant.clinical.calculators.qtc import aha_band
from assistant.clinical.calculators.renal import kdigo_gfr_category
from assistant.clinical.calculators.units import canonical_unit
from assistant.errors import BadInputError

BATCH_A = (
    "ckd_epi_2021", "cockcroft_gault", "mdrd", "bsa_mosteller", "ideal_body_weight", "adjusted_body_weight",
    "mean_arterial_pressure", "anion_gap", "delta_gap", "delta_ratio", "albumin_corrected_anion_gap",
    "corrected_calcium", "sodium_correction_hyperglycemia", "serum_osmolality", "free_water_deficit",
    "ldl_friedewald", "homa_ir", "qtc_bazett", "qtc_fridericia", "qtc_framingham", "qtc_hodges",
    "qtc_rautaharju", "fib4", "meld_na", "child_pugh", "morphine_mme", "steroid_conversion",
    "maintenance_fluids", "due_date_naegele",
)


def run(calc_id: str, **inputs: Any) -> Result:
    return get(calc_id).compute(inputs)


def raises_naming(name: str, calc_id: str, **inputs: Any) -> None:
    with pytest.raises(BadInputError, match=name):
        run(calc_id, **inputs)


# --- registry-wide -------------------------------------------------------------------------------


@pytest.mark.parametrize("calc_id", BATCH_A)
def test_registered_with_reference_and_described(calc_id: str) -> None:
    calc = get(calc_id)
    assert calc.id == calc_id
    assert calc.reference.first_author and 1800 < calc.reference.year <= 2025 and calc.reference.journal
    d = calc.describe()
    assert d["id"] == calc_id and d["inputs"]
    assert all({"name", "unit", "required", "description"} <= set(i) for i in d["inputs"])


@pytest.mark.parametrize("calc_id", BATCH_A)
def test_unknown_input_is_refused(calc_id: str) -> None:
    raises_naming("no_such_input", calc_id, no_such_input=1)


@pytest.mark.parametrize("calc_id", BATCH_A)
def test_no_inputs_names_a_missing_required_input(calc_id: str) -> None:
    required = [i.name for i in get(calc_id).inputs if i.required]
    assert required
    with pytest.raises(BadInputError, match="missing required input") as e:
        run(calc_id)
    assert required[0] in e.value.message


# --- framework additions (base.py / units.py) ---------------------------------------------------


def test_round_half_up_rounds_halves_away_from_zero() -> None:
    assert round_half_up(438.5) == 439 and isinstance(round_half_up(438.5), int)
    assert round(438.5) == 438  # why the helper exists: built-in round goes to even
    assert round_half_up(2.675, 2) == 2.68
    assert round_half_up(59.5) == 60
    assert round_half_up(-1e-7, 2) == 0.0


def test_one_sided_range_is_reported_not_crashing() -> None:
    with pytest.raises(BadInputError, match=r"x: -1 mg/dL is outside the plausible range >= 0"):
        Input("x", "d", "mg/dL", low=0).parse(-1)
    with pytest.raises(BadInputError, match=r"<= 5"):
        Input("x", "d", "mg/dL", high=5).parse(6)


def test_unit_errors_name_the_input() -> None:
    with pytest.raises(BadInputError, match=r"^qt: cannot convert 'kg' to 'ms'"):
        Input("qt", "d", "ms").parse("70 kg")


def test_reference_et_al_flag() -> None:
    assert str(Reference("Mosteller", "N Engl J Med", 1987, "T", et_al=False)) == "Mosteller. N Engl J Med 1987. T"
    assert str(Reference("Inker", "N Engl J Med", 2021)) == "Inker et al. N Engl J Med 2021"


def test_platelet_unit_alias() -> None:
    assert canonical_unit("10^3/uL") == canonical_unit("10^9/L") == "10^9/L"


# --- renal ---------------------------------------------------------------------------------------


def test_ckd_epi_2021_worked_examples() -> None:
    # 142 x (1.0/0.9)^-1.200 x 0.9938^60 = 86.16 (male, 60 y, Scr 1.0); the NKF calculator shows 86.
    r = run("ckd_epi_2021", creatinine=1.0, age=60, sex="male")
    assert r.value == 86 and r.details["unrounded"] == pytest.approx(86.163, abs=1e-3)
    assert r.interpretation.startswith("G2")
    # Female below kappa: 142 x (0.6/0.7)^-0.241 x 0.9938^50 x 1.012 = 109.28
    assert run("ckd_epi_2021", creatinine=0.6, age=50, sex="female").details["unrounded"] == pytest.approx(
        109.283, abs=1e-3)
    # Female above kappa: 142 x (1.2/0.7)^-1.200 x 0.9938^60 x 1.012 = 51.82 -> G3a
    r = run("ckd_epi_2021", creatinine=1.2, age=60, sex="female")
    assert r.value == 52 and r.interpretation.startswith("G3a")
    # 142 x (3.0/0.9)^-1.200 x 0.9938^80 = 20.36 -> G4
    r = run("ckd_epi_2021", creatinine=3.0, age=80, sex="male")
    assert r.value == 20 and r.interpretation.startswith("G4")


def test_ckd_epi_units_equivalent() -> None:
    mg = run("ckd_epi_2021", creatinine="1.2 mg/dL", age=60, sex="female")
    si = run("ckd_epi_2021", creatinine="106.08 umol/L", age=60, sex="female")  # 1.2 x 88.4
    assert si.details["unrounded"] == pytest.approx(mg.details["unrounded"], abs=1e-6)


@pytest.mark.parametrize(("gfr", "category"), [
    (90, "G1"), (89, "G2"), (60, "G2"), (59, "G3a"), (45, "G3a"), (44, "G3b"), (30, "G3b"), (29, "G4"),
    (15, "G4"), (14, "G5")])
def test_kdigo_boundaries(gfr: int, category: str) -> None:
    # KDIGO 2012 GFR categories: G1 >= 90, G2 60-89, G3a 45-59, G3b 30-44, G4 15-29, G5 < 15.
    assert kdigo_gfr_category(gfr).startswith(category + ":")


def test_ckd_epi_input_errors() -> None:
    raises_naming("age", "ckd_epi_2021", creatinine=1.0, age=17, sex="male")  # adults only
    raises_naming("creatinine", "ckd_epi_2021", creatinine=120, age=60, sex="male")  # umol/L typed as mg/dL
    raises_naming("sex", "ckd_epi_2021", creatinine=1.0, age=60, sex="unknown")
    raises_naming("creatinine", "ckd_epi_2021", creatinine="1.0 g/L", age=60, sex="male")
    raises_naming("creatinine", "ckd_epi_2021", age=60, sex="male")


def test_mdrd_worked_examples() -> None:
    # 175 x 1.0^-1.154 x 60^-0.203 = 76.22; x 0.742 (female) = 56.56; x 1.212 (Black) = 92.38
    assert run("mdrd", creatinine=1.0, age=60, sex="male").details["unrounded"] == pytest.approx(76.221, abs=1e-3)
    assert run("mdrd", creatinine=1.0, age=60, sex="female").value == 57
    r = run("mdrd", creatinine=1.0, age=60, sex="male", black=True)
    assert r.value == 92 and r.details["race_coefficient_applied"] is True
    # 175 x 2.0^-1.154 x 70^-0.203 x 0.742 = 24.63 -> G4
    r = run("mdrd", creatinine="176.8 umol/L", age=70, sex="female")
    assert r.value == 25 and r.interpretation.startswith("G4")


def test_cockcroft_gault_worked_examples() -> None:
    # (140 - 40) x 72 / (72 x 1.0) = 100 mL/min; x 0.85 for women = 85
    r = run("cockcroft_gault", weight=72, age=40, sex="male", creatinine=1.0)
    assert r.value == pytest.approx(100.0) and r.unit == "mL/min"
    assert run("cockcroft_gault", weight=72, age=40, sex="female", creatinine=1.0).value == pytest.approx(85.0)
    # Same in lb and umol/L: 72 kg = 158.733 lb, 1.0 mg/dL = 88.4 umol/L
    si = run("cockcroft_gault", weight="158.733 lb", age=40, sex="male", creatinine="88.4 umol/L")
    assert si.value == pytest.approx(100.0, abs=0.05)


def test_cockcroft_gault_weights_in_details() -> None:
    # Height 180 cm male: IBW = 50 + 2.3 x (70.866 - 60) = 74.99 kg; CrCl(IBW) = 90 x 74.99 / 72 = 93.74;
    # adjusted = 74.99 + 0.4 x (120 - 74.99) = 92.99 kg; CrCl = 90 x 92.99 / 72 = 116.24
    r = run("cockcroft_gault", weight=120, age=50, sex="male", creatinine=1.0, height=180)
    assert r.value == pytest.approx(150.0)
    assert r.details["crcl_ideal_weight"] == pytest.approx(93.7)
    assert r.details["adjusted_body_weight"] == pytest.approx(93.0)
    assert r.details["crcl_adjusted_weight"] == pytest.approx(116.2)


@pytest.mark.parametrize(("age", "creatinine", "value", "band"), [
    (50, 1.0, 90.0, "normal"), (51, 1.0, 89.0, "mild"), (80, 1.0, 60.0, "mild"), (81, 1.0, 59.0, "moderate"),
    (80, 2.0, 30.0, "moderate"), (80, 4.0, 15.0, "severe"), (80, 5.0, 12.0, "kidney failure")])
def test_cockcroft_gault_bands(age: int, creatinine: float, value: float, band: str) -> None:
    # 72 kg cancels the 72 in the denominator: CrCl = (140 - age) / Scr
    r = run("cockcroft_gault", weight=72, age=age, sex="male", creatinine=creatinine)
    assert r.value == pytest.approx(value) and r.interpretation.startswith(band)


# --- body size -----------------------------------------------------------------------------------


def test_bsa_mosteller() -> None:
    # sqrt(180 x 80 / 3600) = sqrt(4) = 2.00 m2; sqrt(170 x 65 / 3600) = 1.752
    assert run("bsa_mosteller", weight=80, height=180).value == pytest.approx(2.0)
    assert run("bsa_mosteller", weight=65, height=170).details["unrounded"] == pytest.approx(1.752, abs=1e-4)
    # 180 cm = 70.866 in, 80 kg = 176.37 lb
    assert run("bsa_mosteller", weight="176.37 lb", height="70.866 in").value == pytest.approx(2.0)
    raises_naming("height", "bsa_mosteller", weight=80, height=300)


def test_ideal_body_weight_devine() -> None:
    # Devine 1974: 50 kg + 2.3 kg/inch over 5 ft (men), 45.5 kg + 2.3 (women); 70 in -> 73.0 / 68.5
    assert run("ideal_body_weight", height="70 in", sex="male").value == pytest.approx(73.0)
    assert run("ideal_body_weight", height="177.8 cm", sex="female").value == pytest.approx(68.5)
    r = run("ideal_body_weight", height=152.4, sex="female")  # exactly 5 ft
    assert r.value == pytest.approx(45.5) and r.details["extrapolated"] is False
    r = run("ideal_body_weight", height=147.32, sex="female")  # 58 in: 45.5 - 4.6 = 40.9, extrapolated
    assert r.value == pytest.approx(40.9) and r.details["extrapolated"] is True and "extrapolated" in r.interpretation


def test_adjusted_body_weight() -> None:
    # IBW 73 kg (70 in man); 73 + 0.4 x (120 - 73) = 91.8 kg; 120/73 = 164.4% of IBW
    r = run("adjusted_body_weight", weight=120, height="70 in", sex="male")
    assert r.value == pytest.approx(91.8) and r.details["percent_of_ideal"] == pytest.approx(164.4)
    assert "> 120%" in r.interpretation
    assert "<= 120%" in run("adjusted_body_weight", weight=80, height="70 in", sex="male").interpretation
    assert "use actual" in run("adjusted_body_weight", weight=60, height="70 in", sex="male").interpretation
    raises_naming("weight", "adjusted_body_weight", weight=500, height=170, sex="male")


# --- haemodynamics -------------------------------------------------------------------------------


def test_mean_arterial_pressure() -> None:
    # 80 + (120 - 80)/3 = 93.3; 50 + 45/3 = 65.0 (target met); 50 + 40/3 = 63.3 (below 65)
    r = run("mean_arterial_pressure", systolic=120, diastolic=80)
    assert r.value == pytest.approx(93.3) and r.details["pulse_pressure"] == pytest.approx(40.0)
    assert run("mean_arterial_pressure", systolic=95, diastolic=50).interpretation.startswith("65 mmHg or above")
    r = run("mean_arterial_pressure", systolic=90, diastolic=50)
    assert r.value == pytest.approx(63.3) and r.interpretation.startswith("below 65")
    raises_naming("diastolic", "mean_arterial_pressure", systolic=80, diastolic=90)
    raises_naming("systolic", "mean_arterial_pressure", systolic=400, diastolic=90)


# --- acid-base -----------------------------------------------------------------------------------


def test_anion_gap() -> None:
    # 140 - (104 + 24) = 12, normal; 140 - (100 + 10) = 30, high
    assert run("anion_gap", sodium=140, chloride=104, bicarbonate=24).value == pytest.approx(12.0)
    r = run("anion_gap", sodium=140, chloride=100, bicarbonate=10)
    assert r.value == pytest.approx(30.0) and r.interpretation.startswith("high")
    # With K: 140 + 4 - (104 + 24) = 16; banded on the K-free gap 12
    r = run("anion_gap", sodium=140, chloride=104, bicarbonate=24, potassium=4)
    assert r.value == pytest.approx(16.0) and r.details["anion_gap_without_potassium"] == pytest.approx(12.0)
    assert r.interpretation.startswith("normal")


@pytest.mark.parametrize(("chloride", "band"), [(100, "normal"), (99, "high"), (108, "normal"), (109, "low")])
def test_anion_gap_band_boundaries(chloride: int, band: str) -> None:
    # Emmett & Narins 1977: 12 +/- 4 (8-16) mmol/L; gap = 140 - (Cl + 24)
    assert run("anion_gap", sodium=140, chloride=chloride, bicarbonate=24).interpretation.startswith(band)


def test_anion_gap_laboratory_interval() -> None:
    # An ion-selective-electrode laboratory interval 3-11: a gap of 12 is high there
    r = run("anion_gap", sodium=140, chloride=104, bicarbonate=24, normal_low=3, normal_high=11)
    assert r.interpretation.startswith("high")
    raises_naming("normal_low", "anion_gap", sodium=140, chloride=104, bicarbonate=24, normal_low=12, normal_high=11)


def test_albumin_corrected_anion_gap() -> None:
    # Figge 1998: + 2.5 per g/dL (0.25 per g/L) below normal: 10 + 2.5 x (4.0 - 2.0) = 15.0
    r = run("albumin_corrected_anion_gap", sodium=140, chloride=108, bicarbonate=22, albumin=2.0)
    assert r.value == pytest.approx(15.0) and r.details["observed_anion_gap"] == pytest.approx(10.0)
    si = run("albumin_corrected_anion_gap", sodium=140, chloride=108, bicarbonate=22, albumin="20 g/L")
    assert si.value == pytest.approx(15.0)
    # Normal albumin 4.4 g/dL (44 g/L): 10 + 2.5 x 2.4 = 16.0; albumin 1.6 -> 10 + 7 = 17.0, high
    assert run("albumin_corrected_anion_gap", sodium=140, chloride=108, bicarbonate=22, albumin=2.0,
               normal_albumin="44 g/L").value == pytest.approx(16.0)
    r = run("albumin_corrected_anion_gap", sodium=140, chloride=108, bicarbonate=22, albumin=1.2)
    assert r.value == pytest.approx(17.0) and r.interpretation.startswith("high")


def test_delta_gap() -> None:
    # Wrenn 1990: (AG - 12) - (24 - HCO3). AG 30, HCO3 10: 18 - 14 = 4
    r = run("delta_gap", sodium=140, chloride=100, bicarbonate=10)
    assert r.value == pytest.approx(4.0) and "within" in r.interpretation
    assert r.details["delta_anion_gap"] == pytest.approx(18.0)
    assert r.details["corrected_bicarbonate"] == pytest.approx(28.0)


@pytest.mark.parametrize(("chloride", "bicarbonate", "value", "band"), [
    (98, 20, 6.0, "within"), (97, 20, 7.0, "delta gap > +6"),
    (110, 10, -6.0, "within"), (111, 10, -7.0, "delta gap < -6")])
def test_delta_gap_bands(chloride: int, bicarbonate: int, value: float, band: str) -> None:
    r = run("delta_gap", sodium=140, chloride=chloride, bicarbonate=bicarbonate)
    assert r.value == pytest.approx(value) and band in r.interpretation


@pytest.mark.parametrize(("chloride", "bicarbonate", "ratio", "band"), [
    (100, 10, 1.29, "1-2"),   # 18 / 14
    (104, 14, 1.0, "1-2"),    # 10 / 10
    (94, 14, 2.0, "1-2"),     # 20 / 10
    (93, 14, 2.1, "> 2"),     # 21 / 10
    (106, 14, 0.8, "< 1")])   # 8 / 10
def test_delta_ratio_rastegar_bands(chloride: int, bicarbonate: int, ratio: float, band: str) -> None:
    r = run("delta_ratio", sodium=140, chloride=chloride, bicarbonate=bicarbonate)
    assert r.value == pytest.approx(ratio) and r.interpretation.startswith(band)


def test_delta_ratio_needs_low_bicarbonate() -> None:
    raises_naming("bicarbonate", "delta_ratio", sodium=140, chloride=100, bicarbonate=24)
    raises_naming("bicarbonate", "delta_ratio", sodium=140, chloride=100, bicarbonate=70)


# --- electrolytes --------------------------------------------------------------------------------


def test_corrected_calcium_payne() -> None:
    # Payne 1973: adjusted = Ca - albumin + 4.0 (mg/dL, g/dL): 8.0 - 2.0 + 4.0 = 10.0
    r = run("corrected_calcium", calcium=8.0, albumin=2.0)
    assert r.value == pytest.approx(10.0) and r.interpretation.startswith("normal")
    assert r.details["variant_0_8_mg_dl"] == pytest.approx(9.6)  # 8.0 + 0.8 x 2.0
    # SI: 2.0 mmol/L = 8.016 mg/dL; 8.016 - 2.0 + 4.0 = 10.016 mg/dL = 2.50 mmol/L
    si = run("corrected_calcium", calcium="2.0 mmol/L", albumin="20 g/L")
    assert si.details["unrounded"] == pytest.approx(10.016) and si.details["adjusted_mmol_l"] == pytest.approx(2.5)


@pytest.mark.parametrize(("calcium", "band"), [
    (8.4, "low"), (8.5, "normal"), (10.5, "normal"), (10.6, "mild"), (11.9, "mild"), (12.0, "moderate"),
    (13.9, "moderate"), (14.0, "severe")])
def test_corrected_calcium_bands(calcium: float, band: str) -> None:
    # Albumin 4.0 g/dL: no adjustment, so the bands are read directly
    assert run("corrected_calcium", calcium=calcium, albumin=4.0).interpretation.startswith(band)


def test_sodium_correction_hyperglycemia() -> None:
    # Hillier 1999: 130 + 2.4 x (600 - 100)/100 = 142.0; Katz 1973: 130 + 1.6 x 5 = 138.0
    r = run("sodium_correction_hyperglycemia", sodium=130, glucose=600)
    assert r.value == pytest.approx(142.0) and r.details["corrected_sodium_katz"] == pytest.approx(138.0)
    si = run("sodium_correction_hyperglycemia", sodium=130, glucose="33.3037 mmol/L")  # 600 / 18.016
    assert si.value == pytest.approx(142.0)
    assert run("sodium_correction_hyperglycemia", sodium=130, glucose=80).value == pytest.approx(130.0)
    assert run("sodium_correction_hyperglycemia", sodium=134.9, glucose=100).interpretation.startswith("hypo")
    assert run("sodium_correction_hyperglycemia", sodium=135, glucose=100).interpretation.startswith("normal")
    assert run("sodium_correction_hyperglycemia", sodium=145, glucose=100).interpretation.startswith("normal")
    assert run("sodium_correction_hyperglycemia", sodium=145.1, glucose=100).interpretation.startswith("hyper")
    raises_naming("glucose", "sodium_correction_hyperglycemia", sodium=130, glucose="600 g/L")


def test_serum_osmolality() -> None:
    # 2 x 140 + 90/18 + 14/2.8 = 290; + ethanol 100/3.7 = 317.0
    r = run("serum_osmolality", sodium=140, glucose=90, bun=14)
    assert r.value == pytest.approx(290.0) and r.interpretation.startswith("normal")
    assert run("serum_osmolality", sodium=140, glucose=90, bun=14, ethanol=100).value == pytest.approx(317.0)
    # SI: 2 x 140 + glucose 5 + urea 5 mmol/L = 290
    assert run("serum_osmolality", sodium=140, glucose="5 mmol/L", bun="5 mmol/L").value == pytest.approx(290.0)
    r = run("serum_osmolality", sodium=140, glucose=90, bun=14, measured_osmolality=310)
    assert r.details["osmolal_gap"] == pytest.approx(20.0) and "gap > 10" in r.interpretation
    r = run("serum_osmolality", sodium=140, glucose=90, bun=14, measured_osmolality=300)
    assert r.details["osmolal_gap"] == pytest.approx(10.0) and "gap <= 10" in r.interpretation
    assert run("serum_osmolality", sodium=150, glucose=90, bun=14).interpretation.startswith("high")


@pytest.mark.parametrize(("age", "sex", "litres"), [
    (40, "male", 6.0),     # 0.6 x 70 x (160/140 - 1)
    (40, "female", 5.0),   # 0.5
    (64.9, "female", 5.0),
    (65, "male", 5.0),     # elderly men 0.5
    (70, "female", 4.5),   # elderly women 0.45
    (10, "female", 6.0)])  # children 0.6
def test_free_water_deficit(age: float, sex: str, litres: float) -> None:
    # Adrogue & Madias 2000: TBW fractions by age and sex
    assert run("free_water_deficit", sodium=160, weight=70, age=age, sex=sex).value == pytest.approx(litres)


def test_free_water_deficit_none_and_units() -> None:
    r = run("free_water_deficit", sodium=138, weight=70, age=40, sex="male")
    assert r.value == 0.0 and r.interpretation.startswith("no free water deficit")
    assert run("free_water_deficit", sodium=160, weight="154.324 lb", age=40, sex="male").value == pytest.approx(6.0)
    # Target 145: 42 x (160/145 - 1) = 4.345 -> 4.34 (to 0.01 L)
    assert run("free_water_deficit", sodium=160, weight=70, age=40, sex="male",
               target_sodium=145).value == pytest.approx(4.34)
    raises_naming("sodium", "free_water_deficit", sodium=250, weight=70, age=40, sex="male")


# --- lipids and glucose metabolism ---------------------------------------------------------------


def test_ldl_friedewald() -> None:
    # 200 - 50 - 150/5 = 120 mg/dL (3.10 mmol/L)
    r = run("ldl_friedewald", total_cholesterol=200, hdl=50, triglycerides=150)
    assert r.value == 120 and r.details["ldl_mmol_l"] == pytest.approx(3.10)
    si = run("ldl_friedewald", total_cholesterol="5.17197 mmol/L", hdl="1.29299 mmol/L",
             triglycerides="1.69358 mmol/L")  # the same values divided by 38.67 and 88.57
    assert si.value == 120
    # TG 399: 200 - 50 - 79.8 = 70.2 -> 70; TG 400 (or 4.52 mmol/L = 400.3 mg/dL) is refused
    assert run("ldl_friedewald", total_cholesterol=200, hdl=50, triglycerides=399).value == 70
    raises_naming("triglycerides", "ldl_friedewald", total_cholesterol=200, hdl=50, triglycerides=400)
    raises_naming("triglycerides", "ldl_friedewald", total_cholesterol=200, hdl=50, triglycerides="4.52 mmol/L")
    assert run("ldl_friedewald", total_cholesterol=200, hdl=50, triglycerides="4.51 mmol/L").value == 70
    raises_naming("hdl", "ldl_friedewald", total_cholesterol=100, hdl=120, triglycerides=100)


@pytest.mark.parametrize(("total", "band"), [
    (149, "optimal"), (150, "near"), (179, "near"), (180, "borderline"), (209, "borderline"),
    (210, "high"), (239, "high"), (240, "very high")])
def test_ldl_atp_iii_bands(total: int, band: str) -> None:
    # HDL 49, TG 5 (VLDL 1): LDL = total - 50; NCEP ATP III: < 100, 100-129, 130-159, 160-189, >= 190
    assert run("ldl_friedewald", total_cholesterol=total, hdl=49, triglycerides=5).interpretation.startswith(band)


def test_homa_ir() -> None:
    # Matthews 1985 reference subject: glucose 4.5 mmol/L x insulin 5 uU/mL / 22.5 = 1.0, %B 100
    r = run("homa_ir", glucose=4.5, insulin=5)
    assert r.value == pytest.approx(1.0) and r.details["homa_beta_percent"] == pytest.approx(100.0)
    # 5 x 10 / 22.5 = 2.22; %B = 20 x 10 / 1.5 = 133.3
    r = run("homa_ir", glucose=5, insulin=10)
    assert r.value == pytest.approx(2.22) and r.details["homa_beta_percent"] == pytest.approx(133.3)
    # 4.5 mmol/L = 81.072 mg/dL; 5 uU/mL = 30 pmol/L
    assert run("homa_ir", glucose="81.072 mg/dL", insulin="30 pmol/L").value == pytest.approx(1.0)
    assert "homa_beta_percent" not in run("homa_ir", glucose=3.0, insulin=5).details
    raises_naming("insulin", "homa_ir", glucose=5, insulin=0)


# --- QTc -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("calc_id", "at_80", "at_50"), [
    ("qtc_bazett", 462, 365),        # 400/sqrt(0.75) = 461.88; 400/sqrt(1.2) = 365.15
    ("qtc_fridericia", 440, 376),    # 400/0.75^(1/3) = 440.26; 400/1.2^(1/3) = 376.41
    ("qtc_framingham", 439, 369),    # 400 + 154 x 0.25 = 438.5 (half up); 400 - 154 x 0.2 = 369.2
    ("qtc_hodges", 435, 383),        # 400 + 1.75 x 20 = 435; 400 - 17.5 = 382.5 (half up)
    ("qtc_rautaharju", 444, 378)])   # 400 x 200/180 = 444.4; 400 x 170/180 = 377.8
def test_qtc_formulas(calc_id: str, at_80: int, at_50: int) -> None:
    assert run(calc_id, qt=400, heart_rate=80).value == at_80
    assert run(calc_id, qt=400, heart_rate=50).value == at_50
    assert run(calc_id, qt=400, heart_rate=60).value == 400  # RR 1 s: every formula returns QT
    # RR 750 ms = 0.75 s = 80/min, QT 0.4 s = 400 ms
    assert run(calc_id, qt="0.4 s", rr_interval="0.75 s").value == at_80
    assert run(calc_id, qt=400, rr_interval=750).value == at_80


@pytest.mark.parametrize(("qtc", "sex", "band"), [
    (449, "male", "normal"), (450, "male", "prolonged"), (459, "female", "normal"), (460, "female", "prolonged"),
    (455, None, "borderline"), (460, None, "prolonged"), (500, "male", "prolonged"), (501, None, "markedly"),
    (390, "male", "short"), (391, "female", "normal")])
def test_qtc_aha_bands(qtc: int, sex: str | None, band: str) -> None:
    # AHA/ACCF/HRS 2009: prolonged >= 450 ms men, >= 460 ms women, short <= 390; > 500 ms high risk
    assert aha_band(qtc, sex).startswith(band)


@pytest.mark.parametrize(("age", "sex", "band"), [
    (30, "male", "prolonged"),   # limit 430
    (50, "male", "prolonged"),   # limit 440
    (50, "female", "normal"),    # limit 450
    (75, "male", "normal")])     # limit 455
def test_qtc_rautaharju_age_sex_criteria(age: int, sex: str, band: str) -> None:
    # QTc 444 ms against Rautaharju 2014 age/sex criteria
    r = run("qtc_rautaharju", qt=400, heart_rate=80, age=age, sex=sex)
    assert r.value == 444 and r.interpretation.startswith(band)


def test_qtc_input_errors() -> None:
    raises_naming("heart_rate", "qtc_bazett", qt=400)
    raises_naming("not both", "qtc_bazett", qt=400, heart_rate=80, rr_interval=750)
    raises_naming("qt", "qtc_bazett", qt=900, heart_rate=80)
    raises_naming("heart_rate", "qtc_bazett", qt=400, heart_rate=400)
    raises_naming("qt", "qtc_fridericia", qt="400 kg", heart_rate=80)


# --- liver ---------------------------------------------------------------------------------------


def test_fib4() -> None:
    # 50 x 40 / (200 x sqrt(36)) = 1.67, indeterminate
    r = run("fib4", age=50, ast=40, alt=36, platelets=200)
    assert r.value == pytest.approx(1.67) and r.interpretation.startswith("1.45-3.25")
    assert run("fib4", age=50, ast=40, alt=36, platelets="200 10^3/uL").value == pytest.approx(1.67)
    raises_naming("platelets", "fib4", age=50, ast=40, alt=36, platelets=0)


@pytest.mark.parametrize(("age", "ast", "alt", "value", "band"), [
    (20, 36, 25, 1.44, "< 1.45"),        # 20 x 36 / (100 x 5)
    (29, 30, 36, 1.45, "1.45-3.25"),     # 29 x 30 / (100 x 6)
    (65, 25, 25, 3.25, "1.45-3.25"),     # 65 x 25 / (100 x 5)
    (66, 25, 25, 3.30, "> 3.25")])
def test_fib4_sterling_cutoffs(age: int, ast: int, alt: int, value: float, band: str) -> None:
    r = run("fib4", age=age, ast=ast, alt=alt, platelets=100)
    assert r.value == pytest.approx(value) and r.interpretation.startswith(band)
    assert ("age_65_note" in r.details) == (age >= 65)


def test_meld_na_worked_examples() -> None:
    # 0.957 ln 2 + 0.378 ln 3 + 1.120 ln 1.5 + 0.643 = 2.1757 -> 2.2 -> MELD(i) 22;
    # 22 + 1.32 x 7 - 0.033 x 22 x 7 = 26.158 -> 26
    r = run("meld_na", creatinine=2.0, bilirubin=3.0, inr=1.5, sodium=130)
    assert r.value == 26 and r.details["meld"] == 22 and r.interpretation.startswith("20-29")
    # Same in umol/L: 2.0 mg/dL = 176.8, 3.0 mg/dL = 51.3
    assert run("meld_na", creatinine="176.8 umol/L", bilirubin="51.3 umol/L", inr=1.5, sodium=130).value == 26
    # 0.957 ln 1.8 + 0.378 ln 2.5 + 1.120 ln 1.3 + 0.643 = 1.8457 -> 18; 18 + 9.24 - 4.158 = 23.08 -> 23
    assert run("meld_na", creatinine=1.8, bilirubin=2.5, inr=1.3, sodium=130).value == 23


def test_meld_na_unos_rules() -> None:
    # Every value below 1.0 is set to 1.0 and Na above 137 to 137: 0.643 -> 0.6 -> 6
    r = run("meld_na", creatinine=0.5, bilirubin=0.5, inr=0.9, sodium=140)
    assert r.value == 6 and r.details["sodium_used"] == 137 and r.interpretation.startswith("<= 9")
    # Dialysis sets creatinine to 4.0: 0.957 ln 4 + 0.643 = 1.9697 -> 20
    assert run("meld_na", creatinine=1.5, bilirubin=1, inr=1, sodium=137, dialysis=True).value == 20
    assert run("meld_na", creatinine=6.0, bilirubin=1, inr=1, sodium=137).value == 20  # cap 4.0
    # MELD(i) 10 (<= 11): no sodium term even at Na 125
    r = run("meld_na", creatinine=1.5, bilirubin=1, inr=1, sodium=125)
    assert r.value == 10 and r.details["sodium_adjusted"] is False
    # Sodium floor 125: Na 120 scores as 125
    assert run("meld_na", creatinine=2.0, bilirubin=3.0, inr=1.5, sodium=120).value == \
        run("meld_na", creatinine=2.0, bilirubin=3.0, inr=1.5, sodium=125).value
    # MELD(i) 51 -> 46.6 after sodium -> capped at 40
    r = run("meld_na", creatinine=4.0, bilirubin=30, inr=5, sodium=125)
    assert r.value == 40 and r.interpretation.startswith(">= 40")
    raises_naming("inr", "meld_na", creatinine=1, bilirubin=1, inr=30, sodium=137)


def _child(**kw: Any) -> Result:
    base: dict[str, Any] = {"bilirubin": 1.0, "albumin": 4.0, "inr": 1.0, "ascites": "none",
                            "encephalopathy": "none"}
    base.update(kw)
    return run("child_pugh", **{k: v for k, v in base.items() if v is not None})


def test_child_pugh_classes() -> None:
    r = _child()
    assert r.value == 5 and r.details["child_pugh_class"] == "A"
    assert dict(r.points) == {"bilirubin": 1, "albumin": 1, "inr": 1, "ascites": 1, "encephalopathy": 1}
    assert _child(bilirubin=2.5).value == 6 and _child(bilirubin=2.5).interpretation.startswith("Child-Pugh class A")
    assert _child(bilirubin=2.5, albumin=3.0).interpretation == "Child-Pugh class B (7-9 points)"
    r = _child(bilirubin=2.5, albumin=3.0, inr=2.0, ascites="slight")
    assert r.value == 9 and r.details["child_pugh_class"] == "B"
    r = _child(bilirubin=2.5, albumin=3.0, inr=2.0, ascites="slight", encephalopathy="1-2")
    assert r.value == 10 and r.details["child_pugh_class"] == "C"
    r = _child(bilirubin=5, albumin=2.0, inr=3.0, ascites="moderate", encephalopathy="3-4")
    assert r.value == 15 and r.details["child_pugh_class"] == "C"


@pytest.mark.parametrize(("kw", "criterion", "points"), [
    ({"bilirubin": 1.99}, "bilirubin", 1), ({"bilirubin": 2.0}, "bilirubin", 2), ({"bilirubin": 3.0}, "bilirubin", 2),
    ({"bilirubin": 3.01}, "bilirubin", 3), ({"albumin": 3.51}, "albumin", 1), ({"albumin": 3.5}, "albumin", 2),
    ({"albumin": 2.8}, "albumin", 2), ({"albumin": 2.79}, "albumin", 3), ({"inr": 1.69}, "inr", 1),
    ({"inr": 1.7}, "inr", 2), ({"inr": 2.3}, "inr", 2), ({"inr": 2.31}, "inr", 3),
    ({"inr": None, "pt_prolongation": 3.9}, "prothrombin_time", 1),
    ({"inr": None, "pt_prolongation": 4}, "prothrombin_time", 2),
    ({"inr": None, "pt_prolongation": 6}, "prothrombin_time", 2),
    ({"inr": None, "pt_prolongation": 6.1}, "prothrombin_time", 3),
    ({"bilirubin": 5, "cholestatic": True}, "bilirubin", 2), ({"bilirubin": 3.9, "cholestatic": True}, "bilirubin", 1),
    ({"bilirubin": 10.1, "cholestatic": True}, "bilirubin", 3),
    ({"bilirubin": "34.2 umol/L"}, "bilirubin", 2), ({"albumin": "35 g/L"}, "albumin", 2)])
def test_child_pugh_criterion_boundaries(kw: dict[str, Any], criterion: str, points: int) -> None:
    # Pugh 1973: bilirubin < 2 / 2-3 / > 3 mg/dL (PBC: < 4 / 4-10 / > 10); albumin > 3.5 / 2.8-3.5 / < 2.8
    # g/dL; PT prolonged < 4 / 4-6 / > 6 s; INR < 1.7 / 1.7-2.3 / > 2.3 (later convention)
    assert _child(**kw).points[criterion] == points


def test_child_pugh_input_errors() -> None:
    with pytest.raises(BadInputError, match="inr"):
        _child(inr=None)
    with pytest.raises(BadInputError, match="not both"):
        _child(pt_prolongation=3)
    with pytest.raises(BadInputError, match="ascites"):
        _child(ascites="severe")
    with pytest.raises(BadInputError, match="encephalopathy"):
        _child(encephalopathy="grade 5")


# --- dosing --------------------------------------------------------------------------------------


def test_mme_cdc_examples() -> None:
    # CDC 2016/2022 table footnote: oxycodone ER 10 mg twice daily = 20 mg = 30 MME; hydrocodone
    # 5 mg four times daily = 20 mg = 20 MME
    assert run("morphine_mme", drug="oxycodone", daily_dose=20).value == pytest.approx(30.0)
    assert run("morphine_mme", drug="hydrocodone", daily_dose=20).value == pytest.approx(20.0)
    # Transdermal fentanyl 25 mcg/h x 2.4 = 60 MME/day
    r = run("morphine_mme", drug="fentanyl_transdermal", patch_rate=25)
    assert r.value == pytest.approx(60.0) and r.interpretation.startswith("50-89")


@pytest.mark.parametrize(("dose", "factor"), [(20, 4), (21, 8), (40, 8), (41, 10), (60, 10), (61, 12), (80, 12)])
def test_mme_methadone_cdc_2016_tiers(dose: int, factor: int) -> None:
    r = run("morphine_mme", drug="methadone", daily_dose=dose)
    assert r.details["conversion_factor"] == factor and r.value == pytest.approx(dose * factor)
    assert r.details["mme_cdc2022"] == pytest.approx(round(dose * 4.7, 1))


def test_mme_guidelines_and_bands() -> None:
    assert "beyond the CDC 2016 table" in run("morphine_mme", drug="methadone", daily_dose=90).interpretation
    # 2016 vs 2022: hydromorphone 4 vs 5, tramadol 0.1 vs 0.2, methadone single 4.7
    assert run("morphine_mme", drug="hydromorphone", daily_dose=10).value == pytest.approx(40.0)
    assert run("morphine_mme", drug="hydromorphone", daily_dose=10, guideline="cdc2022").value == pytest.approx(50.0)
    r = run("morphine_mme", drug="tramadol", daily_dose=200)
    assert r.value == pytest.approx(20.0) and r.details["mme_cdc2022"] == pytest.approx(40.0)
    assert run("morphine_mme", drug="methadone", daily_dose=20, guideline="cdc2022").value == pytest.approx(94.0)
    assert run("morphine_mme", drug="morphine", daily_dose=49.9).interpretation.startswith("< 50")
    assert run("morphine_mme", drug="morphine", daily_dose=50).interpretation.startswith("50-89")
    assert run("morphine_mme", drug="morphine", daily_dose=89.9).interpretation.startswith("50-89")
    assert run("morphine_mme", drug="morphine", daily_dose=90).interpretation.startswith(">= 90")


def test_mme_input_errors() -> None:
    raises_naming("patch_rate", "morphine_mme", drug="fentanyl_transdermal", daily_dose=25)
    raises_naming("daily_dose", "morphine_mme", drug="oxycodone")
    raises_naming("daily_dose", "morphine_mme", drug="oxycodone", daily_dose="30 mg")  # not mg/day
    raises_naming("drug", "morphine_mme", drug="heroin", daily_dose=10)
    assert run("morphine_mme", drug="oxycodone", daily_dose="20 mg/day").value == pytest.approx(30.0)


@pytest.mark.parametrize(("src", "dose", "dst", "expected"), [
    ("prednisone", 40, "dexamethasone", 6.0),          # 40 / 5 x 0.75
    ("hydrocortisone", 20, "prednisone", 5.0),
    ("hydrocortisone", 100, "methylprednisolone", 20.0),
    ("methylprednisolone", 4, "prednisolone", 5.0),
    ("dexamethasone", 0.75, "betamethasone", 0.75),  # BNF: equal potency (Liu 2013 lists 0.6)
    ("triamcinolone", 4, "hydrocortisone", 20.0),
    ("prednisone", 7.5, "prednisone", 7.5)])
def test_steroid_conversion(src: str, dose: float, dst: str, expected: float) -> None:
    r = run("steroid_conversion", from_drug=src, dose=dose, to_drug=dst)
    assert r.value == pytest.approx(expected) and r.unit == "mg"


def test_steroid_conversion_units_and_details() -> None:
    r = run("steroid_conversion", from_drug="dexamethasone", dose="4000 mcg", to_drug="hydrocortisone")
    assert r.value == pytest.approx(106.67) and r.details["prednisone_equivalent_mg"] == pytest.approx(26.67)
    raises_naming("to_drug", "steroid_conversion", from_drug="prednisone", dose=10, to_drug="fludrocortisone")


@pytest.mark.parametrize(("weight", "per_hour", "per_day"), [
    (8, 32.0, 800), (10, 40.0, 1000), (15, 50.0, 1250), (20, 60.0, 1500), (25, 65.0, 1600), (70, 110.0, 2500)])
def test_maintenance_fluids_holliday_segar(weight: float, per_hour: float, per_day: int) -> None:
    # 4-2-1 mL/kg/h and 100/50/20 mL/kg/day (Holliday & Segar 1957)
    r = run("maintenance_fluids", weight=weight)
    assert r.value == pytest.approx(per_hour) and r.details["ml_per_day"] == per_day


def test_maintenance_fluids_units() -> None:
    r = run("maintenance_fluids", weight="154.324 lb")  # 70 kg
    assert r.value == pytest.approx(110.0, abs=0.05) and r.details["ml_per_hour_from_daily"] == pytest.approx(104.2)
    raises_naming("weight", "maintenance_fluids", weight=1)


# --- obstetric -----------------------------------------------------------------------------------


def test_due_date_naegele() -> None:
    assert run("due_date_naegele", lmp="2024-01-01").value == "2024-10-07"  # + 280 days
    # Naegele's calendar form (+7 d, -3 mo, +1 y) would give 2023-12-08 (282 days); 280 days is used.
    assert run("due_date_naegele", lmp="2023-03-01").value == "2023-12-06"
    assert run("due_date_naegele", lmp="2024-01-01", cycle_length=35).value == "2024-10-14"
    assert run("due_date_naegele", lmp="2024-01-01", cycle_length=21).value == "2024-09-30"


@pytest.mark.parametrize(("days", "band"), [
    (97, "first trimester"), (98, "second trimester"), (195, "second trimester"), (196, "third trimester"),
    (258, "third trimester, preterm"), (259, "early term"), (272, "early term"), (273, "full term"),
    (286, "full term"), (287, "late term"), (293, "late term"), (294, "post-term")])
def test_due_date_gestational_age_bands(days: int, band: str) -> None:
    ref = date(2024, 1, 1) + timedelta(days=days)
    r = run("due_date_naegele", lmp="2024-01-01", reference_date=ref.isoformat())
    assert r.details["gestational_age_days"] == days
    assert r.details["gestational_age"] == f"{days // 7}w{days % 7}d"
    assert band in r.interpretation


def test_due_date_input_errors() -> None:
    r = run("due_date_naegele", lmp="2024-01-01", reference_date="2024-06-01")
    assert r.details["gestational_age"] == "21w5d" and r.details["days_to_due_date"] == 128
    raises_naming("reference_date", "due_date_naegele", lmp="2024-01-01", reference_date="2023-12-01")
    raises_naming("reference_date", "due_date_naegele", lmp="2024-01-01", reference_date="2025-01-01")
    raises_naming("lmp", "due_date_naegele", lmp="2024-13-01")
    raises_naming("cycle_length", "due_date_naegele", lmp="2024-01-01", cycle_length=60)
    raises_naming("cycle_length", "due_date_naegele", lmp="2024-01-01", cycle_length=28.5)
