"""Move every FHIR date, dateTime and instant in a parsed JSON document by whole days (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta

from assistant.json_types import JSON

# FHIR R4 date / dateTime / instant (https://hl7.org/fhir/R4/datatypes.html#dateTime), month
# precision or finer. A bare year ("2015") is left alone: a four-digit code ("2670", a SNOMED or
# RxNorm code) looks the same, and no date field of ours is year-only.
FHIR_DATE = re.compile(
    r"(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])"
    r"(?:-(?P<day>0[1-9]|[12]\d|3[01])"
    r"(?P<time>T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d{1,9})?"
    r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)))?)?")


def is_fhir_date(text: str) -> bool:
    """True if the whole string is a FHIR date, dateTime or instant of month precision or finer."""
    return FHIR_DATE.fullmatch(text) is not None


def shift_date_text(text: str, days: int) -> str:
    """One FHIR date string moved by `days`, at its own precision; any other string unchanged.

    The clock time and its offset stay as written: moving the calendar day in the writer's own
    offset moves the instant by exactly `days` x 24 hours. A month-precision date moves its middle
    day, so a shift of a few days leaves it in its month and a longer one rounds fairly.
    """
    m = FHIR_DATE.fullmatch(text)
    if m is None or days == 0:
        return text
    year, month = int(m["year"]), int(m["month"])
    if m["day"] is None:
        moved = date(year, month, 15) + timedelta(days=days)
        return f"{moved.year:04d}-{moved.month:02d}"
    moved = date(year, month, int(m["day"])) + timedelta(days=days)
    return moved.isoformat() + (m["time"] or "")


def shift_dates(doc: JSON, days: int) -> JSON:
    """A copy of a parsed JSON document with every FHIR date string moved by `days`.

    Every string value is looked at, whatever its key (birthDate, effectiveDateTime, period.start,
    meta tags...), so no date field is missed; keys and non-date strings are copied unchanged.
    Intervals between dates, and ages at every date, are therefore kept exactly.
    """
    if isinstance(doc, str):
        return shift_date_text(doc, days)
    if isinstance(doc, Mapping):
        return {k: shift_dates(v, days) for k, v in doc.items()}
    if isinstance(doc, Sequence):
        return [shift_dates(v, days) for v in doc]
    return doc


def date_strings(doc: JSON, path: str = "") -> Iterator[tuple[str, str]]:
    """(JSON path, value) of every FHIR date string in a document, in document order."""
    if isinstance(doc, str):
        if is_fhir_date(doc):
            yield path, doc
    elif isinstance(doc, Mapping):
        for k, v in doc.items():
            yield from date_strings(v, f"{path}.{k}" if path else k)
    elif isinstance(doc, Sequence):
        for i, v in enumerate(doc):
            yield from date_strings(v, f"{path}[{i}]")
