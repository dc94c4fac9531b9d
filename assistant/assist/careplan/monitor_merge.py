"""Monitoring intervals that fit the patient: the KDIGO CKD heat map, and one line per test when templates overlap."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from assistant.assist.careplan.templates import MonitorSpec
from assistant.clinical.extract import Chart
from assistant.clinical.rules.kidney_course import risk_cell, stage_label

T = TypeVar("T")


def kdigo_interval(chart: Chart | None, spec: MonitorSpec) -> MonitorSpec:
    """A `kdigo_risk` test (eGFR, UACR in CKD) as often as the KDIGO heat map says for the patient's
    GFR and albuminuria categories now (G3b A2: very high risk, 3 times a year); unchanged without a
    current eGFR."""
    if not spec.kdigo_risk or chart is None:
        return spec
    cell = risk_cell(chart)
    if cell is None:
        return spec
    times = "once a year" if cell.per_year == 1 else f"{cell.per_year} times a year"
    stage = stage_label(chart)
    interval = (f"{times} (KDIGO {cell.risk} risk, {stage})" if " " in stage else
                f"{times} at least (KDIGO {cell.risk} risk or higher at {stage}; albuminuria not measured)")
    return replace(spec, months=12 / cell.per_year, interval=interval)


def merge_covered(chosen: dict[str, tuple[MonitorSpec, list[T]]]) -> dict[str, tuple[MonitorSpec, list[T]]]:
    """A test whose codes other lines already schedule ('potassium' beside 'potassium and creatinine')
    is one test: drop it, and when it was the more frequent, its interval becomes theirs, so the
    plan shows one line with one date."""
    out = dict(chosen)
    for key in list(out)[::-1]:
        spec, ms = out[key]
        others = {k: v for k, v in out.items() if k != key and set(v[0].loinc) & set(spec.loinc)}
        if not others or not set(spec.loinc) <= {c for s, _ in others.values() for c in s.loinc}:
            continue
        del out[key]
        for k, (s, oms) in others.items():
            if 0 < spec.months < s.months or (s.months == 0 < spec.months):
                s = replace(s, months=spec.months, interval=spec.interval,
                            abnormal_months=spec.abnormal_months if s.abnormal_months is None else s.abnormal_months)
            out[k] = (s, oms + [m for m in ms if m not in oms])
    return out
