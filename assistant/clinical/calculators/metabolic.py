"""Metabolic calculators: Friedewald LDL cholesterol and HOMA insulin resistance."""

from __future__ import annotations

from typing import Any

from assistant.errors import BadInputError

from .base import Calculator, Input, Reference, Result, register, round_half_up

_CHOL_MG_PER_MMOL = 38.67  # as units.py (cholesterol 386.65 g/mol)
_TG_LIMIT_MG_DL = 400.0


def _chol(name: str, description: str) -> Input:
    return Input(name, description, "mg/dL", low=1, high=2000, alt_units=("mmol/L",), analyte="cholesterol")


@register
class LDLFriedewald(Calculator):
    id = "ldl_friedewald"
    title = "LDL cholesterol (Friedewald)"
    reference = Reference("Friedewald", "Clin Chem", 1972, "Estimation of the concentration of low-density "
                          "lipoprotein cholesterol in plasma, without use of the preparative ultracentrifuge")
    notes = ("LDL = total - HDL - triglycerides/5 (mg/dL), fasting sample. Refused when triglycerides are "
             ">= 400 mg/dL (4.52 mmol/L), where Friedewald found the estimate unreliable; measure LDL directly.")
    inputs = (
        _chol("total_cholesterol", "Total cholesterol"),
        _chol("hdl", "HDL cholesterol"),
        Input("triglycerides", "Triglycerides (fasting)", "mg/dL", low=1, high=10000, alt_units=("mmol/L",),
              analyte="triglycerides"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        if v["triglycerides"] >= _TG_LIMIT_MG_DL:
            raise BadInputError(f"triglycerides: {v['triglycerides']:.0f} mg/dL is >= 400 mg/dL (4.52 mmol/L); "
                                "the Friedewald equation is invalid there, measure LDL directly")
        if v["hdl"] >= v["total_cholesterol"]:
            raise BadInputError("hdl: HDL cholesterol must be below total cholesterol")
        # TG/5 estimates VLDL cholesterol in mg/dL (VLDL TG:cholesterol about 5:1).
        ldl = v["total_cholesterol"] - v["hdl"] - v["triglycerides"] / 5
        shown = round_half_up(ldl)
        # NCEP ATP III (Circulation 2002;106:3143) LDL classification.
        if shown < 100:
            band = "optimal (< 100 mg/dL)"
        elif shown < 130:
            band = "near or above optimal (100-129 mg/dL)"
        elif shown < 160:
            band = "borderline high (130-159 mg/dL)"
        elif shown < 190:
            band = "high (160-189 mg/dL)"
        else:
            band = "very high (>= 190 mg/dL)"
        if ldl <= 0:
            band = "non-positive estimate: the equation does not apply (measure LDL directly)"
        return self.result(v, shown, "mg/dL", band, ldl_mmol_l=round_half_up(ldl / _CHOL_MG_PER_MMOL, 2),
                           vldl_cholesterol_mg_dl=round_half_up(v["triglycerides"] / 5, 1))


@register
class HOMAIR(Calculator):
    id = "homa_ir"
    title = "HOMA insulin resistance (HOMA-IR)"
    reference = Reference("Matthews", "Diabetologia", 1985, "Homeostasis model assessment: insulin resistance "
                          "and beta-cell function from fasting plasma glucose and insulin concentrations in man")
    notes = ("HOMA-IR = fasting glucose (mmol/L) x fasting insulin (uU/mL) / 22.5; HOMA-%B = 20 x insulin / "
             "(glucose - 3.5). Normal young adults average 1 by construction; cut-offs are population-specific.")
    inputs = (
        Input("glucose", "Fasting plasma glucose", "mmol/L", low=1, high=40, alt_units=("mg/dL",), analyte="glucose"),
        Input("insulin", "Fasting plasma insulin", "uU/mL", low=0.5, high=500, alt_units=("pmol/L",),
              analyte="insulin"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        ir = v["glucose"] * v["insulin"] / 22.5
        details: dict[str, Any] = {}
        if v["glucose"] > 3.5:  # %B formula is undefined at or below 3.5 mmol/L
            details["homa_beta_percent"] = round_half_up(20 * v["insulin"] / (v["glucose"] - 3.5), 1)
        # Matthews 1985 scaled the model so that normal-weight young adults have HOMA-IR = 1 and gave no
        # cut-off; none is invented here, the value is stated relative to that reference.
        band = (f"insulin resistance {ir:.2f} times that of the normal reference population (= 1, "
                "Matthews 1985); no universally agreed cut-off")
        return self.result(v, round_half_up(ir, 2), "", band, **details)
