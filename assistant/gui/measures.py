"""Group observations into measures with numeric series for the trend chart (no Qt)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from assistant.clinical.display_names import component_name, observation_name
from assistant.clinical.values import observation_value
from assistant.records.domain import Observation

from .formatting import fmt_date, title_case


@dataclass(frozen=True)
class Point:
    t: float  # POSIX seconds
    value: float
    ref: str  # the observation it comes from


@dataclass
class Series:
    name: str
    unit: str
    code: str = ""  # the LOINC (or other) code its values carry, for their printed precision
    points: list[Point] = field(default_factory=list)


@dataclass
class Measure:
    """All observations with one code: the chart's series, the table's rows, a reference band."""

    key: str
    name: str
    category: str
    observations: list[Observation] = field(default_factory=list)  # newest first
    series: dict[str, Series] = field(default_factory=dict)
    low: float | None = None
    high: float | None = None
    range_source: str = ""  # "record" when the record gives the range, else where it came from

    @property
    def latest(self) -> Observation:
        return self.observations[0]

    @property
    def numeric(self) -> bool:
        return any(len(s.points) for s in self.series.values())

    @property
    def unit(self) -> str:
        for s in self.series.values():
            if s.unit:
                return s.unit
        return ""

    def latest_text(self) -> str:
        return observation_value(self.latest)

    def latest_date(self) -> str:
        return fmt_date(self.latest.effective)

    def count(self) -> int:
        return len(self.observations)


def _key(o: Observation) -> str:
    return f"{o.code.system}|{o.code.code}" if o.code.code else f"name|{o.name.casefold()}"


CATEGORY_ORDER = {"vital-signs": 0, "laboratory": 1}


Band = Callable[[Observation], "tuple[float | None, float | None, str] | None"]


def build_measures(observations: Iterable[Observation], band: Band | None = None) -> list[Measure]:
    """Measures ordered vitals, labs, others, then by name; each observation's ref kept per point.

    `band(obs)` supplies a reference interval when no result of a measure carries its own.
    """
    measures: dict[str, Measure] = {}
    for o in observations:  # the record gives them newest first
        key = _key(o)
        m = measures.get(key)
        if m is None:
            m = measures[key] = Measure(key, observation_name(o) or "(unnamed)", o.category)
        m.observations.append(o)
        if o.reference_low is not None or o.reference_high is not None:
            if m.range_source != "record":  # newest range wins (ranges change with assays)
                m.low, m.high, m.range_source = o.reference_low, o.reference_high, "record"
        if o.effective is None:
            continue
        t = o.effective.timestamp()
        if o.value is not None:
            s = m.series.setdefault(m.name, Series(m.name, o.unit, o.code.code))
            s.points.append(Point(t, float(o.value), o.ref))
        for c in o.components:
            if c.value is not None:
                name = component_name(c)
                s = m.series.setdefault(name, Series(name, c.unit, c.code.code))
                s.points.append(Point(t, float(c.value), o.ref))
    for m in measures.values():
        for s in m.series.values():
            s.points.sort(key=lambda p: p.t)
        if not m.range_source and band is not None and m.numeric:
            found = band(m.latest)
            if found is not None:
                m.low, m.high, m.range_source = found
    return sorted(measures.values(),
                  key=lambda m: (CATEGORY_ORDER.get(m.category, 2), m.category, m.name.casefold()))


def category_label(category: str) -> str:
    return {"vital-signs": "Vital signs", "laboratory": "Laboratory"}.get(
        category, title_case(category.replace("-", " ")) or "Other")
