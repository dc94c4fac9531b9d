"""Acute kidney injury by the KDIGO 2012 creatinine criteria, staged, and acute kidney disease (AKD) from the eGFR course."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from assistant.clinical.extract import Chart, Measurement, fmt
from assistant.clinical.knowledge import read_toml

from .base import Flag, cap
from .kidney_course import course


def _lowest_before(chart: Chart, newest: Measurement, span: timedelta) -> Measurement | None:
    """The lowest creatinine in `span` before the newest one (ties: the most recent), its baseline."""
    before = [m for m in chart.measurements("creatinine", newest.when - span, newest.when)
              if m.ref != newest.ref and m.value > 0]
    return min(before, key=lambda m: (m.value, -m.when.timestamp())) if before else None


def aki_stage(newest: float, base7: float | None, base48: float | None, cfg: dict[str, Any]) -> int:
    """KDIGO stage 1-3, or 0 when neither criterion (48 h rise, 7-day ratio) is met."""
    ratio = newest / base7 if base7 else 0.0
    rise = newest - base48 if base48 is not None else 0.0
    if ratio < cfg["ratio"] and rise < cfg["rise_mg_dl"] - 1e-9:
        return 0
    # Creatinine >= 4.0 mg/dL is stage 3 only once the rise criteria say the injury is acute.
    if ratio >= cfg["stage3_ratio"] or newest >= cfg["stage3_creatinine"]:
        return 3
    return 2 if ratio >= cfg["stage2_ratio"] else 1


def _aki(chart: Chart) -> tuple[int, Measurement | None, Measurement | None, Measurement | None]:
    """(stage, newest, 7-day baseline, 48-hour baseline) of the newest creatinine."""
    cfg = read_toml("rules.toml")["aki"]
    newest = chart.latest("creatinine")
    if newest is None:
        return 0, None, None, None
    base7 = _lowest_before(chart, newest, timedelta(days=cfg["baseline_days"]))
    base48 = _lowest_before(chart, newest, timedelta(hours=cfg["rise_hours"]))
    stage = aki_stage(newest.value, base7.value if base7 else None,
                      base48.value if base48 else None, cfg)
    return stage, newest, base7, base48


def aki_now(chart: Chart) -> int:
    """The KDIGO AKI stage of the newest creatinine (0: the criteria are not met)."""
    return _aki(chart)[0]


def aki_flags(chart: Chart) -> list[Flag]:
    """One kidney flag for an acute change: AKI when the KDIGO creatinine criteria are met, else AKD."""
    cfg = read_toml("rules.toml")["aki"]
    stage, newest, base7, base48 = _aki(chart)
    if not stage or newest is None:
        return akd_flags(chart)
    base = base7 if base7 is not None and (base48 is None or base7.value <= base48.value) else base48
    assert base is not None
    ratio = newest.value / base.value
    span = newest.when - base.when
    took = (f"{span.days} days" if span >= timedelta(days=2)
            else f"{round(span.total_seconds() / 3600)} hours")
    severity = cfg["severity"][str(stage)]
    past = chart.as_of - newest.when > timedelta(days=cfg["recent_days"])
    if past:
        severity = cap(severity, cfg["past_severity"])
    text = (f"Creatinine rose from {base.text()} to {newest.text()} ({fmt(round(ratio, 1))} times, "
            f"+{fmt(round(newest.value - base.value, 2))} {newest.unit} in {took}): acute kidney "
            f"injury, KDIGO stage {stage}. The eGFR from this creatinine overstates kidney function "
            "(the equations assume a steady state). ")
    if past:
        text += (f"It is more than {cfg['recent_days']} days old and has not been repeated since: "
                 "check creatinine now, and kidney function 3 months after the episode.")
    elif stage >= 2:
        text += ("Act the same day: assess volume status, urine output and potassium, stop "
                 "nephrotoxic drugs (NSAIDs), review ACE inhibitors/ARBs, diuretics, metformin and other "
                 "renally cleared doses, and consider hospital assessment.")
    else:
        text += ("Find the cause (volume depletion, obstruction, nephrotoxic drugs such as NSAIDs), "
                 "stop nephrotoxic drugs, and repeat creatinine within 48-72 hours.")
    title = (f"Acute kidney injury (AKI), KDIGO stage {stage}: creatinine {fmt(base.value)} to "
             f"{fmt(newest.value)} {newest.unit}")
    return [Flag("lab:aki", title, severity, "lab", (newest.ref, base.ref), text, (), cfg["source"])]


def _creatinine_at(chart: Chart, egfr: Measurement) -> Measurement | None:
    """The creatinine behind an eGFR: the same entry, or one taken within a day of it."""
    return next((m for m in chart.measurements("creatinine") if m.ref == egfr.ref or
                 abs(m.when - egfr.when) <= timedelta(days=1)), None)


def akd_flags(chart: Chart) -> list[Flag]:
    """Acute kidney disease (KDIGO 2012 AKI guideline, table 7): an acute fall in eGFR that does not
    meet the AKI creatinine criteria on the values on record. Named as acute, never as CKD progression."""
    c = course(chart)
    cfg = read_toml("rules.toml")["ckd_course"]
    if c is None or not c.acute or not (c.dropped or c.drop_percent >= cfg["akd_drop_percent"]):
        return []
    cr_new, cr_base = _creatinine_at(chart, c.newest), _creatinine_at(chart, c.base)
    creat = (f", creatinine {fmt(cr_base.value)} to {fmt(cr_new.value)} {cr_new.unit}"
             if cr_new is not None and cr_base is not None else "")
    title = (f"Acute kidney injury/disease (AKI/AKD), not CKD progression: eGFR {fmt(c.base.value)} to "
             f"{fmt(c.newest.value)}{creat}")
    aki = read_toml("rules.toml")["aki"]
    text = (f"eGFR fell from {c.base.text()} to {c.newest.text()} (-{fmt(round(c.drop_percent))}%), "
            f"{c.acute}: acute kidney disease by KDIGO, to be managed as acute kidney injury, not as "
            "progression of chronic kidney disease (CKD needs a reduced GFR for more than 3 months, and "
            "the eGFR equations assume a steady state that acute illness lacks). The KDIGO AKI "
            f"creatinine criteria (a rise >= {fmt(aki['rise_mg_dl'])} mg/dL within {aki['rise_hours']} h "
            f"or >= {fmt(aki['ratio'])} times baseline within {aki['baseline_days']} days) need a "
            "creatinine from the days before: repeat creatinine within 24-48 hours and daily while "
            "unwell, assess volume status, urine output and potassium, stop nephrotoxic drugs (NSAIDs), "
            "review ACE inhibitors/ARBs, diuretics, metformin and renally cleared doses, and recheck "
            "kidney function 3 months after the episode.")
    return [Flag("lab:akd", title, cfg["akd_severity"], "lab", (c.newest.ref, c.base.ref), text, (),
                 f"{cfg['source']}; {aki['source']}")]
