"""Trends over time: falling eGFR (KDIGO progression), rising HbA1c and weight loss, each within a window before as_of."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from assistant.clinical.extract import Chart, Measurement, fmt
from assistant.clinical.knowledge import read_toml

from .base import Flag
from .guard import guarded
from .kidney import aki_now
from .kidney_advice import progression_advice
from .kidney_course import course, risk_cell, stage_label, uacr_series


def _cfg(name: str) -> dict[str, Any]:
    return read_toml("rules.toml")["trends"][name]


def _series(chart: Chart, analyte: str, days: int) -> list[Measurement]:
    return chart.measurements(analyte, chart.as_of - timedelta(days=days))


def _peak(values: list[Measurement]) -> Measurement:
    """The highest earlier value (ties: the most recent one), the baseline a fall is measured from."""
    return max(values, key=lambda m: (m.value, m.when))


def _trough(values: list[Measurement]) -> Measurement:
    return min(values, key=lambda m: (m.value, -m.when.timestamp()))


def egfr_decline(chart: Chart) -> list[Flag]:
    """A chronic fall in eGFR (KDIGO progression), named as the kidney finding it is; never raised
    from an acute change (AKI or AKD: kidney.py flags those)."""
    c = course(chart)
    if c is None or not c.chronic or aki_now(chart):
        return []
    cfg = read_toml("rules.toml")["ckd_course"]
    severity = "high" if (c.certain or c.rapid) and c.newest.value < 60 else "moderate"
    stage = stage_label(chart)
    text = (f"eGFR fell from {c.base.text()} to {c.newest.text()}, a drop of "
            f"{fmt(round(c.drop_percent, 1))}% in {c.months} months")
    if c.certain:
        text += f", with a fall in GFR category ({c.cat_before} to {c.cat_now}): a KDIGO certain drop"
    if c.rapid and c.slope is not None:
        text += (f"; about {fmt(round(-c.slope, 1))} mL/min/1.73 m2 a year: KDIGO rapid progression "
                 "(sustained decline > 5 a year)")
    text += "."
    cell = risk_cell(chart)
    if stage and cell is not None:
        text += f" Now CKD {stage}: KDIGO {cell.risk} risk."
    if c.certain or c.rapid:
        text += (" Meets KDIGO criteria for referral to, or discussion with, nephrology (progression "
                 "of CKD).")
    text += " " + progression_advice(chart, c)
    acr = uacr_series(chart, cfg["slope_window_days"])
    points: tuple[str, ...] = ()
    if len(acr) >= 2 and acr[-1][0] > acr[0][0]:
        points = (f"Urine albumin/creatinine ratio rising: {' -> '.join(fmt(round(v)) for v, _, _ in acr)} "
                  f"mg/g (newest {acr[-1][2].date().isoformat()})",)
    title = (f"Kidney function falling: eGFR {fmt(c.base.value)} -> {fmt(c.newest.value)} in "
             f"{c.months} months" + (f" (CKD {stage})" if stage else ""))
    # The UACR is a sub-point, not evidence: its repeat follows the KDIGO heat map, not the flag.
    return [Flag("trend:egfr-decline", title, severity, "trend", (c.newest.ref, c.base.ref), text, (),
                 cfg["source"], points)]


def hba1c_rise(chart: Chart) -> list[Flag]:
    cfg = _cfg("hba1c_rise")
    values = _series(chart, "hba1c", cfg["window_days"])
    if len(values) < 2:
        return []
    newest, low = values[0], _trough(values[1:])
    rise = newest.value - low.value
    if rise < cfg["rise_points"] - 1e-9:
        return []
    diabetes = chart.conditions("diabetes")
    diagnostic = read_toml("rules.toml")["care_gaps"]["undiagnosed_diabetes"]["hba1c_at"]
    if diabetes and newest.value >= cfg["high_at"]:
        severity, note = "high", f"well above the usual goal of < {fmt(cfg['goal'])}%"
    elif diabetes and newest.value >= cfg["goal"]:
        severity, note = "moderate", f"above the usual goal of < {fmt(cfg['goal'])}%"
    elif not diabetes and newest.value >= diagnostic:
        severity, note = "moderate", f"now in the diabetes range (>= {fmt(diagnostic)}%)"
    else:
        severity, note = "info", "still below the usual goal, but rising"
    who = (f"In a patient with {diabetes[0].display.lower()}, " if diabetes else
           "In a patient without a diabetes diagnosis, ")
    text = (f"{who}HbA1c rose from {low.text()} to {newest.text()} (+{fmt(round(rise, 1))} "
            f"percentage points), {note}. Review adherence, diet and treatment intensity.")
    return [Flag("trend:hba1c-rising", f"HbA1c rising: {fmt(low.value)}% to {fmt(newest.value)}%",
                 severity, "trend", (newest.ref, low.ref) + tuple(c.ref for c in diabetes[:1]),
                 text, (), cfg["source"])]


def weight_loss(chart: Chart) -> list[Flag]:
    cfg = _cfg("weight_loss")
    values = _series(chart, "weight", cfg["window_days"])
    if len(values) < 2:
        return []
    newest, base = values[0], _peak(values[1:])
    loss = 100 * (base.value - newest.value) / base.value
    if loss <= cfg["loss_percent"]:
        return []
    text = (f"Weight fell from {base.text()} to {newest.text()}, a loss of {fmt(round(loss, 1))}% "
            f"within {cfg['window_days'] // 30} months. Unless the loss was intended, assess for "
            "malnutrition and an underlying cause (cancer, diabetes, depression, heart failure, "
            "medicines).")
    return [Flag("trend:weight-loss", f"Weight loss {fmt(round(loss, 1))}% in "
                 f"{cfg['window_days'] // 30} months", "moderate", "trend", (newest.ref, base.ref),
                 text, (), cfg["source"])]


def trend_flags(chart: Chart) -> list[Flag]:
    return [f for rule in (egfr_decline, hba1c_rise, weight_loss)
            for f in guarded("trend", partial(rule, chart), rule.__name__)]
