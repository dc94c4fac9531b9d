"""Issue 14 item 9 fixes: free-water precision, betamethasone, fentanyl MME units, untestable GCS."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.clinical.calculators.base import Result
from assistant.errors import BadInputError


def run(calc_id: str, **inputs: Any) -> Result:
    return get(calc_id).compute(inputs)


# --- free-water deficit (Adrogue & Madias 2000) to 0.01 L ------------------------------------------

@pytest.mark.parametrize(("weight", "sodium", "litres", "ml", "unrounded"), [
    (4, 144, 0.07, 69, 2.4 * (144 / 140 - 1)),   # infant: TBW 0.6 x 4 = 2.4 L; 0.0686 L (was shown 0.1 L)
    (5, 141, 0.02, 21, 3.0 * (141 / 140 - 1)),   # 0.0214 L (was shown 0.0 L)
    (70, 160, 6.0, 6000, 42 * (160 / 140 - 1)),  # adult man, 6.0 L exactly
])
def test_free_water_deficit_small_patients(weight: float, sodium: float, litres: float, ml: int,
                                           unrounded: float) -> None:
    r = run("free_water_deficit", sodium=sodium, weight=weight, age=0.5 if weight < 10 else 40, sex="male")
    assert r.value == pytest.approx(litres)
    assert r.details["deficit_l_unrounded"] == pytest.approx(unrounded)
    assert r.details["deficit_ml"] == ml


# --- corticosteroid equivalence: betamethasone 0.75 mg (BNF), 0.6 mg reading in details ------------

def test_betamethasone_equivalence() -> None:
    r = run("steroid_conversion", from_drug="cortisone", dose=25, to_drug="betamethasone")
    assert r.value == pytest.approx(0.75)
    assert r.details["converted_with_betamethasone_0_6_mg"] == pytest.approx(0.6)
    # prednisolone 40 mg = betamethasone 6 mg (BNF table: 5 mg = 750 micrograms)
    assert run("steroid_conversion", from_drug="prednisolone", dose=40, to_drug="betamethasone").value == 6.0
    r = run("steroid_conversion", from_drug="betamethasone", dose=3, to_drug="hydrocortisone")
    assert r.value == pytest.approx(80.0) and r.details["converted_with_betamethasone_0_6_mg"] == pytest.approx(100.0)
    assert "converted_with_betamethasone_0_6_mg" not in run(
        "steroid_conversion", from_drug="prednisone", dose=10, to_drug="dexamethasone").details


# --- opioid MME: fentanyl in the units it is prescribed in (CDC 2022 table 1) ---------------------

@pytest.mark.parametrize(("inputs", "mme"), [
    ({"drug": "fentanyl_transdermal", "patch_rate": "25 mcg/hr"}, 60.0),     # 25 x 2.4
    ({"drug": "fentanyl_transdermal", "patch_rate": "12 micrograms/hour"}, 28.8),
    ({"drug": "fentanyl_transdermal", "patch_rate": 50, "guideline": "cdc2022"}, 120.0),
    ({"drug": "fentanyl_buccal", "daily_dose_mcg": 400}, 52.0),              # 400 mcg x 0.13
    ({"drug": "fentanyl_buccal", "daily_dose_mcg": "200 mcg/day", "guideline": "cdc2022"}, 26.0),
])
def test_fentanyl_mme(inputs: dict, mme: float) -> None:
    r = run("morphine_mme", **inputs)
    assert r.value == pytest.approx(mme)


def test_fentanyl_dose_must_be_in_its_own_unit() -> None:
    with pytest.raises(BadInputError, match="daily_dose_mcg"):
        run("morphine_mme", drug="fentanyl_buccal", daily_dose=0.4)
    with pytest.raises(BadInputError, match="patch_rate"):
        run("morphine_mme", drug="fentanyl_transdermal", patch_rate=25, daily_dose_mcg=100)
    with pytest.raises(BadInputError, match="daily_dose"):
        run("morphine_mme", drug="morphine", daily_dose_mcg=30000)


# --- GCS with untestable components (Teasdale et al., Lancet Neurol 2014) ---------------------------

def test_gcs_intubated_reports_components_not_a_total() -> None:
    r = run("gcs", eye=3, verbal="T", motor=5)
    assert r.value == "NT"
    assert r.details["notation"] == "E3VTM5"
    assert r.details["sum_of_testable"] == 8 and r.details["suffixed_total"] == "8T"
    assert dict(r.points) == {"eye": 3, "motor": 5}
    assert r.interpretation.startswith("total not reported: verbal intubated")


def test_gcs_eyes_closed_and_other_untestable() -> None:
    r = run("gcs", eye="C", verbal=2, motor="4")
    assert r.value == "NT" and r.details["notation"] == "ECV2M4" and r.details["not_testable"] == ["eye"]
    r = run("gcs", eye=1, verbal="NT", motor="NT")
    assert r.value == "NT" and r.details["sum_of_testable"] == 1 and r.details["suffixed_total"] == "1NT"
    assert run("gcs", eye=4.0, verbal=5, motor=6).value == 15


@pytest.mark.parametrize("bad", [{"eye": "T"}, {"verbal": "C"}, {"motor": "T"}])
def test_gcs_untestable_code_belongs_to_its_component(bad: dict) -> None:
    with pytest.raises(BadInputError, match=next(iter(bad))):
        run("gcs", **{"eye": 4, "verbal": 5, "motor": 6, **bad})
