"""Electrolyte calculators: corrected calcium, glucose-corrected sodium, serum osmolality, free water deficit."""

from __future__ import annotations

from typing import Any

from .base import Calculator, Input, Reference, Result, register, round_half_up

SODIUM = Input("sodium", "Serum sodium", "mmol/L", low=90, high=200)
GLUCOSE = Input("glucose", "Serum/plasma glucose", "mg/dL", low=10, high=3000, alt_units=("mmol/L",),
                analyte="glucose")

# Calcium mmol/L <-> mg/dL (40.08 g/mol), as in units.py; used only to report SI values in details.
_CA_MG_PER_MMOL = 4.008


def _sodium_band(na: float) -> str:
    # Hyponatraemia < 135 mmol/L (Spasovski, Eur J Endocrinol 2014 clinical practice guideline);
    # hypernatraemia > 145 mmol/L (Adrogue & Madias, N Engl J Med 2000).
    if na < 135:
        return "hyponatraemia (< 135 mmol/L)"
    if na > 145:
        return "hypernatraemia (> 145 mmol/L)"
    return "normal sodium (135-145 mmol/L)"


@register
class CorrectedCalcium(Calculator):
    id = "corrected_calcium"
    title = "Albumin-adjusted calcium (Payne)"
    reference = Reference("Payne", "Br Med J", 1973,
                          "Interpretation of serum calcium in patients with abnormal serum proteins")
    # Payne 1973 (abstract and text): adjusted Ca (mg/100 mL) = Ca - albumin (g/100 mL) + 4.0, i.e. a
    # slope of 1.0 mg/dL per g/dL. Many online calculators use 0.8 x (4 - albumin) (0.02 mmol/L per
    # g/L), a later variant; we follow the publication and report the 0.8 variant in details.
    notes = ("Adjusted calcium = calcium - albumin + 4.0 (mg/dL, g/dL), Payne 1973. Ionised calcium is "
             "preferred when available, especially in CKD and critical illness.")
    inputs = (
        Input("calcium", "Total serum calcium", "mg/dL", low=2, high=20, alt_units=("mmol/L",), analyte="calcium"),
        Input("albumin", "Serum albumin", "g/dL", low=0.5, high=7, alt_units=("g/L",), analyte="albumin"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        adjusted = v["calcium"] - v["albumin"] + 4.0
        variant_08 = v["calcium"] + 0.8 * (4.0 - v["albumin"])
        shown = round_half_up(adjusted, 1)
        # Bands: usual adult reference interval 8.5-10.5 mg/dL (2.12-2.62 mmol/L); hypercalcaemia
        # severity mild < 12, moderate 12-14, severe >= 14 mg/dL (Minisola et al. BMJ 2015;350:h2723).
        if shown < 8.5:
            band = "low (hypocalcaemia, < 8.5 mg/dL)"
        elif shown <= 10.5:
            band = "normal (8.5-10.5 mg/dL)"
        elif shown < 12:
            band = "mild hypercalcaemia (10.5-12 mg/dL)"
        elif shown < 14:
            band = "moderate hypercalcaemia (12-14 mg/dL)"
        else:
            band = "severe hypercalcaemia (>= 14 mg/dL)"
        return self.result(v, shown, "mg/dL", band, adjusted_mmol_l=round_half_up(adjusted / _CA_MG_PER_MMOL, 2),
                           unrounded=round_half_up(adjusted, 3), variant_0_8_mg_dl=round_half_up(variant_08, 2))


@register
class SodiumCorrectionHyperglycemia(Calculator):
    id = "sodium_correction_hyperglycemia"
    title = "Sodium corrected for hyperglycaemia"
    reference = Reference("Hillier", "Am J Med", 1999, "Hyponatremia: evaluating the correction factor for "
                          "hyperglycemia")
    # Value: Hillier 1999, 2.4 mmol/L per 100 mg/dL of glucose above 100, measured in volunteers made
    # hyperglycaemic; Katz (N Engl J Med 1973, 1.6 per 100 mg/dL) derived his factor theoretically.
    # Both are reported; the Katz result is in details as corrected_sodium_katz.
    notes = ("Value uses Hillier 1999 (2.4 mmol/L per 100 mg/dL glucose above 100 mg/dL); the Katz 1973 "
             "factor (1.6) is given in details. No correction below 100 mg/dL (5.6 mmol/L).")
    inputs = (SODIUM, GLUCOSE)

    def _compute(self, v: dict[str, Any]) -> Result:
        excess = max(v["glucose"] - 100.0, 0.0) / 100.0
        hillier = v["sodium"] + 2.4 * excess
        katz = v["sodium"] + 1.6 * excess
        shown = round_half_up(hillier, 1)
        return self.result(v, shown, "mmol/L", _sodium_band(shown), factor_used="Hillier 1999: 2.4",
                           corrected_sodium_katz=round_half_up(katz, 1), katz_reference="Katz. N Engl J Med 1973. "
                           "Hyperglycemia-induced hyponatremia: calculation of expected serum sodium depression")


@register
class SerumOsmolality(Calculator):
    id = "serum_osmolality"
    title = "Calculated serum osmolality (and osmolal gap)"
    reference = Reference("Smithline", "JAMA", 1976, "Gaps: anionic and osmolal")
    notes = ("2 x Na + glucose/18 + BUN/2.8 (mg/dL), equal to 2 x Na + glucose + urea in mmol/L. Ethanol "
             "adds ethanol/3.7 (Purssell, Ann Emerg Med 2001). Give measured osmolality for the osmolal gap.")
    inputs = (
        SODIUM, GLUCOSE,
        Input("bun", "Blood urea nitrogen (or urea in mmol/L)", "mg/dL", low=1, high=300, alt_units=("mmol/L",),
              analyte="bun"),
        Input("ethanol", "Serum ethanol (optional)", "mg/dL", required=False, low=0, high=1000),
        Input("measured_osmolality", "Measured serum osmolality (optional), for the osmolal gap", "mOsm/kg",
              required=False, low=200, high=500),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        # Divisors 18 and 2.8 exactly as published (mg/dL -> mmol/L for glucose and urea nitrogen).
        osm = 2 * v["sodium"] + v["glucose"] / 18 + v["bun"] / 2.8
        if v["ethanol"] is not None:
            osm += v["ethanol"] / 3.7
        shown = round_half_up(osm, 1)
        details: dict[str, Any] = {"ethanol_included": v["ethanol"] is not None}
        # Usual reference interval for serum osmolality 275-295 mOsm/kg.
        band = ("low (< 275 mOsm/kg)" if shown < 275 else "high (> 295 mOsm/kg)" if shown > 295
                else "normal (275-295 mOsm/kg)")
        if v["measured_osmolality"] is not None:
            gap = v["measured_osmolality"] - osm
            details["osmolal_gap"] = round_half_up(gap, 1)
            # Smithline & Gardner: a gap above 10 mOsm/kg points to unmeasured osmoles (toxic alcohols...).
            band += ("; osmolal gap > 10: unmeasured osmoles (e.g. toxic alcohols)" if round_half_up(gap, 1) > 10
                     else "; osmolal gap <= 10 (normal)")
        return self.result(v, shown, "mOsm/kg", band, **details)


def tbw_fraction(age: float, sex: str) -> float:
    """Fraction of body weight that is water (Adrogue & Madias 2000, table 3 footnote)."""
    if age < 18:
        return 0.6  # children
    if age < 65:  # "elderly" is not defined there; 65 years is used
        return 0.6 if sex == "male" else 0.5
    return 0.5 if sex == "male" else 0.45


@register
class FreeWaterDeficit(Calculator):
    id = "free_water_deficit"
    title = "Free water deficit in hypernatraemia"
    reference = Reference("Adrogue", "N Engl J Med", 2000, "Hypernatremia")
    notes = ("Deficit (L) = TBW x (Na / target - 1), TBW = weight x 0.6 (children, men < 65), 0.5 (women "
             "< 65, men >= 65) or 0.45 (women >= 65). Shown to 0.01 L (unrounded in details). Excludes "
             "ongoing losses.")
    inputs = (
        SODIUM,
        Input("weight", "Body weight", "kg", low=0.5, high=400, alt_units=("lb",)),
        Input("age", "Age", "years", low=0, high=120),
        Input("sex", "Sex", kind="choice", choices=("female", "male")),
        Input("target_sodium", "Target sodium", "mmol/L", required=False, low=130, high=150, default=140.0),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        fraction = tbw_fraction(v["age"], v["sex"])
        tbw = fraction * v["weight"]
        deficit = tbw * (v["sodium"] / v["target_sodium"] - 1)
        # Shown to 0.01 L, because an infant's deficit is tens of millilitres (4 kg at 144 mmol/L:
        # 0.069 L) and one decimal would show 0.1 L or 0.0 L; the unrounded litres are in the details.
        details: dict[str, Any] = {"tbw_fraction": fraction, "total_body_water_l": round_half_up(tbw, 2),
                                   "deficit_l_unrounded": max(deficit, 0.0),
                                   "deficit_ml": round_half_up(max(deficit, 0.0) * 1000)}
        if deficit <= 0:
            return self.result(v, 0.0, "L", "no free water deficit: sodium at or below target", **details)
        # Chronic hypernatraemia: lower sodium by no more than 10 mmol/L a day (Adrogue & Madias 2000).
        return self.result(v, round_half_up(deficit, 2), "L",
                           "free water deficit; add ongoing losses and lower sodium by <= 10 mmol/L per day "
                           "when chronic", **details)
