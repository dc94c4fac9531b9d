"""Flag and score-result types shared by every rule, with ordering and de-duplication."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.clinical.calculators import Result

SEVERITIES = ("critical", "high", "moderate", "info")
CATEGORIES = ("score", "lab", "trend", "medication", "allergy", "care gap")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
# Order within one severity: what the patient's values and medicines show now, then trends over
# time, then gaps in care (issue 14: urgency first, current values before trends before gaps).
_ORDER = {c: i for i, c in enumerate(("lab", "score", "allergy", "medication", "trend", "care gap"))}


def rank(severity: str) -> int:
    """0 for critical ... 3 for info (lower is more severe)."""
    return _RANK[severity]


def order_key(f: Flag) -> tuple[int, int, str, str]:
    """Sort key: severity, then current values before trends before gaps, then title and id."""
    return rank(f.severity), _ORDER[f.category], f.title, f.id


def worst(*severities: str) -> str:
    return min(severities, key=rank)


def cap(severity: str, at_most: str) -> str:
    """`severity`, but no more severe than `at_most` (e.g. historical values are at most 'info')."""
    return severity if rank(severity) >= rank(at_most) else at_most


@dataclass(frozen=True)
class Flag:
    """One finding: what it is, how severe, the entries that triggered it and the published source."""

    id: str  # stable rule id plus a discriminator, e.g. 'ddi:warfarin+ibuprofen'
    title: str
    severity: str
    category: str
    evidence: tuple[str, ...]  # entry refs ('Observation/<id>'), each once, in first-cited order
    explanation: str  # one plain paragraph with the actual values and dates
    missing: tuple[str, ...] = ()
    reference: str = ""
    points: tuple[str, ...] = ()  # sub-points: related findings merged into this one problem

    def __post_init__(self) -> None:
        # Every view (risk review, fact sheet, care plan, PDF) cites each entry once.
        object.__setattr__(self, "evidence", refs(self.evidence))
        if self.severity not in SEVERITIES:
            raise ValueError(f"flag {self.id}: severity {self.severity!r} not in {SEVERITIES}")
        if self.category not in CATEGORIES:
            raise ValueError(f"flag {self.id}: category {self.category!r} not in {CATEGORIES}")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity,
                "category": self.category, "evidence": list(self.evidence),
                "explanation": self.explanation, "missing": list(self.missing),
                "reference": self.reference, "points": list(self.points)}


def refs(*groups: Iterable[str] | str | None) -> tuple[str, ...]:
    """Entry refs in first-seen order without repeats; accepts single refs and iterables."""
    out: dict[str, None] = {}
    for g in groups:
        if not g:
            continue
        for r in ([g] if isinstance(g, str) else g):
            if r:
                out[r] = None
    return tuple(out)


def finalize(flags: Iterable[Flag]) -> tuple[Flag, ...]:
    """De-duplicate by id (the most severe wins; evidence is merged) and sort by severity.

    Within a severity, current values (labs, scores, medicines) come before trends and trends
    before care gaps; then titles sort, so the output is stable for the same record.
    """
    best: dict[str, Flag] = {}
    for f in flags:
        old = best.get(f.id)
        if old is None:
            best[f.id] = f
            continue
        keep, other = (f, old) if rank(f.severity) < rank(old.severity) else (old, f)
        best[f.id] = Flag(keep.id, keep.title, keep.severity, keep.category,
                          refs(keep.evidence, other.evidence), keep.explanation, keep.missing,
                          keep.reference, keep.points)
    return tuple(sorted(best.values(), key=order_key))


@dataclass(frozen=True)
class ScoreResult:
    """A calculator run on the record: the result (None when it could not be computed) and provenance."""

    calculator_id: str
    title: str
    result: Result | None
    sources: Mapping[str, str] = field(default_factory=dict)  # input -> entry ref
    missing: tuple[str, ...] = ()  # required inputs absent from the record
    unassessed: tuple[str, ...] = ()  # optional inputs the record cannot supply
    assumed: Mapping[str, str] = field(default_factory=dict)
    error: str = ""  # why a complete set of inputs was still refused (e.g. age outside the range)
    details: Mapping[str, str] = field(default_factory=dict)  # input -> the record's value as text
    anchor: datetime | None = None  # vitals set time for bedside scores

    @property
    def computed(self) -> bool:
        return self.result is not None

    @property
    def evidence(self) -> tuple[str, ...]:
        return refs(self.sources.values())

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.calculator_id, "title": self.title}
        if self.result is not None:
            r = self.result.to_dict()
            d.update({k: r[k] for k in ("value", "unit", "interpretation", "points", "details",
                                        "inputs", "reference")})
        d.update({"sources": dict(self.sources), "missing": list(self.missing),
                  "unassessed": list(self.unassessed), "assumed": dict(self.assumed)})
        if self.error:
            d["error"] = self.error
        return d
