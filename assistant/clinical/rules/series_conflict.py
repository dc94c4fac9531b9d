"""Whether a test's series contradicts itself: a normal value between markedly abnormal ones, or both on one day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from assistant.clinical.extract import Chart, Measurement, fmt


@dataclass(frozen=True)
class Conflict:
    """The results that cannot all be true of a chronic state. `between` is (earlier marked, normal,
    later marked) or None; `same_day` is (normal, marked) measured on one day, or None."""

    between: tuple[Measurement, Measurement, Measurement] | None
    same_day: tuple[Measurement, Measurement] | None

    @property
    def refs(self) -> tuple[str, ...]:
        """The later marked value first (usually the last result), then the others, once each."""
        ms: list[Measurement] = []
        if self.between:
            ms += [self.between[2], self.between[1], self.between[0]]
        if self.same_day:
            ms += list(self.same_day)
        return tuple(dict.fromkeys(m.ref for m in ms))

    def summary(self) -> str:
        """'0.81 mg/dL on 2020-06-07, 2.81 on 2021-01-10; 0.94 and 2.76 on the same day, 2013-12-22'."""
        parts: list[str] = []
        if self.between:
            _, normal, marked = self.between
            parts.append(f"{normal.text()}, {fmt(marked.value)} on {marked.date}")
        if self.same_day:
            normal, marked = self.same_day
            unit = "" if parts or not normal.unit else f" {normal.unit}"
            parts.append(f"{fmt(normal.value)} and {fmt(marked.value)}{unit} on the same day, {normal.date}")
        return "; ".join(parts)

    def detail(self) -> str:
        """The same, in a sentence with every value and its date."""
        parts: list[str] = []
        if self.between:
            before, normal, after = self.between
            parts.append(f"{normal.text()} lies between {before.text()} and {after.text()}")
        if self.same_day:
            normal, marked = self.same_day
            unit = f" {marked.unit}" if marked.unit else ""
            parts.append(f"{fmt(normal.value)} and {fmt(marked.value)}{unit} were both reported on {normal.date}")
        return "; ".join(parts)


def _judged(chart: Chart, m: Measurement, row: dict[str, Any]) -> float | None:
    """The value the row judges: the eGFR computed from a creatinine, or the value itself."""
    if row.get("judge") == "egfr":
        egfr = chart.egfr_from(m)
        return egfr.value if egfr is not None else None
    return m.value


def _state(value: float | None, row: dict[str, Any]) -> str:
    """'marked', 'normal' or '' (in between, or not judged) by the row's limits."""
    if value is None:
        return ""
    below, above = row.get("below"), row.get("above")
    if (below is not None and value < below) or (above is not None and value > above):
        return "marked"
    low_ok, high_ok = row.get("normal_above"), row.get("normal_below")
    if low_ok is None and high_ok is None:
        return ""
    if (low_ok is None or value >= low_ok) and (high_ok is None or value <= high_ok):
        return "normal"
    return ""


def series_conflict(chart: Chart, values: list[Measurement], row: dict[str, Any],
                    span_days: int) -> Conflict | None:
    """The newest contradiction in a series (newest first, as Chart.measurements gives it), or None
    when every value is consistent with the others."""
    if "normal_above" not in row and "normal_below" not in row:
        return None
    states = [(m, _state(_judged(chart, m, row), row)) for m in sorted(values, key=lambda m: m.when)]
    span = timedelta(days=span_days)
    between = None
    for i, (m, state) in enumerate(states):
        if state != "normal":
            continue
        before = [x for x, s in states[:i] if s == "marked" and m.when - x.when <= span]
        after = [x for x, s in states[i + 1:] if s == "marked" and x.when - m.when <= span]
        if before and after:
            between = (before[-1], m, after[0])  # keep the newest
    same_day = None
    for m, state in states:
        if state != "normal":
            continue
        for x, s in states:
            if s == "marked" and x.when.date() == m.when.date():
                same_day = (m, x)
    if between is None and same_day is None:
        return None
    return Conflict(between, same_day)
