"""Plausibility at import: values no living patient can have are kept but marked, never scored."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from assistant.config import resources_dir

from .domain import Observation
from .fhir_values import EARLIEST_YEAR

# Whatever the code or unit: no measurement of a patient reaches these (cell counts per litre, the
# largest routine numbers, stay below 1e14).
ANY_VALUE_LIMIT = 1e15


@dataclass(frozen=True)
class Limit:
    name: str
    units: frozenset[str]
    low: float
    high: float


@lru_cache(maxsize=1)
def limits() -> dict[str, tuple[Limit, ...]]:
    """LOINC code -> its limits (one per unit family), from resources/knowledge/plausibility.csv."""
    path = resources_dir() / "knowledge" / "plausibility.csv"
    with path.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        out: dict[str, list[Limit]] = {}
        for r in rows:
            limit = Limit(r["name"], frozenset(u.strip().lower() for u in r["units"].split("|")),
                          float(r["low"]), float(r["high"]))
            for code in r["loinc"].split():
                out.setdefault(code, []).append(limit)
    return {k: tuple(v) for k, v in out.items()}


def value_problem(code: str, value: float | None, unit: str) -> str:
    """Why a value is implausible ('' when it is plausible or cannot be judged)."""
    if value is None:
        return ""
    if not math.isfinite(value) or abs(value) > ANY_VALUE_LIMIT:
        return f"value {value:g} is not a possible measurement"
    for limit in limits().get(code, ()):
        if unit.strip().lower() in limit.units and not limit.low <= value <= limit.high:
            return (f"{limit.name} {value:g} {unit} is outside the possible range "
                    f"{limit.low:g}-{limit.high:g} {unit}")
    return ""


def date_problem(when: date | str | None) -> str:
    """Why a source date is implausible (the mapper keeps no date before EARLIEST_YEAR)."""
    year = getattr(when, "year", None)
    if year is None and isinstance(when, str) and when[:4].isdigit():
        year = int(when[:4])
    if year is not None and year < EARLIEST_YEAR:
        return f"date {str(when)[:10]} is before {EARLIEST_YEAR}; kept without its date"
    return ""


def judge(o: Observation, source_date: date | str | None = None) -> str:
    """Why an observation is implausible: its value, a component's, or its source date ('' when none)."""
    problems = [value_problem(o.code.code, o.value, o.unit), date_problem(source_date),
                *(value_problem(c.code.code, c.value, c.unit) for c in o.components)]
    return "; ".join(p for p in problems if p)
