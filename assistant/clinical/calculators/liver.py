"""Liver calculators: FIB-4 fibrosis index, MELD-Na (UNOS 2016 rules) and Child-Pugh class."""

from __future__ import annotations

import math
from typing import Any

from assistant.errors import BadInputError

from .base import Calculator, Input, Reference, Result, register, round_half_up

BILIRUBIN = Input("bilirubin", "Total serum bilirubin", "mg/dL", low=0.1, high=80, alt_units=("umol/L",),
                  analyte="bilirubin")


@register
class FIB4(Calculator):
    id = "fib4"
    title = "FIB-4 index for liver fibrosis"
    reference = Reference("Sterling", "Hepatology", 2006, "Development of a simple noninvasive index to predict "
                          "significant fibrosis in patients with HIV/HCV coinfection")
    notes = ("FIB-4 = age x AST / (platelets x sqrt(ALT)). Cut-offs 1.45 and 3.25 from Sterling 2006; in "
             "people aged 65 and over a lower rule-out cut-off of 2.0 has been proposed (McPherson, "
             "Am J Gastroenterol 2017).")
    inputs = (
        Input("age", "Age", "years", low=18, high=120),
        Input("ast", "Aspartate aminotransferase (AST)", "U/L", low=1, high=20000),
        Input("alt", "Alanine aminotransferase (ALT)", "U/L", low=1, high=20000),
        Input("platelets", "Platelet count", "10^9/L", low=1, high=2000),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        fib4 = v["age"] * v["ast"] / (v["platelets"] * math.sqrt(v["alt"]))
        shown = round_half_up(fib4, 2)
        if shown < 1.45:
            band = "< 1.45: advanced fibrosis unlikely (negative predictive value 90% in Sterling 2006)"
        elif shown > 3.25:
            band = "> 3.25: advanced fibrosis likely (positive predictive value 65% in Sterling 2006)"
        else:
            band = "1.45-3.25: indeterminate; consider elastography or another test"
        details: dict[str, Any] = {"unrounded": round_half_up(fib4, 4)}
        if v["age"] >= 65:
            details["age_65_note"] = "age >= 65: rule-out cut-off 2.0 proposed (McPherson 2017)"
        return self.result(v, shown, "", band, **details)


def _clamp(x: float, low: float, high: float) -> float:
    return min(max(x, low), high)


@register
class MELDNa(Calculator):
    id = "meld_na"
    title = "MELD-Na (UNOS/OPTN 2016)"
    reference = Reference("Kim", "N Engl J Med", 2008, "Hyponatremia and mortality among patients on the "
                          "liver-transplant waiting list")
    # OPTN policy 9.1 (January 2016) applies Kim 2008's MELD-Na: MELD(i) = 0.957 ln(Cr) + 0.378 ln(bili) +
    # 1.120 ln(INR) + 0.643, rounded to the tenth and multiplied by 10; if MELD(i) > 11,
    # MELD = MELD(i) + 1.32 (137 - Na) - 0.033 MELD(i) (137 - Na). Values < 1.0 are set to 1.0,
    # creatinine is capped at 4.0 (and set to 4.0 on dialysis), sodium bounded to 125-137, score cap 40.
    notes = ("UNOS 2016 rules: lab values below 1.0 set to 1.0; creatinine capped at 4.0 mg/dL and set to 4.0 "
             "with dialysis twice (or 24 h CVVHD) in the past week; sodium bounded to 125-137; maximum 40. "
             "Patients aged 12 and over.")
    inputs = (
        Input("creatinine", "Serum creatinine", "mg/dL", low=0.1, high=25, alt_units=("umol/L",),
              analyte="creatinine"),
        BILIRUBIN,
        Input("inr", "INR", "", low=0.5, high=20),
        Input("sodium", "Serum sodium", "mmol/L", low=100, high=180),
        Input("dialysis", "Dialysis at least twice, or 24 h of CVVHD, in the past 7 days", kind="bool",
              required=False, default=False),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        cr = 4.0 if v["dialysis"] else _clamp(v["creatinine"], 1.0, 4.0)
        bili = max(v["bilirubin"], 1.0)
        inr = max(v["inr"], 1.0)
        na = _clamp(v["sodium"], 125.0, 137.0)
        raw = 0.957 * math.log(cr) + 0.378 * math.log(bili) + 1.120 * math.log(inr) + 0.643
        meld_i = round_half_up(raw, 1) * 10
        meld = meld_i + 1.32 * (137 - na) - 0.033 * meld_i * (137 - na) if meld_i > 11 else meld_i
        score = min(round_half_up(meld), 40)
        # 3-month mortality by MELD on the US waiting list (Wiesner et al. Gastroenterology 2003;124:91).
        if score <= 9:
            band = "<= 9: about 1.9% 3-month mortality"
        elif score <= 19:
            band = "10-19: about 6.0% 3-month mortality"
        elif score <= 29:
            band = "20-29: about 19.6% 3-month mortality"
        elif score <= 39:
            band = "30-39: about 52.6% 3-month mortality"
        else:
            band = ">= 40: about 71.3% 3-month mortality"
        band += " (waiting-list MELD bands, Wiesner 2003)"
        return self.result(v, score, "points", band, meld=min(round_half_up(meld_i), 40),
                           creatinine_used=cr, bilirubin_used=bili, inr_used=inr, sodium_used=na,
                           sodium_adjusted=meld_i > 11)


def _three_way(x: float, low: float, high: float, *, high_is_worse: bool = True) -> int:
    """1/2/3 points: < low, low..high inclusive, > high (reversed when a high value is better)."""
    if high_is_worse:
        return 1 if x < low else 2 if x <= high else 3
    return 1 if x > high else 2 if x >= low else 3


@register
class ChildPugh(Calculator):
    id = "child_pugh"
    title = "Child-Pugh score"
    reference = Reference("Pugh", "Br J Surg", 1973, "Transection of the oesophagus for bleeding oesophageal "
                          "varices")
    # Pugh 1973 scored prothrombin time as seconds prolonged (1-4, 4-6, > 6). The INR bands (< 1.7,
    # 1.7-2.3, > 2.3) are the later convention most calculators use; either may be given. Bilirubin:
    # < 2, 2-3, > 3 mg/dL, and for primary biliary cirrhosis (Pugh's modification) < 4, 4-10, > 10.
    notes = ("Give inr or pt_prolongation (seconds over control). Set cholestatic for primary biliary or "
             "sclerosing cholangitis (bilirubin bands 4 and 10 mg/dL). Class A 5-6, B 7-9, C 10-15.")
    inputs = (
        BILIRUBIN,
        Input("albumin", "Serum albumin", "g/dL", low=0.5, high=7, alt_units=("g/L",), analyte="albumin"),
        Input("inr", "INR (give this or pt_prolongation)", "", required=False, low=0.5, high=20),
        Input("pt_prolongation", "Prothrombin time prolongation over control (give this or inr)", "s",
              required=False, low=0, high=120),
        Input("ascites", "Ascites: none, slight, moderate (includes severe/tense)", kind="choice",
              choices=("none", "slight", "moderate")),
        Input("encephalopathy", "Hepatic encephalopathy grade: none, 1-2, 3-4", kind="choice",
              choices=("none", "1-2", "3-4")),
        Input("cholestatic", "Primary biliary cholangitis or primary sclerosing cholangitis", kind="bool",
              required=False, default=False),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        if (v["inr"] is None) == (v["pt_prolongation"] is None):
            what = "missing required input inr (or pt_prolongation)" if v["inr"] is None else \
                "give inr or pt_prolongation, not both"
            raise BadInputError(f"{self.id}: {what}")
        # Two decimals first, so a converted 34.2 umol/L reads as 2.00 mg/dL, not 1.9999999.
        bili = round_half_up(v["bilirubin"], 2)
        alb = round_half_up(v["albumin"], 2)
        points: dict[str, float] = {
            "bilirubin": _three_way(bili, 4, 10) if v["cholestatic"] else _three_way(bili, 2, 3),
            "albumin": _three_way(alb, 2.8, 3.5, high_is_worse=False),
        }
        if v["inr"] is not None:
            points["inr"] = _three_way(v["inr"], 1.7, 2.3)
        else:
            points["prothrombin_time"] = _three_way(v["pt_prolongation"], 4, 6)
        points["ascites"] = {"none": 1, "slight": 2, "moderate": 3}[v["ascites"]]
        points["encephalopathy"] = {"none": 1, "1-2": 2, "3-4": 3}[v["encephalopathy"]]
        total = int(sum(points.values()))
        cls = "A" if total <= 6 else "B" if total <= 9 else "C"
        span = {"A": "5-6", "B": "7-9", "C": "10-15"}[cls]
        return self.result(v, total, "points", f"Child-Pugh class {cls} ({span} points)", points=points,
                           child_pugh_class=cls)
