"""FHIR datatypes as plain values: dates, CodeableConcepts, and the references a file resolves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timezone
from typing import TYPE_CHECKING

from assistant.records.domain import ICD10, LOINC, RXNORM, SNOMED, Coding

if TYPE_CHECKING:
    from fhir.resources.R4B.codeableconcept import CodeableConcept
    from fhir.resources.R4B.reference import Reference

_PREFERRED_SYSTEMS = (SNOMED, LOINC, RXNORM, ICD10)
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass
class Context:
    """What a file tells about its own references: fullUrl -> (type, id), names, contained codes."""

    urls: dict[str, tuple[str, str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # "Organization/id" -> name
    medications: dict[str, Coding] = field(default_factory=dict)  # "Medication/id" -> code

    def resolve(self, reference: str | None) -> tuple[str, str]:
        """(type, id) of a reference: 'urn:uuid:..', 'Patient/123', or an absolute URL."""
        if not reference:
            return "", ""
        if reference in self.urls:
            return self.urls[reference]
        parts = reference.rstrip("/").split("/")
        if len(parts) >= 2 and not reference.startswith("urn:"):
            return parts[-2], parts[-1]
        return "", reference.rsplit(":", 1)[-1]

    def display(self, ref: Reference | None) -> str:
        """The display text of a Reference, resolving it to a known name when it has none."""
        if ref is None:
            return ""
        if getattr(ref, "display", None):
            return str(ref.display)
        rtype, rid = self.resolve(getattr(ref, "reference", None))
        return self.names.get(f"{rtype}/{rid}", "")


# A date before this is no date of care but a fill value (0001-01-01) or a typing error; with a
# time zone it can fall off the calendar when converted to UTC. Such dates are not kept as dates.
EARLIEST_YEAR = 1800


def dt(value: date | str | None) -> datetime | None:
    """A FHIR date/dateTime/instant (object or partial string) as an aware datetime (UTC if none);
    None for a date before EARLIEST_YEAR."""
    when = _dt(value)
    return None if when is None or when.year < EARLIEST_YEAR else when


def _dt(value: date | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        # Normalise pydantic's TzInfo to the standard library's, so records pickle and compare alike.
        offset = value.utcoffset()
        tz = UTC if offset is None or not offset else timezone(offset)
        return value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    m = _PARTIAL_DATE.match(str(value))
    if m:
        return datetime(int(m[1]), int(m[2] or 1), int(m[3] or 1), tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def d(value: date | str | None) -> date | None:
    got = dt(value)
    return got.date() if got else None


def coding(cc: CodeableConcept | None) -> Coding:
    """The preferred coding of a CodeableConcept (SNOMED, LOINC, RxNorm, ICD-10 first), text as display."""
    if cc is None:
        return Coding()
    codings = list(cc.coding or [])
    codings.sort(key=lambda c: _PREFERRED_SYSTEMS.index(c.system) if c.system in _PREFERRED_SYSTEMS else 9)
    if codings:
        c = codings[0]
        return Coding(c.system or "", c.code or "", c.display or cc.text or "")
    return Coding("", "", cc.text or "")


def codings(cc: CodeableConcept | None) -> tuple[Coding, ...]:
    if cc is None:
        return ()
    return tuple(Coding(c.system or "", c.code or "", c.display or "") for c in cc.coding or [])


def cc_text(cc: CodeableConcept | None) -> str:
    if cc is None:
        return ""
    if cc.text:
        return str(cc.text)
    for c in cc.coding or []:
        if c.display or c.code:
            return str(c.display or c.code)
    return ""


def status_code(cc: CodeableConcept | None) -> str:
    if cc is None:
        return ""
    for c in cc.coding or []:
        if c.code:
            return str(c.code)
    return str(cc.text or "")
