"""Kidney function estimates: CKD-EPI 2021, MDRD (IDMS 175) eGFR and Cockcroft-Gault creatinine clearance."""

from __future__ import annotations

from typing import Any

from .base import Calculator, Input, Reference, Result, register, round_half_up
from .body import devine_ibw

SEX = Input("sex", "Sex (the equations were derived for biological sex)", kind="choice",
            choices=("female", "male"))
ADULT_AGE = Input("age", "Age", "years", low=18, high=120)
CREATININE = Input("creatinine", "Serum creatinine (IDMS-traceable assay)", "mg/dL", low=0.1, high=25,
                   alt_units=("umol/L",), analyte="creatinine")


def kdigo_gfr_category(gfr: float) -> str:
    """KDIGO 2012 GFR categories G1-G5 (Kidney Int Suppl 2013;3:1-150, table 5)."""
    if gfr >= 90:
        return "G1: normal or high (CKD only with markers of kidney damage)"
    if gfr >= 60:
        return "G2: mildly decreased (CKD only with markers of kidney damage)"
    if gfr >= 45:
        return "G3a: mildly to moderately decreased"
    if gfr >= 30:
        return "G3b: moderately to severely decreased"
    if gfr >= 15:
        return "G4: severely decreased"
    return "G5: kidney failure"


@register
class CKDEPI2021(Calculator):
    id = "ckd_epi_2021"
    title = "eGFR, CKD-EPI 2021 creatinine equation (race-free)"
    reference = Reference("Inker", "N Engl J Med", 2021,
                          "New creatinine- and cystatin C-based equations to estimate GFR without race",
                          "10.1056/NEJMoa2102953")
    notes = "Adults (18 years and over); creatinine from an IDMS-traceable assay; not for unstable kidney function."
    inputs = (CREATININE, ADULT_AGE, SEX)

    def _compute(self, v: dict[str, Any]) -> Result:
        female = v["sex"] == "female"
        # eGFRcr = 142 x min(Scr/k,1)^a x max(Scr/k,1)^-1.200 x 0.9938^age x 1.012 [female]
        kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
        ratio = v["creatinine"] / kappa
        gfr = 142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.200 * 0.9938 ** v["age"]
        if female:
            gfr *= 1.012
        # Reported as a whole number (as laboratories and KDIGO do); the band uses the reported value
        # so the category never contradicts the number shown.
        shown = round_half_up(gfr)
        return self.result(v, shown, "mL/min/1.73m2", kdigo_gfr_category(shown),
                           unrounded=round_half_up(gfr, 3))


@register
class MDRD(Calculator):
    id = "mdrd"
    title = "eGFR, 4-variable MDRD Study equation (IDMS-traceable, 175)"
    reference = Reference("Levey", "Ann Intern Med", 2006,
                          "Using standardized serum creatinine values in the Modification of Diet in Renal "
                          "Disease study equation for estimating glomerular filtration rate")
    notes = ("The race coefficient (x1.212) is applied only when 'black' is set; race-free CKD-EPI 2021 "
             "is preferred (NKF-ASN Task Force 2021). Underestimates GFR above 60 mL/min/1.73m2.")
    inputs = (
        CREATININE, ADULT_AGE, SEX,
        Input("black", "Apply the original Black race coefficient (x1.212); optional, discouraged",
              kind="bool", required=False, default=False),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        # GFR = 175 x Scr^-1.154 x age^-0.203 x 0.742 [female] x 1.212 [Black]
        gfr = 175 * v["creatinine"] ** -1.154 * v["age"] ** -0.203
        if v["sex"] == "female":
            gfr *= 0.742
        if v["black"]:
            gfr *= 1.212
        shown = round_half_up(gfr)
        return self.result(v, shown, "mL/min/1.73m2", kdigo_gfr_category(shown),
                           unrounded=round_half_up(gfr, 3), race_coefficient_applied=bool(v["black"]))


def _clearance_band(crcl: float) -> str:
    # Renal-function groups for drug dosing (FDA guidance "Pharmacokinetics in patients with impaired
    # renal function", 2010 draft / 2024, table 1), which accepts Cockcroft-Gault clearance.
    if crcl >= 90:
        return "normal renal function (>= 90 mL/min)"
    if crcl >= 60:
        return "mild impairment (60-89 mL/min)"
    if crcl >= 30:
        return "moderate impairment (30-59 mL/min)"
    if crcl >= 15:
        return "severe impairment (15-29 mL/min)"
    return "kidney failure (< 15 mL/min)"


@register
class CockcroftGault(Calculator):
    id = "cockcroft_gault"
    title = "Creatinine clearance (Cockcroft-Gault)"
    reference = Reference("Cockcroft", "Nephron", 1976, "Prediction of creatinine clearance from serum creatinine")
    notes = ("The value uses the weight given; Cockcroft and Gault used actual body weight. In obesity many "
             "dosing references use ideal or adjusted body weight instead: give height to get both in "
             "details. The x0.85 factor for women was proposed, not measured, in the original paper. "
             "Not indexed to body surface area (mL/min).")
    inputs = (
        Input("weight", "Body weight (actual, unless a dosing reference asks for ideal or adjusted)", "kg",
              low=20, high=400, alt_units=("lb",)),
        ADULT_AGE, SEX, CREATININE,
        Input("height", "Height, to report ideal- and adjusted-weight clearances too", "cm",
              required=False, low=120, high=260, alt_units=("in", "m")),
    )

    @staticmethod
    def _crcl(weight: float, age: float, creatinine: float, female: bool) -> float:
        # CrCl (mL/min) = (140 - age) x weight (kg) / (72 x Scr mg/dL) x 0.85 [female]
        crcl = (140 - age) * weight / (72 * creatinine)
        return crcl * 0.85 if female else crcl

    def _compute(self, v: dict[str, Any]) -> Result:
        female = v["sex"] == "female"
        crcl = self._crcl(v["weight"], v["age"], v["creatinine"], female)
        details: dict[str, Any] = {"weight_used": "as given (actual body weight)"}
        if v["height"] is not None:
            ibw = devine_ibw(v["height"], v["sex"])
            abw = ibw + 0.4 * (v["weight"] - ibw)
            details.update(
                ideal_body_weight=round_half_up(ibw, 1),
                crcl_ideal_weight=round_half_up(self._crcl(ibw, v["age"], v["creatinine"], female), 1),
                adjusted_body_weight=round_half_up(abw, 1),
                crcl_adjusted_weight=round_half_up(self._crcl(abw, v["age"], v["creatinine"], female), 1),
            )
        shown = round_half_up(crcl, 1)
        return self.result(v, shown, "mL/min", _clearance_band(shown), **details)


def _creatinine(name: str, description: str, high: float) -> Input:
    return Input(name, description, "mg/dL", low=0.1, high=high, alt_units=("umol/L",), analyte="creatinine")


@register
class FractionalExcretionSodium(Calculator):
    id = "fena"
    title = "Fractional excretion of sodium (FENa)"
    reference = Reference("Espinel", "JAMA", 1976, "The FeNa test. Use in the differential diagnosis of acute "
                          "renal failure", et_al=False)
    notes = ("FENa (%) = (urine Na x plasma creatinine) / (plasma Na x urine creatinine) x 100, from a spot "
             "urine and a plasma sample taken together. Espinel 1976: below 1% in prerenal azotaemia, above "
             "1% (mostly above 3%) in acute tubular necrosis. Unreliable after diuretics (use the fractional "
             "excretion of urea), in CKD, contrast or pigment injury and early obstruction.")
    inputs = (
        Input("urine_sodium", "Urine sodium", "mmol/L", low=1, high=400),
        Input("plasma_sodium", "Plasma sodium", "mmol/L", low=90, high=200),
        _creatinine("urine_creatinine", "Urine creatinine", 1000),
        _creatinine("plasma_creatinine", "Plasma creatinine", 25),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        fena = 100 * v["urine_sodium"] * v["plasma_creatinine"] / (v["plasma_sodium"] * v["urine_creatinine"])
        shown = round_half_up(fena, 2)
        # The 1% cut-off is Espinel's; values of 1-3% overlapped least in his series but are not
        # diagnostic either way, so they are called indeterminate here rather than tubular.
        if shown < 1:
            band = "< 1%: prerenal (hypoperfusion) pattern, if oliguric and no diuretic given"
        elif shown <= 3:
            band = "1-3%: indeterminate; consider intrinsic renal injury"
        else:
            band = "> 3%: intrinsic renal injury (acute tubular necrosis) pattern"
        return self.result(v, shown, "%", band, fena_unrounded=fena)
