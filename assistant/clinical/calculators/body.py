"""Body-size calculators: BMI, body-surface area, ideal and adjusted body weight."""

from __future__ import annotations

import math
from typing import Any

from .base import Calculator, Input, Reference, Result, register, round_half_up

SEX = Input("sex", "Sex (the formulas were derived for biological sex)", kind="choice",
            choices=("female", "male"))
WEIGHT = Input("weight", "Actual (total) body weight", "kg", low=0.5, high=400, alt_units=("lb",))
ADULT_HEIGHT = Input("height", "Body height", "cm", low=120, high=260, alt_units=("in", "m"))

_CM_PER_INCH = 2.54
_FIVE_FEET_CM = 60 * _CM_PER_INCH


@register
class BMI(Calculator):
    id = "bmi"
    title = "Body mass index"
    reference = Reference("Keys", "J Chronic Dis", 1972, "Indices of relative weight and obesity")
    inputs = (
        Input("weight", "Body weight", "kg", low=0.5, high=400, alt_units=("lb",)),
        Input("height", "Body height", "cm", low=30, high=260, alt_units=("in", "m")),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        bmi = v["weight"] / (v["height"] / 100) ** 2
        # WHO adult bands (WHO Technical Report Series 894, 2000)
        band = ("underweight" if bmi < 18.5 else "normal" if bmi < 25 else "overweight" if bmi < 30
                else "obese class I" if bmi < 35 else "obese class II" if bmi < 40 else "obese class III")
        return self.result(v, round_half_up(bmi, 1), "kg/m2", band)


@register
class BSAMosteller(Calculator):
    id = "bsa_mosteller"
    title = "Body surface area (Mosteller)"
    reference = Reference("Mosteller", "N Engl J Med", 1987, "Simplified calculation of body-surface area",
                          et_al=False)
    inputs = (
        Input("weight", "Body weight", "kg", low=0.5, high=400, alt_units=("lb",)),
        Input("height", "Body height", "cm", low=30, high=260, alt_units=("in", "m")),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        # Mosteller: BSA (m2) = sqrt(height cm x weight kg / 3600)
        bsa = math.sqrt(v["height"] * v["weight"] / 3600)
        return self.result(v, round_half_up(bsa, 2), "m2", "body surface area for dose calculation",
                           unrounded=round_half_up(bsa, 4))


def devine_ibw(height_cm: float, sex: str) -> float:
    """Devine 1974: 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch of height over 5 feet."""
    base = 50.0 if sex == "male" else 45.5
    return base + 2.3 * (height_cm - _FIVE_FEET_CM) / _CM_PER_INCH


def _below_five_feet_note(height_cm: float) -> str:
    # Devine's rule starts at 5 ft; below that it is extrapolated linearly (2.3 kg per inch less),
    # which is common practice but not validated, so the user is told.
    return "; height under 5 ft (152.4 cm): Devine's rule extrapolated" if height_cm < _FIVE_FEET_CM else ""


@register
class IdealBodyWeight(Calculator):
    id = "ideal_body_weight"
    title = "Ideal body weight (Devine)"
    reference = Reference("Devine", "Drug Intell Clin Pharm", 1974, "Gentamicin therapy", et_al=False)
    notes = "Adults only. Defined from 5 ft (152.4 cm); shorter heights are extrapolated and flagged."
    inputs = (ADULT_HEIGHT, SEX)

    def _compute(self, v: dict[str, Any]) -> Result:
        ibw = devine_ibw(v["height"], v["sex"])
        return self.result(v, round_half_up(ibw, 1), "kg",
                           "ideal body weight" + _below_five_feet_note(v["height"]),
                           ibw_lb=round_half_up(ibw / 0.45359237, 1), extrapolated=v["height"] < _FIVE_FEET_CM)


@register
class AdjustedBodyWeight(Calculator):
    id = "adjusted_body_weight"
    title = "Adjusted body weight (IBW + 0.4 x excess)"
    reference = Reference("Bauer", "Eur J Clin Pharmacol", 1983,
                          "Influence of weight on aminoglycoside pharmacokinetics in normal weight and "
                          "morbidly obese patients")
    notes = ("Adjusted weight = IBW + 0.4 x (actual - IBW), the 0.4 factor from Bauer 1983 "
             "(aminoglycosides); IBW by Devine 1974.")
    inputs = (WEIGHT, ADULT_HEIGHT, SEX)

    def _compute(self, v: dict[str, Any]) -> Result:
        ibw = devine_ibw(v["height"], v["sex"])
        abw = ibw + 0.4 * (v["weight"] - ibw)
        pct = 100 * v["weight"] / ibw
        # The adjustment is meant for obesity; >120 % of IBW is the usual trigger in dosing
        # references. Below IBW the formula gives a weight under the actual one: use actual weight.
        if v["weight"] <= ibw:
            band = "actual weight at or below ideal: use actual body weight, not the adjusted weight"
        elif pct > 120:
            band = "actual weight > 120% of ideal: adjusted weight commonly used for dosing"
        else:
            band = "actual weight <= 120% of ideal: adjusted weight usually not needed"
        return self.result(v, round_half_up(abw, 1), "kg", band + _below_five_feet_note(v["height"]),
                           ideal_body_weight=round_half_up(ibw, 1), percent_of_ideal=round_half_up(pct, 1))


@register
class TargetWeight(Calculator):
    id = "target_weight"
    title = "Target body weight for a target BMI"
    reference = Reference("Keys", "J Chronic Dis", 1972, "Indices of relative weight and obesity")
    notes = ("Weight (kg) = target BMI x height (m) squared, the body mass index of Keys 1972 solved for "
             "weight. Give the current weight for the change needed.")
    inputs = (
        Input("height", "Body height", "cm", low=30, high=260, alt_units=("in", "m")),
        Input("target_bmi", "Target body mass index", "kg/m2", low=10, high=60),
        Input("weight", "Current body weight (optional)", "kg", required=False, low=0.5, high=400,
              alt_units=("lb",)),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        target = v["target_bmi"] * (v["height"] / 100) ** 2
        details: dict[str, Any] = {"target_weight_unrounded": target}
        band = f"weight at BMI {v['target_bmi']:g} kg/m2 for this height"
        if v["weight"] is not None:
            change = target - v["weight"]
            details["change_kg"] = round_half_up(change, 1)
            details["current_bmi"] = round_half_up(v["weight"] / (v["height"] / 100) ** 2, 1)
            band += f"; {'lose' if change < 0 else 'gain'} {abs(round_half_up(change, 1)):g} kg to reach it"
        return self.result(v, round_half_up(target, 1), "kg", band, **details)
