"""Checks on what a clinician types into the chart: each failure names the field it belongs to."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from functools import lru_cache

from assistant.config import resources_dir
from assistant.errors import BadInputError

from .fhir_values import EARLIEST_YEAR
from .plausibility import Limit, value_problem

# A clock a few minutes fast on the computer that took the reading is not a date in the future.
CLOCK_SLACK = timedelta(minutes=5)


class FieldError(BadInputError):
    """Bad input in one field of an entry form; `field` is the form's name for it."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(f"{field}: {text}")
        self.field = field
        self.text = text


@lru_cache(maxsize=1)
def entry_limits() -> dict[str, tuple[Limit, ...]]:
    """LOINC code -> the limits a typed value must keep (resources/knowledge/entry_limits.csv)."""
    path = resources_dir() / "knowledge" / "entry_limits.csv"
    out: dict[str, list[Limit]] = {}
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(line for line in f if not line.startswith("#")):
            limit = Limit(r["name"], frozenset(u.strip().lower() for u in r["units"].split("|")),
                          float(r["low"]), float(r["high"]))
            for code in r["loinc"].split():
                out.setdefault(code, []).append(limit)
    return {k: tuple(v) for k, v in out.items()}


def check_value(field: str, code: str, value: float, unit: str) -> None:
    """Refuse a value no patient can have (plausibility.csv) or no instrument reads (entry_limits.csv)."""
    problem = value_problem(code, value, unit)
    if problem:
        raise FieldError(field, f"{problem}; check the number")
    for limit in entry_limits().get(code, ()):
        if unit.strip().lower() in limit.units and not limit.low <= value <= limit.high:
            raise FieldError(field, f"{limit.name} {value:g} {unit} is outside {limit.low:g}-"
                                    f"{limit.high:g} {unit}, what a bedside measurement can read; "
                                    "check the number")


def check_positive(field: str, value: float) -> None:
    if not value > 0:
        raise FieldError(field, f"{value:g} is not a measurement: enter a number above 0")


def check_when(field: str, when: datetime, now: datetime) -> datetime:
    """The time of an entry: timezone-aware, not in the future, not before EARLIEST_YEAR."""
    aware = when if when.tzinfo else when.astimezone()  # a typed time is local time
    if aware > now + CLOCK_SLACK:
        raise FieldError(field, f"{aware:%Y-%m-%d %H:%M} is in the future; enter when it happened")
    if aware.year < EARLIEST_YEAR:
        raise FieldError(field, f"{aware:%Y-%m-%d} is before {EARLIEST_YEAR}; check the year")
    return aware


def check_text(field: str, text: str, what: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise FieldError(field, f"enter {what}")
    if len(cleaned) > 200:
        raise FieldError(field, f"{what} is longer than 200 characters; shorten it")
    return cleaned


def check_choice(field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise FieldError(field, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def parse_number(field: str, text: str) -> float:
    """A typed number ('4.1', '4,1'), or a FieldError naming the field."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise FieldError(field, f"{text.strip()!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise FieldError(field, f"{text.strip()!r} is not a number")
    return value


def parse_bp(field: str, text: str) -> tuple[float, float]:
    """'128/82' -> (128.0, 82.0); the diastolic must be below the systolic."""
    parts = text.replace(" ", "").split("/")
    if len(parts) != 2:
        raise FieldError(field, f"{text!r} is not systolic/diastolic, e.g. 128/82")
    systolic, diastolic = parse_number(field, parts[0]), parse_number(field, parts[1])
    check_bp(field, systolic, diastolic)
    return systolic, diastolic


def check_bp(field: str, systolic: float, diastolic: float) -> None:
    check_value(field, "8480-6", systolic, "mmHg")
    check_value(field, "8462-4", diastolic, "mmHg")
    if diastolic >= systolic:
        raise FieldError(field, f"diastolic {diastolic:g} is not below systolic {systolic:g}; "
                                "enter systolic first, e.g. 128/82")
