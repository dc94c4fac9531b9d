"""Critical and abnormal laboratory values: the newest result of each analyte against its ranges."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from assistant.clinical.extract import Chart, Measurement, analyte, fmt, key_label
from assistant.clinical.knowledge import read_toml
from assistant.clinical.reference_ranges import LabRange, in_table_unit, lab_ranges, select_range
from assistant.records.domain import Observation

from .base import Flag
from .guard import guarded


def _own_range(chart: Chart, m: Measurement) -> tuple[float | None, float | None]:
    """The reporting laboratory's own interval, when it sent one in the analyte's unit."""
    o = chart.record.entry(m.ref)
    if isinstance(o, Observation) and (o.reference_low is not None or o.reference_high is not None):
        if in_table_unit(m.analyte, o.unit):
            return o.reference_low, o.reference_high
    return None, None


def classify(value: float, r: LabRange, low: float | None, high: float | None,
             interpretation: str = "") -> tuple[str, str] | None:
    """(direction, severity) for a value, or None when it is within range.

    Critical limits are inclusive (potassium 6.2 with a limit of 6.2 is critical); the reference
    interval is exclusive (5.1 with an upper limit of 5.1 is normal), as laboratories flag.
    """
    if (r.critical_high is not None and value >= r.critical_high) or interpretation == "HH":
        return "critically high", "critical"
    if (r.critical_low is not None and value <= r.critical_low) or interpretation == "LL":
        return "critically low", "critical"
    if high is not None and value > high:
        return "high", r.abnormal_severity
    if low is not None and value < low:
        return "low", r.abnormal_severity
    return None


def _limits(chart: Chart, m: Measurement, r: LabRange) -> tuple[float | None, float | None, bool]:
    """The reference limits a value is read against: the laboratory's own, else the table's; and
    whether the laboratory's own were used."""
    own_low, own_high = _own_range(chart, m) if not r.context else (None, None)
    return (own_low if own_low is not None else r.low, own_high if own_high is not None else r.high,
            own_low is not None or own_high is not None)


def _interpretation(chart: Chart, m: Measurement) -> str:
    o = chart.record.entry(m.ref)
    return o.interpretation if isinstance(o, Observation) else ""


def judge(chart: Chart, m: Measurement, r: LabRange) -> tuple[str, str] | None:
    """(direction, severity) of a measurement as its lab flag reads it, or None when in range."""
    low, high, _ = _limits(chart, m, r)
    return classify(m.value, r, low, high, _interpretation(chart, m))


def lab_flags(chart: Chart) -> list[Flag]:
    # One analyte's absurd value must not hide another's critical one: each is checked alone.
    return [f for name, ranges in lab_ranges().items()
            for f in guarded("laboratory", partial(_analyte_flags, chart, name, ranges), name)]


def _analyte_flags(chart: Chart, name: str, ranges: tuple[LabRange, ...]) -> list[Flag]:
    windows = read_toml("rules.toml")["windows"]
    r = select_range(chart, ranges)
    if r is None:
        return []
    values = chart.measurements(name, chart.as_of - timedelta(days=windows["lab_days"]))
    if not values:
        return []
    m = values[0]
    low, high, own = _limits(chart, m, r)
    found = classify(m.value, r, low, high, _interpretation(chart, m))
    if found is None:
        return []
    direction, severity = found
    display = analyte(name).display
    unit = f" {m.unit}" if m.unit else ""
    if severity == "critical" and chart.as_of - m.when > timedelta(days=windows["critical_recent_days"]):
        severity = "high"  # an old critical value is still unrepeated, but not an emergency now
    limit = (r.critical_high if direction == "critically high" else
             r.critical_low if direction == "critically low" else high if direction == "high" else low)
    where = ("the critical limit" if direction.startswith("critically") else "the reference limit")
    side = "above" if "high" in direction else "below"
    text = (f"{display} {fmt(m.value)}{unit} on {m.date} is {side} {where} of {fmt(limit or 0)}{unit}"
            f" (reference {_interval(low, high)}{unit}"
            + (", lab's own range" if own else "")
            + (f"; therapeutic range on {key_label(r.context[4:])}" if r.context else "")
            + ").")
    if len(values) > 1:
        text += f" The previous result was {fmt(values[1].value)}{unit} on {values[1].date}."
    if severity == "high" and direction.startswith("critically"):
        text += " It is more than a few weeks old and has not been repeated."
    refs = (m.ref,) + ((values[1].ref,) if len(values) > 1 else ())
    if severity == "critical":
        text += (" A critical value: act the same day (repeat it, assess the patient, treat; "
                 "for potassium check an ECG).")
    return [Flag(f"lab:{name}:{direction.replace(' ', '-')}",
                 f"{display} {direction}: {fmt(m.value)}{unit}", severity, "lab", refs, text,
                 (), r.source)]


def _interval(low: float | None, high: float | None) -> str:
    if low is None:
        return f"<= {fmt(high or 0)}"
    if high is None:
        return f">= {fmt(low)}"
    return f"{fmt(low)}-{fmt(high)}"
