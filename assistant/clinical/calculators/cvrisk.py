"""Cardiovascular risk prediction: Framingham CHD points (Wilson 1998) and the Pooled Cohort Equations."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .base import Calculator, Input, Reference, Result, register, round_half_up

_SEX = Input("sex", "Sex", kind="choice", choices=("female", "male"))


def _lipid(name: str, description: str, low: float, high: float) -> Input:
    return Input(name, description, "mg/dL", low=low, high=high, alt_units=("mmol/L",),
                 analyte="cholesterol")


def _yes_no(name: str, description: str) -> Input:
    # Required: a risk equation needs every covariate, and "unknown" is not "no".
    return Input(name, description, kind="bool")


Bands = tuple[tuple[float, int], ...]  # (category lower bound, points), ascending


@dataclass(frozen=True)
class _PointTable:
    age: Bands
    tc: Bands
    hdl: Bands
    bp: tuple[int, ...]  # JNC-V: optimal, normal, high normal, stage I, stage II-IV
    diabetes: int
    smoker: int
    lowest_total: int  # the risk table's first row covers this total and below
    risk: tuple[int, ...]  # 10-year CHD risk (%) for totals lowest_total, lowest_total + 1, ...


# Wilson 1998, Figures 3 (men) and 4 (women), total-cholesterol version; 5-year age bands 30-74.
_FRAMINGHAM = {
    "male": _PointTable(
        age=((30, -1), (35, 0), (40, 1), (45, 2), (50, 3), (55, 4), (60, 5), (65, 6), (70, 7)),
        tc=((0, -3), (160, 0), (200, 1), (240, 2), (280, 3)),
        hdl=((0, 2), (35, 1), (45, 0), (50, 0), (60, -2)),
        bp=(0, 0, 1, 2, 3), diabetes=2, smoker=2,
        lowest_total=-1,  # -1 and below ... 14 and above
        risk=(2, 3, 3, 4, 5, 7, 8, 10, 13, 16, 20, 25, 31, 37, 45, 53)),
    "female": _PointTable(
        age=((30, -9), (35, -4), (40, 0), (45, 3), (50, 6), (55, 7), (60, 8), (65, 8), (70, 8)),
        tc=((0, -2), (160, 0), (200, 1), (240, 1), (280, 3)),
        hdl=((0, 5), (35, 2), (45, 1), (50, 0), (60, -3)),
        bp=(-3, 0, 0, 2, 3), diabetes=4, smoker=2,
        lowest_total=-2,  # -2 and below ... 17 and above
        risk=(1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 10, 11, 13, 15, 18, 20, 24, 27)),
}


def _category_points(value: float, table: Bands) -> int:
    pts = table[0][1]
    for lower, p in table:
        if value >= lower:
            pts = p
    return pts


def _jnc5_category(sbp: float, dbp: float) -> int:
    # Wilson 1998: when systolic and diastolic fall in different categories, use the higher.
    def cat(value: float, cuts: tuple[float, ...]) -> int:
        return sum(value >= c for c in cuts)

    return max(cat(sbp, (120, 130, 140, 160)), cat(dbp, (80, 85, 90, 100)))


_BP_NAMES = ("optimal", "normal", "high normal", "stage I hypertension", "stage II-IV hypertension")


@register
class FraminghamCHD(Calculator):
    id = "framingham_chd"
    title = "Framingham 10-year coronary heart disease risk (Wilson 1998 points, total cholesterol)"
    reference = Reference("Wilson", "Circulation", 1998,
                          "Prediction of coronary heart disease using risk factor categories")
    notes = ("Predicts total CHD (angina, coronary insufficiency, MI, CHD death) for ages 30-74 "
             "without known CHD. Risk bands are those of NCEP ATP III (2001).")
    inputs = (
        _SEX,
        Input("age", "Age", "years", low=30, high=74),
        _lipid("total_cholesterol", "Total cholesterol", 50, 600),
        _lipid("hdl", "HDL cholesterol", 5, 200),
        Input("sbp", "Systolic blood pressure", "mmHg", low=60, high=300),
        Input("dbp", "Diastolic blood pressure", "mmHg", low=30, high=200),
        _yes_no("smoker", "Current cigarette smoker"),
        _yes_no("diabetes", "Diabetes mellitus"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        t = _FRAMINGHAM[v["sex"]]
        # round away mmol/L conversion noise so 5.17 mmol/L etc. land on the intended category
        tc, hdl = round(v["total_cholesterol"], 1), round(v["hdl"], 1)
        bp_cat = _jnc5_category(v["sbp"], v["dbp"])
        points = {
            "age": _category_points(v["age"], t.age),
            "total_cholesterol": _category_points(tc, t.tc),
            "hdl": _category_points(hdl, t.hdl),
            "blood_pressure": t.bp[bp_cat],
            "diabetes": t.diabetes * v["diabetes"],
            "smoker": t.smoker * v["smoker"],
        }
        total = sum(points.values())
        idx = min(max(total - t.lowest_total, 0), len(t.risk) - 1)
        risk = t.risk[idx]
        prefix = "<=" if idx == 0 else ">=" if idx == len(t.risk) - 1 else ""
        # NCEP ATP III: <10% low, 10-20% intermediate, >20% high
        band = "low" if risk < 10 else "intermediate" if risk <= 20 else "high"
        return self.result(v, risk, "%", f"{band} risk ({prefix}{risk}% 10-year CHD risk)", points,
                           point_total=total, bp_category=_BP_NAMES[bp_cat], risk_display=f"{prefix}{risk}%")


# Goff 2014, Table A (appendix 7): coefficients, mean of (coefficient x value) and 10-year
# baseline survival for each race/sex group. Terms absent from a group are zero.
_PCE: dict[tuple[str, str], dict[str, float]] = {
    ("white", "female"): {
        "ln_age": -29.799, "ln_age_sq": 4.884, "ln_tc": 13.540, "ln_age_ln_tc": -3.114,
        "ln_hdl": -13.578, "ln_age_ln_hdl": 3.149, "ln_treated_sbp": 2.019,
        "ln_untreated_sbp": 1.957, "smoker": 7.574, "ln_age_smoker": -1.665, "diabetes": 0.661,
        "mean": -29.18, "s0": 0.9665,
    },
    ("african_american", "female"): {
        "ln_age": 17.114, "ln_tc": 0.940, "ln_hdl": -18.920, "ln_age_ln_hdl": 4.475,
        "ln_treated_sbp": 29.291, "ln_age_ln_treated_sbp": -6.432, "ln_untreated_sbp": 27.820,
        "ln_age_ln_untreated_sbp": -6.087, "smoker": 0.691, "diabetes": 0.874,
        "mean": 86.61, "s0": 0.9533,
    },
    ("white", "male"): {
        "ln_age": 12.344, "ln_tc": 11.853, "ln_age_ln_tc": -2.664, "ln_hdl": -7.990,
        "ln_age_ln_hdl": 1.769, "ln_treated_sbp": 1.797, "ln_untreated_sbp": 1.764,
        "smoker": 7.837, "ln_age_smoker": -1.795, "diabetes": 0.658,
        "mean": 61.18, "s0": 0.9144,
    },
    ("african_american", "male"): {
        "ln_age": 2.469, "ln_tc": 0.302, "ln_hdl": -0.307, "ln_treated_sbp": 1.916,
        "ln_untreated_sbp": 1.809, "smoker": 0.549, "diabetes": 0.645,
        "mean": 19.54, "s0": 0.8954,
    },
}


@register
class PooledCohortEquations(Calculator):
    id = "pce_ascvd"
    title = "2013 ACC/AHA Pooled Cohort Equations: 10-year hard ASCVD risk"
    reference = Reference("Goff", "Circulation", 2014,
                          "2013 ACC/AHA guideline on the assessment of cardiovascular risk")
    notes = ("For ages 40-79 without ASCVD. Race 'other' uses the white equations, as Goff 2014 "
             "advises. Cholesterol, HDL and systolic BP are limited to the ranges the ACC/AHA "
             "estimator accepts (130-320, 20-100, 90-200). Bands: <5% low, 5-<7.5% borderline, "
             "7.5-<20% intermediate, >=20% high (2018 AHA/ACC cholesterol guideline).")
    inputs = (
        Input("age", "Age", "years", low=40, high=79),
        _SEX,
        Input("race", "Race: white, african_american or other (other uses the white equations)",
              kind="choice", choices=("white", "african_american", "other")),
        _lipid("total_cholesterol", "Total cholesterol", 130, 320),
        _lipid("hdl", "HDL cholesterol", 20, 100),
        Input("sbp", "Systolic blood pressure", "mmHg", low=90, high=200),
        _yes_no("treated_hypertension", "On treatment for high blood pressure"),
        _yes_no("smoker", "Current smoker"),
        _yes_no("diabetes", "Diabetes mellitus"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        race = "african_american" if v["race"] == "african_american" else "white"
        c = _PCE[(race, v["sex"])]
        ln_age = math.log(v["age"])
        ln_tc, ln_hdl, ln_sbp = (math.log(v["total_cholesterol"]), math.log(v["hdl"]),
                                 math.log(v["sbp"]))
        treated, smoker = v["treated_hypertension"], int(v["smoker"])
        sbp_kind = "treated" if treated else "untreated"
        terms = {
            "ln_age": ln_age,
            "ln_age_sq": ln_age ** 2,
            "ln_tc": ln_tc,
            "ln_age_ln_tc": ln_age * ln_tc,
            "ln_hdl": ln_hdl,
            "ln_age_ln_hdl": ln_age * ln_hdl,
            f"ln_{sbp_kind}_sbp": ln_sbp,
            f"ln_age_ln_{sbp_kind}_sbp": ln_age * ln_sbp,
            "smoker": smoker,
            "ln_age_smoker": ln_age * smoker,
            "diabetes": int(v["diabetes"]),
        }
        contributions = {k: c.get(k, 0.0) * x for k, x in terms.items()}
        individual_sum = sum(contributions.values())
        risk = 100 * (1 - c["s0"] ** math.exp(individual_sum - c["mean"]))
        shown = round_half_up(risk, 1)
        # banded on the displayed value so the band never contradicts the number shown
        band = ("low" if shown < 5 else "borderline" if shown < 7.5 else "intermediate"
                if shown < 20 else "high")
        return self.result(v, shown, "%", f"{band} risk ({shown}% 10-year ASCVD risk)",
                           {k: round(x, 4) + 0.0 for k, x in contributions.items() if c.get(k)},  # no -0.0
                           individual_sum=round(individual_sum, 4), equation=f"{race} {v['sex']}",
                           baseline_survival=c["s0"], mean_sum=c["mean"], risk_unrounded=risk)
