"""Critical and abnormal laboratory values: the newest result of each analyte against its ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from assistant.clinical.extract import Chart, Measurement, analyte, fmt, key_label
from assistant.clinical.extract.codes import _norm
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv, read_toml
from assistant.records.domain import Observation

from .base import SEVERITIES, Flag


@dataclass(frozen=True)
class LabRange:
    analyte: str
    sex: str
    context: str  # '' or 'med:<ingredient or class:NAME>'
    unit: str
    low: float | None
    high: float | None
    critical_low: float | None
    critical_high: float | None
    abnormal_severity: str
    source: str


def _num(cell: str) -> float | None:
    return float(cell) if cell else None


@derived_table
def lab_ranges() -> dict[str, tuple[LabRange, ...]]:
    out: dict[str, list[LabRange]] = {}
    for row in read_csv("lab_reference_ranges.csv"):
        a = analyte(row["analyte"])  # unknown analytes fail loudly at load
        if row["unit"] != a.unit:
            raise KnowledgeError(f"lab_reference_ranges.csv: {a.name} range is in {row['unit']!r} "
                                 f"but loinc_map.csv reports it in {a.unit!r}")
        if row["abnormal_severity"] not in SEVERITIES:
            raise KnowledgeError(f"lab_reference_ranges.csv: {a.name}: bad abnormal_severity")
        out.setdefault(a.name, []).append(LabRange(
            a.name, row["sex"], row["context"], row["unit"], _num(row["low"]), _num(row["high"]),
            _num(row["critical_low"]), _num(row["critical_high"]), row["abnormal_severity"],
            row["source"]))
    return {k: tuple(v) for k, v in out.items()}


def select_range(chart: Chart, ranges: tuple[LabRange, ...]) -> LabRange | None:
    """The most specific row: a medication context the patient is in, then sex, then generic."""
    def applies(r: LabRange) -> bool:
        if r.sex and r.sex != chart.sex:
            return False
        if r.context:
            return r.context.startswith("med:") and bool(chart.meds_with(r.context[4:]))
        return True

    candidates = [r for r in ranges if applies(r)]
    candidates.sort(key=lambda r: (not r.context, not r.sex))
    return candidates[0] if candidates else None


def _own_range(chart: Chart, m: Measurement) -> tuple[float | None, float | None]:
    """The reporting laboratory's own interval, when it sent one in the analyte's unit."""
    o = chart.record.entry(m.ref)
    if isinstance(o, Observation) and (o.reference_low is not None or o.reference_high is not None):
        if _norm(o.unit) in analyte(m.analyte).same_units:
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


def lab_flags(chart: Chart) -> list[Flag]:
    windows = read_toml("rules.toml")["windows"]
    out: list[Flag] = []
    for name, ranges in lab_ranges().items():
        r = select_range(chart, ranges)
        if r is None:
            continue
        values = chart.measurements(name, chart.as_of - timedelta(days=windows["lab_days"]))
        if not values:
            continue
        m = values[0]
        own_low, own_high = _own_range(chart, m) if not r.context else (None, None)
        low = own_low if own_low is not None else r.low
        high = own_high if own_high is not None else r.high
        o = chart.record.entry(m.ref)
        found = classify(m.value, r, low, high, o.interpretation if isinstance(o, Observation) else "")
        if found is None:
            continue
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
                + (", lab's own range" if own_low is not None or own_high is not None else "")
                + (f"; therapeutic range on {key_label(r.context[4:])}" if r.context else "")
                + ").")
        if len(values) > 1:
            text += f" The previous result was {fmt(values[1].value)}{unit} on {values[1].date}."
        if severity == "high" and direction.startswith("critically"):
            text += " It is more than a few weeks old and has not been repeated."
        refs = (m.ref,) + ((values[1].ref,) if len(values) > 1 else ())
        out.append(Flag(f"lab:{name}:{direction.replace(' ', '-')}",
                        f"{display} {direction}: {fmt(m.value)}{unit}", severity, "lab", refs, text,
                        (), r.source))
    return out


def _interval(low: float | None, high: float | None) -> str:
    if low is None:
        return f"<= {fmt(high or 0)}"
    if high is None:
        return f">= {fmt(low)}"
    return f"{fmt(low)}-{fmt(high)}"
