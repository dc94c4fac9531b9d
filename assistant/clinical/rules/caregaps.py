"""Care gaps: overdue HbA1c, missing statin or antithrombotic, overdue vaccines, blood pressure above target."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from assistant.clinical.extract import Chart, Measurement, fmt
from assistant.clinical.knowledge import read_toml

from .base import Flag
from .currency import stale_chart_flags
from .guard import guarded
from .stroke import antithrombotic_gap

_CHRONIC = ("diabetes", "copd", "asthma", "heart_failure", "ckd")


def _cfg(name: str) -> dict[str, Any]:
    return read_toml("rules.toml")["care_gaps"][name]


def _ago(chart: Chart, m: Measurement) -> str:
    return f"{(chart.as_of - m.when).days} days before {chart.as_of.date().isoformat()}"


def hba1c_overdue(chart: Chart) -> list[Flag]:
    cfg = _cfg("hba1c")
    diabetes = next((chart.conditions(c)[0] for c in cfg["requires"] if chart.has(c)), None)
    if diabetes is None:
        return []
    last = chart.latest("hba1c", window_days=36500)
    if last is not None and chart.as_of - last.when <= timedelta(days=cfg["interval_days"]):
        return []
    when = (f"The last HbA1c was {last.text()}, {_ago(chart, last)}." if last
            else "No HbA1c result is on record.")
    text = (f"{diabetes.display} is on the problem list. {when} HbA1c should be checked at least "
            f"every {cfg['interval_days'] // 30} months (every 3 months when not at goal).")
    return [Flag("gap:hba1c", "Diabetes: HbA1c overdue", "moderate", "care gap",
                 (diabetes.ref,) + ((last.ref,) if last else ()), text,
                 () if last else ("HbA1c (LOINC 4548-4)",), cfg["source"])]


def undiagnosed_diabetes(chart: Chart) -> list[Flag]:
    cfg = _cfg("undiagnosed_diabetes")
    if chart.has("diabetes"):
        return []
    last = chart.latest("hba1c")
    if last is None or last.value < cfg["hba1c_at"]:
        return []
    text = (f"HbA1c {last.text()} is in the diabetes range (>= {fmt(cfg['hba1c_at'])}%) but no "
            "diabetes diagnosis is on the problem list. Confirm with a repeat test and record the "
            "diagnosis.")
    return [Flag("gap:undiagnosed-diabetes", f"HbA1c {fmt(last.value)}% without a diabetes diagnosis",
                 "moderate", "care gap", (last.ref,), text, (), cfg["source"])]


def statin_gap(chart: Chart) -> list[Flag]:
    cfg = _cfg("statin")
    age = chart.age
    if age is None or chart.meds_with("class:statin"):
        return []
    ascvd = chart.conditions("ascvd")
    ldl = chart.latest("ldl", window_days=3650)
    diabetes = chart.conditions("diabetes")
    if ascvd and age <= cfg["max_age"]:
        group, severity, why, ev = ("ascvd", "high",
                                    f"clinical ASCVD ({ascvd[0].display.lower()})", (ascvd[0].ref,))
    elif ldl and ldl.value >= cfg["ldl_severe"] and cfg["min_age"] <= age <= cfg["max_age"]:
        group, severity, why, ev = ("ldl190", "high",
                                    f"LDL cholesterol {ldl.text()} (>= {fmt(cfg['ldl_severe'])})", (ldl.ref,))
    elif diabetes and cfg["diabetes_min_age"] <= age <= cfg["diabetes_max_age"]:
        group, severity, why, ev = ("diabetes", "moderate",
                                    f"{diabetes[0].display.lower()} at age {age}", (diabetes[0].ref,))
    else:
        return []
    text = (f"The patient has {why} and no statin is on the active medication list. The 2018 "
            "AHA/ACC cholesterol guideline recommends statin therapy for this group "
            + ("(high intensity)." if group != "diabetes" else "(at least moderate intensity).")
            + " Record a reason if a statin is declined or not tolerated.")
    return [Flag(f"gap:statin:{group}", "No statin where the guideline recommends one", severity,
                 "care gap", ev + (chart.patient.ref,), text, (), cfg["source"])]


def influenza_gap(chart: Chart) -> list[Flag]:
    cfg = _cfg("influenza")
    age = chart.age
    if age is None or age < cfg["min_age_years"]:
        return []
    doses = chart.immunizations(set(cfg["cvx"]))
    last = doses[0] if doses else None
    if last is not None and last.date and chart.as_of - last.date <= timedelta(days=cfg["interval_days"]):
        return []
    risk = age >= 65 or any(chart.has(c) for c in _CHRONIC)
    when = (f"The last influenza vaccine was given on {last.date.date().isoformat()}." if last and last.date
            else "No influenza vaccine is on record.")
    text = (f"{when} Annual influenza vaccination is recommended for everyone aged 6 months and "
            "over" + (", and matters most at 65 or over or with chronic heart, lung, kidney or "
                      "metabolic disease." if risk else "."))
    return [Flag("gap:influenza", "Influenza vaccination overdue", "moderate" if risk else "info",
                 "care gap", (last.ref,) if last else (chart.patient.ref,), text, (), cfg["source"])]


def pneumococcal_gap(chart: Chart) -> list[Flag]:
    cfg = _cfg("pneumococcal")
    age = chart.age
    if age is None or age < cfg["min_age_years"] or chart.immunizations(set(cfg["cvx"])):
        return []
    text = (f"The patient is {age} and no pneumococcal vaccine is on record. Adults aged 65 and "
            "over should receive a pneumococcal conjugate vaccine (PCV20 or PCV21 alone, or PCV15 "
            "followed by PPSV23).")
    return [Flag("gap:pneumococcal", "Pneumococcal vaccination not recorded (age >= 65)", "moderate",
                 "care gap", (chart.patient.ref,), text, (), cfg["source"])]


def blood_pressure_gap(chart: Chart) -> list[Flag]:
    cfg = _cfg("blood_pressure")
    since = chart.as_of - timedelta(days=cfg["window_days"])
    dbp = {m.ref: m for m in chart.measurements("dbp", since)}
    readings = [(s, dbp[s.ref]) for s in chart.measurements("sbp", since) if s.ref in dbp]
    readings = readings[: cfg["readings"]]
    if not readings:  # nothing within the window: the last readings, if high, are too old
        return _last_bp_too_old(chart, cfg)
    text_bp = "; ".join(f"{fmt(round(s.value))}/{fmt(round(d.value))} mmHg on {s.date}" for s, d in readings)
    ev = tuple(s.ref for s, _ in readings)
    (s0, d0) = readings[0]
    if s0.value >= cfg["severe_sbp"] or d0.value >= cfg["severe_dbp"]:
        return [Flag("gap:bp:severe", f"Severe hypertension: {fmt(round(s0.value))}/{fmt(round(d0.value))} mmHg",
                     "high", "care gap", ev,
                     f"The last blood pressure readings were {text_bp}. A reading >= "
                     f"{cfg['severe_sbp']}/{cfg['severe_dbp']} needs prompt reassessment for target-"
                     "organ damage and treatment.", (), cfg["source"])]
    hypertension = chart.conditions("hypertension")
    if hypertension:
        above = all(s.value >= cfg["target_sbp"] or d.value >= cfg["target_dbp"] for s, d in readings)
        if not above:
            return []
        # One recent reading is enough for a known hypertension (the care plan's goal line judges
        # the same latest reading); it is named as one, to be confirmed.
        one = len(readings) == 1
        return [Flag("gap:bp:above-target",
                     "Blood pressure above target at the last visit" + ("" if one else "s"), "moderate",
                     "care gap", (hypertension[0].ref, *ev),
                     f"{hypertension[0].display} is on the problem list and the last "
                     + ("reading, the only one" if one else f"{len(readings)} readings")
                     + f" within {cfg['window_days']} days, "
                     + ("was" if one else "were") + f" above the target of < {cfg['target_sbp']}/"
                     f"{cfg['target_dbp']} mmHg: {text_bp}. "
                     + ("Confirm with a repeat or home readings, check adherence" if one else
                        "Check adherence and home readings")
                     + ", and intensify treatment.", (), cfg["source"])]
    high = all(s.value >= cfg["diagnose_sbp"] or d.value >= cfg["diagnose_dbp"] for s, d in readings)
    if not high or len(readings) < cfg["readings"]:
        return []  # a diagnosis rests on readings on two occasions (Whelton 2017)
    return [Flag("gap:bp:undiagnosed", "Raised blood pressure without a hypertension diagnosis",
                 "moderate", "care gap", ev,
                 f"The last {len(readings)} readings were >= {cfg['diagnose_sbp']}/{cfg['diagnose_dbp']} "
                 f"mmHg ({text_bp}) and hypertension is not on the problem list. Confirm with home or "
                 "ambulatory readings and record the diagnosis.", (), cfg["source"])]


def _last_bp_too_old(chart: Chart, cfg: dict[str, Any]) -> list[Flag]:
    """The last recorded readings were high but are beyond the window: say so, with their date."""
    dbp = {m.ref: m for m in chart.measurements("dbp")}
    readings = [(s, dbp[s.ref]) for s in chart.measurements("sbp") if s.ref in dbp][: cfg["readings"]]
    if not readings:
        return []
    hypertension = chart.conditions("hypertension")
    target = (cfg["target_sbp"], cfg["target_dbp"]) if hypertension else (cfg["diagnose_sbp"],
                                                                           cfg["diagnose_dbp"])
    if not all(s.value >= target[0] or d.value >= target[1] for s, d in readings):
        return []
    s0, d0 = readings[0]
    text_bp = "; ".join(f"{fmt(round(s.value))}/{fmt(round(d.value))} mmHg on {s.date}" for s, d in readings)
    why = (f"{hypertension[0].display} is on the problem list and the last recorded readings were above "
           f"the target of < {target[0]}/{target[1]} mmHg" if hypertension else
           f"The last recorded readings were >= {target[0]}/{target[1]} mmHg")
    text = (f"{why}: {text_bp}. They are older than {cfg['window_days']} days, so today's pressure is "
            "unknown: measure it now (and home or ambulatory readings) before deciding on treatment.")
    return [Flag("gap:bp:last-above-target",
                 f"Blood pressure {fmt(round(s0.value))}/{fmt(round(d0.value))} mmHg at the last visit, "
                 f"too old (last on {s0.date})", "moderate", "care gap",
                 tuple(c.ref for c in hypertension[:1]) + tuple(s.ref for s, _ in readings), text, (),
                 cfg["source"])]


def care_gap_flags(chart: Chart) -> list[Flag]:
    if chart.patient.deceased:
        return []  # preventive care does not apply to a closed chart
    rules = (stale_chart_flags, hba1c_overdue, undiagnosed_diabetes, statin_gap, antithrombotic_gap,
             influenza_gap, pneumococcal_gap, blood_pressure_gap)
    return [f for rule in rules
            for f in guarded("care gaps", partial(rule, chart), rule.__name__)]
