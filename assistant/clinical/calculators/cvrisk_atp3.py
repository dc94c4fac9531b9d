"""Framingham 10-year hard CHD risk: the NCEP ATP III point tables (2001/2002)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import Calculator, Input, Reference, Result, register
from .cvrisk import _SEX, _lipid, _yes_no

# Age-band lower bounds shared by the age-dependent rows: 20-39, 40-49, 50-59, 60-69, 70-79.
_DECADES = (20, 40, 50, 60, 70)
_TC_CUTS = (160, 200, 240, 280)  # mg/dL: < 160, 160-199, 200-239, 240-279, >= 280


@dataclass(frozen=True)
class _Atp3Table:
    age: tuple[tuple[int, int], ...]  # (lower bound, points) for 20-34, 35-39, 40-44, ... 75-79
    tc: tuple[tuple[int, ...], ...]  # per decade band: points for the five cholesterol categories
    smoker: tuple[int, ...]  # per decade band
    sbp_untreated: tuple[int, ...]  # < 120, 120-129, 130-139, 140-159, >= 160
    sbp_treated: tuple[int, ...]
    lowest: int  # totals below this are "< 1%"
    risk: tuple[int, ...]  # 10-year risk (%) for totals lowest, lowest + 1, ...; the last is ">= N%"


# NCEP ATP III final report (Circulation 2002;106:3143), Appendix III-A "Estimate of 10-year risk for
# men/women" (Framingham point scores). HDL points are the same for both sexes. Every cell was
# checked against the NHLBI "ATP III at a glance" score sheets (NIH Publication No. 01-3305, 2001).
_ATP3 = {
    "male": _Atp3Table(
        age=((20, -9), (35, -4), (40, 0), (45, 3), (50, 6), (55, 8), (60, 10), (65, 11), (70, 12), (75, 13)),
        tc=((0, 4, 7, 9, 11), (0, 3, 5, 6, 8), (0, 2, 3, 4, 5), (0, 1, 1, 2, 3), (0, 0, 0, 1, 1)),
        smoker=(8, 5, 3, 1, 1),
        sbp_untreated=(0, 0, 1, 1, 2), sbp_treated=(0, 1, 2, 2, 3),
        lowest=0, risk=(1, 1, 1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 30)),
    "female": _Atp3Table(
        age=((20, -7), (35, -3), (40, 0), (45, 3), (50, 6), (55, 8), (60, 10), (65, 12), (70, 14), (75, 16)),
        tc=((0, 4, 8, 11, 13), (0, 3, 6, 8, 10), (0, 2, 4, 5, 7), (0, 1, 2, 3, 4), (0, 1, 1, 2, 2)),
        smoker=(9, 7, 4, 2, 1),
        sbp_untreated=(0, 1, 2, 3, 4), sbp_treated=(0, 3, 4, 5, 6),
        lowest=9, risk=(1, 1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 11, 14, 17, 22, 27, 30)),
}


def _hdl_points(hdl: float) -> int:
    return -1 if hdl >= 60 else 0 if hdl >= 50 else 1 if hdl >= 40 else 2


def _band(value: float, cuts: tuple[float, ...]) -> int:
    return sum(value >= c for c in cuts)


@register
class FraminghamATP3(Calculator):
    id = "framingham_atp3"
    title = "Framingham 10-year hard CHD risk (NCEP ATP III point score)"
    reference = Reference("National Cholesterol Education Program (NCEP) Expert Panel", "Circulation", 2002,
                          "Third report of the NCEP Expert Panel on detection, evaluation, and treatment of "
                          "high blood cholesterol in adults (Adult Treatment Panel III) final report",
                          et_al=False)
    notes = ("Hard CHD (myocardial infarction and coronary death) for ages 20-79 without CHD or diabetes "
             "(both are CHD risk equivalents in ATP III, so no score is needed). Points for age, total "
             "cholesterol and smoking by age band, HDL, and systolic pressure by treatment; the total is "
             "read off the ATP III table. Bands: < 10%, 10-20%, > 20% (ATP III). Wilson 1998 "
             "(framingham_chd) predicts total CHD, angina included, and gives higher figures.")
    inputs = (
        _SEX,
        Input("age", "Age", "years", low=20, high=79),
        _lipid("total_cholesterol", "Total cholesterol", 50, 600),
        _lipid("hdl", "HDL cholesterol", 5, 200),
        Input("sbp", "Systolic blood pressure", "mmHg", low=60, high=300),
        _yes_no("treated_hypertension", "On treatment for high blood pressure"),
        _yes_no("smoker", "Current cigarette smoker (any cigarette in the past month)"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        t = _ATP3[v["sex"]]
        age = v["age"]
        decade = _band(age, _DECADES[1:])
        # round away mmol/L conversion noise so 5.17 mmol/L etc. land on the intended category
        tc, hdl = round(v["total_cholesterol"], 1), round(v["hdl"], 1)
        sbp_cat = _band(v["sbp"], (120, 130, 140, 160))
        points = {
            "age": next(p for lower, p in reversed(t.age) if age >= lower),
            "total_cholesterol": t.tc[decade][_band(tc, _TC_CUTS)],
            "hdl": _hdl_points(hdl),
            "sbp": (t.sbp_treated if v["treated_hypertension"] else t.sbp_untreated)[sbp_cat],
            "smoker": t.smoker[decade] if v["smoker"] else 0,
        }
        total = sum(points.values())
        if total < t.lowest:
            risk, shown = 1, "< 1%"
        else:
            idx = min(total - t.lowest, len(t.risk) - 1)
            risk = t.risk[idx]
            shown = f">= {risk}%" if idx == len(t.risk) - 1 else f"{risk}%"
        # ATP III risk categories for people with 0-1 or 2+ risk factors: < 10%, 10-20%, > 20%.
        band = "low" if risk < 10 else "moderately high" if risk <= 20 else "high (CHD risk equivalent)"
        return self.result(v, risk, "%", f"{band} ({shown} 10-year hard CHD risk)", points,
                           point_total=total, risk_display=shown)
