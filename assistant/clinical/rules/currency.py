"""Data currency: a chart whose newest entries are old says so, and old inputs are 'too old', not missing."""

from __future__ import annotations

from datetime import timedelta

from assistant.clinical.extract import Chart
from assistant.clinical.extract.codes import analytes
from assistant.clinical.knowledge import read_toml
from assistant.records.domain import Entry

from .base import Flag, ScoreResult


def newest_entry(chart: Chart) -> Entry | None:
    """The newest dated entry on or before as_of (cited as the evidence of a stale chart)."""
    dated = [e for e in chart.record.entries() if e.when is not None and e.when <= chart.as_of]
    return max(dated, key=lambda e: (e.when, e.id)) if dated else None


def stale_chart_flags(chart: Chart) -> list[Flag]:
    cfg = read_toml("rules.toml")["currency"]
    entry = newest_entry(chart)
    newest = entry.when if entry is not None else None
    if entry is None or newest is None or chart.as_of - newest <= timedelta(days=cfg["chart_stale_days"]):
        return []
    years = (chart.as_of - newest).days / 365.25
    # Completed years: 6 years 8 months is 'more than 6 years', never a rounded-up '7 years'.
    age = f"more than {int(years)} years" if years >= 2 else f"{(chart.as_of - newest).days // 30} months"
    text = (f"The newest entry in this chart is from {newest.date().isoformat()}, {age} before "
            f"{chart.as_of.date().isoformat()}. Every value is beyond its validity window: none is "
            "used as current, in a score or as 'at target'. See the patient, and repeat the "
            "measurements and laboratory tests that matter before acting on this record.")
    return [Flag("currency:stale-chart", f"All data are old: newest entry on {newest.date().isoformat()}",
                 "moderate", "care gap", (entry.ref,), text, (), cfg["source"])]


def too_old(chart: Chart, s: ScoreResult) -> str:
    """'creatinine too old (last 0.84 mg/dL on 2020-05-02; valid 365 days)' for each missing input
    that the chart has only outside its window; '' when nothing missing is merely old."""
    known = analytes()
    parts, old = [], False
    for name in s.missing:
        if name in known:
            found = chart.measurements(name)
            if found:
                m = found[0]
                parts.append(f"{name} too old (last {m.text()}; valid {known[name].window_days} days)")
                old = True
                continue
        parts.append(f"missing {name}")
    return "; ".join(parts) if old else ""
