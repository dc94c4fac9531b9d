"""Acid-base calculators: anion gap, albumin-corrected anion gap, delta gap and delta ratio."""

from __future__ import annotations

from typing import Any, ClassVar

from assistant.errors import BadInputError

from .base import Calculator, Input, Reference, Result, register, round_half_up

SODIUM = Input("sodium", "Serum sodium", "mmol/L", low=90, high=200)
CHLORIDE = Input("chloride", "Serum chloride", "mmol/L", low=50, high=160)
BICARBONATE = Input("bicarbonate", "Serum bicarbonate (total CO2)", "mmol/L", low=1, high=60)
POTASSIUM = Input("potassium", "Serum potassium (optional; adds K to the cations)", "mmol/L",
                  required=False, low=1, high=10)
ALBUMIN = Input("albumin", "Serum albumin", "g/dL", low=0.5, high=7, alt_units=("g/L",), analyte="albumin")
NORMAL_ALBUMIN = Input("normal_albumin", "Laboratory's normal albumin", "g/dL", required=False, low=3, high=5.5,
                       alt_units=("g/L",), analyte="albumin", default=4.0)

# Reference interval of the potassium-free gap. Emmett & Narins 1977 gave 12 +/- 4 mmol/L (8-16), the
# basis of the "normal gap 12" used by the delta gap and delta ratio below; analysers with
# ion-selective electrodes read lower (about 3-11, Kraut & Madias, Clin J Am Soc Nephrol 2007), so the
# interval can be set to the laboratory's own.
RANGE_INPUTS = (
    Input("normal_low", "Lower limit of the laboratory's anion-gap interval (without K)", "mmol/L",
          required=False, low=0, high=20, default=8.0),
    Input("normal_high", "Upper limit of the laboratory's anion-gap interval (without K)", "mmol/L",
          required=False, low=5, high=30, default=16.0),
)
# Mean normal values used by Wrenn 1990 and Rastegar 2007.
NORMAL_GAP_INPUT = Input("normal_anion_gap", "Normal (baseline) anion gap", "mmol/L", required=False,
                         low=0, high=25, default=12.0)
NORMAL_BICARB_INPUT = Input("normal_bicarbonate", "Normal (baseline) bicarbonate", "mmol/L",
                            required=False, low=15, high=35, default=24.0)


def anion_gap(v: dict[str, Any]) -> float:
    """Potassium-free anion gap Na - (Cl + HCO3)."""
    return v["sodium"] - (v["chloride"] + v["bicarbonate"])


def _check_range(calc_id: str, v: dict[str, Any]) -> None:
    if v["normal_low"] >= v["normal_high"]:
        raise BadInputError(f"{calc_id}: normal_low must be below normal_high")


def _gap_band(gap: float, low: float, high: float) -> str:
    if gap > high:
        return f"high anion gap (> {high:g} mmol/L): unmeasured anions, e.g. lactate, ketones, toxins, uraemia"
    if gap < low:
        return f"low anion gap (< {low:g} mmol/L): consider hypoalbuminaemia, paraproteins, lab error"
    return f"normal anion gap ({low:g}-{high:g} mmol/L)"


@register
class AnionGap(Calculator):
    id = "anion_gap"
    title = "Serum anion gap"
    reference = Reference("Emmett", "Medicine (Baltimore)", 1977, "Clinical use of the anion gap")
    notes = ("Value is Na + K - (Cl + HCO3) when potassium is given, else Na - (Cl + HCO3). The band is "
             "always judged on the potassium-free gap against the laboratory interval (default 8-16, "
             "Emmett & Narins 1977), because reference intervals are quoted without potassium.")
    inputs = (SODIUM, CHLORIDE, BICARBONATE, POTASSIUM, *RANGE_INPUTS)

    def _compute(self, v: dict[str, Any]) -> Result:
        _check_range(self.id, v)
        gap = anion_gap(v)
        value = gap + v["potassium"] if v["potassium"] is not None else gap
        band = _gap_band(round_half_up(gap, 1), v["normal_low"], v["normal_high"])
        if v["potassium"] is not None:
            band += f" (judged on the potassium-free gap {gap:.1f})"
        return self.result(v, round_half_up(value, 1), "mmol/L", band, anion_gap_without_potassium=round_half_up(gap, 1),
                           potassium_included=v["potassium"] is not None)


@register
class AlbuminCorrectedAnionGap(Calculator):
    id = "albumin_corrected_anion_gap"
    title = "Albumin-corrected anion gap (Figge)"
    reference = Reference("Figge", "Crit Care Med", 1998, "Anion gap and hypoalbuminemia")
    notes = ("Adjusted gap = Na - (Cl + HCO3) + 2.5 x (normal albumin - albumin) with albumin in g/dL "
             "(0.25 per g/L). Figge leaves the normal albumin to the laboratory; 4.0 g/dL is the default.")
    inputs = (SODIUM, CHLORIDE, BICARBONATE, ALBUMIN,
              NORMAL_ALBUMIN, *RANGE_INPUTS)

    def _compute(self, v: dict[str, Any]) -> Result:
        _check_range(self.id, v)
        gap = anion_gap(v)
        corrected = gap + 2.5 * (v["normal_albumin"] - v["albumin"])
        band = _gap_band(round_half_up(corrected, 1), v["normal_low"], v["normal_high"])
        return self.result(v, round_half_up(corrected, 1), "mmol/L", band, observed_anion_gap=round_half_up(gap, 1),
                           albumin_correction=round_half_up(corrected - gap, 2))


def _deltas(v: dict[str, Any]) -> tuple[float, float, float]:
    # With albumin given (the albumin-corrected variants), the gap is Figge's: each g/dL of albumin
    # below normal hides about 2.5 mmol/L of anion gap.
    gap = anion_gap(v)
    if v.get("albumin") is not None:
        gap += 2.5 * (v["normal_albumin"] - v["albumin"])
    return gap, gap - v["normal_anion_gap"], v["normal_bicarbonate"] - v["bicarbonate"]


def _observed(v: dict[str, Any]) -> dict[str, Any]:
    return {"observed_anion_gap": round_half_up(anion_gap(v), 1)} if v.get("albumin") is not None else {}


@register
class DeltaGap(Calculator):
    id = "delta_gap"
    title = "Delta gap (excess anion gap minus bicarbonate deficit)"
    reference = Reference("Wrenn", "Ann Emerg Med", 1990, "The delta (delta) gap: an approach to mixed "
                          "acid-base disorders", et_al=False)
    # Wrenn defines the delta gap as (AG - 12) - (24 - HCO3), about 0 +/- 6 in a pure gap acidosis. Some
    # online calculators (e.g. MDCalc) call AG - 12 alone the "delta gap"; that is reported in details
    # as delta_anion_gap, with the corrected bicarbonate HCO3 + (AG - 12).
    notes = "Delta gap = (AG - normal AG) - (normal HCO3 - HCO3); normal AG 12 and HCO3 24 by default."
    inputs: ClassVar[tuple[Input, ...]] = (SODIUM, CHLORIDE, BICARBONATE, NORMAL_GAP_INPUT, NORMAL_BICARB_INPUT)

    def _compute(self, v: dict[str, Any]) -> Result:
        gap, d_ag, d_hco3 = _deltas(v)
        delta = d_ag - d_hco3
        if delta > 6:
            band = "delta gap > +6: metabolic alkalosis (or compensated respiratory acidosis) coexists"
        elif delta < -6:
            band = "delta gap < -6: hyperchloraemic (normal-gap) metabolic acidosis coexists"
        else:
            band = "delta gap within +/-6: no second metabolic disorder suggested"
        return self.result(v, round_half_up(delta, 1), "mmol/L", band, anion_gap=round_half_up(gap, 1),
                           delta_anion_gap=round_half_up(d_ag, 1), delta_bicarbonate=round_half_up(d_hco3, 1),
                           corrected_bicarbonate=round_half_up(v["bicarbonate"] + d_ag, 1), **_observed(v))


@register
class DeltaRatio(Calculator):
    id = "delta_ratio"
    title = "Delta ratio (delta AG / delta HCO3)"
    reference = Reference("Rastegar", "J Am Soc Nephrol", 2007,
                          "Use of the deltaAG/deltaHCO3- ratio in the diagnosis of mixed acid-base disorders",
                          et_al=False)
    notes = "Meaningful only in a high anion gap metabolic acidosis (bicarbonate below normal)."
    inputs: ClassVar[tuple[Input, ...]] = (SODIUM, CHLORIDE, BICARBONATE, NORMAL_GAP_INPUT, NORMAL_BICARB_INPUT)

    def _compute(self, v: dict[str, Any]) -> Result:
        gap, d_ag, d_hco3 = _deltas(v)
        if d_hco3 <= 0:
            raise BadInputError(f"{self.id}: bicarbonate {v['bicarbonate']:g} is not below the normal "
                                f"{v['normal_bicarbonate']:g} mmol/L; the ratio is undefined without acidosis")
        ratio = d_ag / d_hco3
        # Rastegar 2007: about 1-2 in an uncomplicated high-gap acidosis (about 1 in ketoacidosis,
        # about 1.6 in lactic acidosis); < 1 adds a normal-gap acidosis; > 2 adds a metabolic alkalosis.
        shown = round_half_up(ratio, 2)
        if shown < 1:
            band = "< 1: high-gap acidosis with a coexisting normal-gap (hyperchloraemic) acidosis"
        elif shown <= 2:
            band = "1-2: uncomplicated high anion gap metabolic acidosis"
        else:
            band = "> 2: high-gap acidosis with a coexisting metabolic alkalosis (or chronic respiratory acidosis)"
        if d_ag <= 0:
            band = "anion gap not raised: normal-gap metabolic acidosis; delta ratio not informative"
        return self.result(v, shown, "", band, anion_gap=round_half_up(gap, 1), delta_anion_gap=round_half_up(d_ag, 1),
                           delta_bicarbonate=round_half_up(d_hco3, 1), **_observed(v))


_ALBUMIN_NOTE = (" The anion gap is first corrected for albumin (Figge 1998): + 2.5 x (normal albumin - albumin) "
                 "in g/dL, normal 4.0 by default; the details give the observed gap.")
_CORRECTED_INPUTS = (SODIUM, CHLORIDE, BICARBONATE, ALBUMIN, NORMAL_ALBUMIN, NORMAL_GAP_INPUT, NORMAL_BICARB_INPUT)


@register
class AlbuminCorrectedDeltaGap(DeltaGap):
    id = "albumin_corrected_delta_gap"
    title = "Albumin-corrected delta gap"
    notes = DeltaGap.notes + _ALBUMIN_NOTE
    inputs = _CORRECTED_INPUTS


@register
class AlbuminCorrectedDeltaRatio(DeltaRatio):
    id = "albumin_corrected_delta_ratio"
    title = "Albumin-corrected delta ratio"
    notes = DeltaRatio.notes + _ALBUMIN_NOTE
    inputs = _CORRECTED_INPUTS
