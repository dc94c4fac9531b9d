"""Trends over time: falling eGFR, rising HbA1c and weight loss, each within a window before as_of."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from assistant.clinical.calculators.renal import kdigo_gfr_category
from assistant.clinical.extract import Chart, Measurement, fmt
from assistant.clinical.knowledge import read_toml

from .base import Flag
from .guard import guarded


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
    cfg = _cfg("egfr_decline")
    values = _series(chart, "egfr", cfg["window_days"])
    if len(values) < 2:
        return []
    newest, base = values[0], _peak(values[1:])
    if base.value <= 0:
        return []
    drop = 100 * (base.value - newest.value) / base.value
    if drop <= cfg["drop_percent"]:
        return []
    cat_now = kdigo_gfr_category(round(newest.value)).split(":")[0]
    cat_before = kdigo_gfr_category(round(base.value)).split(":")[0]
    certain = cat_now != cat_before  # KDIGO 'certain drop': category falls as well
    severity = "high" if certain and newest.value < 60 else "moderate"
    text = (f"eGFR fell from {base.text()} to {newest.text()}, a drop of {fmt(round(drop, 1))}% "
            f"within {cfg['window_days'] // 30} months"
            + (f", with a fall in GFR category ({cat_before} to {cat_now})."
               if certain else ".")
            + " Look for a cause (volume depletion, nephrotoxic drugs such as NSAIDs, obstruction), "
              "repeat creatinine, and review renally dosed medicines.")
    return [Flag("trend:egfr-decline", f"eGFR falling: {fmt(base.value)} to {fmt(newest.value)} "
                 f"(-{fmt(round(drop))}%)", severity, "trend", (newest.ref, base.ref), text, (),
                 cfg["source"])]


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
