"""Fact sheet: a compact, prioritised list of cited facts (F1, F2, ...) taken from a record and its flags."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from assistant.records.domain import Entry, Observation
from assistant.records.record import PatientRecord

from . import fact_lines as fl
from .note_lines import notes

# Display order of the sections on the sheet (the order a clinician reads a chart in).
SECTIONS = ("demographics", "allergy", "problem", "medication", "vital", "lab", "social", "encounter",
            "procedure", "note", "flag")


@dataclass(frozen=True)
class Fact:
    """One line of the sheet. `refs` are the record entries (e.g. 'Observation/<id>') behind it;
    `priority` (0-100) decides what is dropped first when the sheet must be shortened."""

    id: str
    section: str
    text: str
    refs: tuple[str, ...]
    priority: int
    # Structured parts of the line (lab value, date, state...), for the deterministic summary.
    detail: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def line(self) -> str:
        return f"{self.id}: {self.text}"


@dataclass(frozen=True)
class FactSheet:
    """The facts kept within the token budget, in display order, and those left out."""

    patient_id: str
    lines: tuple[Fact, ...]
    omitted: tuple[Fact, ...] = ()
    as_of: datetime | None = None
    tokens: int | None = None  # estimated size of text() when a budget was applied

    def text(self) -> str:
        return "\n".join(f.line() for f in self.lines)

    def fact(self, fact_id: str) -> Fact | None:
        for f in self.lines:
            if f.id == fact_id:
                return f
        return None

    def refs_for(self, ids: Iterable[str]) -> tuple[str, ...]:
        """Record entries behind the given fact ids, in order, without repeats; unknown ids ignored."""
        out: dict[str, None] = {}
        for i in ids:
            f = self.fact(i)
            if f is not None:
                out.update(dict.fromkeys(f.refs))
        return tuple(out)

    def section(self, name: str) -> tuple[Fact, ...]:
        return tuple(f for f in self.lines if f.section == name)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.lines)


def estimate_tokens(text: str) -> int:
    """Rough token count when no tokenizer is at hand: BPE vocabularies average ~3.5 characters
    per token on English clinical text with numbers (erring on the large side is safe)."""
    return int(len(text) / 3.2) + 1


def anchor_time(record: PatientRecord, as_of: datetime | None = None) -> datetime:
    """'Now' for recency: the given date, else the newest dated entry (a chart exported years ago
    should still show its latest values as recent), else the current time."""
    if as_of is not None:
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    now = datetime.now(UTC)
    dates = [w for e in record.entries() if (w := e.when) is not None and w <= now + timedelta(days=1)]
    return max(dates) if dates else now


def candidate_facts(record: PatientRecord, risk: Any | None, anchor: datetime) -> list[tuple[Any, ...]]:
    """Every candidate line as (section, text, refs, priority[, detail]), in display order."""
    out: list[tuple[Any, ...]] = []
    out += fl.demographics(record, anchor)
    out += fl.allergies(record)
    out += fl.problems(record)
    out += fl.medications(record, anchor)
    obs_by_code = _observations_by_code(record.observations)
    out += fl.vitals(obs_by_code, anchor)
    out += fl.labs(record, obs_by_code, anchor)
    out += fl.social(obs_by_code, anchor)
    out += fl.encounters(record, anchor)
    out += fl.procedures(record, anchor)
    out += notes(record, anchor)
    out += fl.flags(risk)
    order = {s: i for i, s in enumerate(SECTIONS)}
    # Stable sort by section keeps each section's own order (newest first, most severe first).
    return sorted(out, key=lambda c: order.get(c[0], len(order)))


def _observations_by_code(observations: Sequence[Observation]) -> dict[str, list[Observation]]:
    """Observations by LOINC code (and by component code), newest first as in the record."""
    by_code: dict[str, list[Observation]] = {}
    for o in observations:
        if o.status in ("entered-in-error", "cancelled") or o.implausible:
            continue  # an implausible value (marked at import) is never stated as a fact
        codes = {o.code.code, *(c.code.code for c in o.components)}
        for code in codes:
            if code:
                by_code.setdefault(code, []).append(o)
    return by_code


def build_fact_sheet(record: PatientRecord, risk: Any | None = None, token_budget: int | None = None,
                     count_tokens: Callable[[str], int] | None = None,
                     as_of: datetime | None = None) -> FactSheet:
    """Build the sheet. With a token budget, the least important lines are dropped first (lowest
    priority; among equal priority the later line, i.e. the older entry), until the rest fits."""
    anchor = anchor_time(record, as_of)
    facts = tuple(Fact(f"F{n}", c[0], c[1], c[2], c[3], c[4] if len(c) > 4 else {})
                  for n, c in enumerate(candidate_facts(record, risk, anchor), start=1))
    sheet = FactSheet(record.patient.id, facts, (), anchor, None)
    return sheet if token_budget is None else fit_budget(sheet, token_budget, count_tokens)


def fit_budget(sheet: FactSheet, token_budget: int,
               count_tokens: Callable[[str], int] | None = None) -> FactSheet:
    """`sheet` (a whole one) within `token_budget`, the least important lines dropped first; the
    kept lines keep their ids, so a sentence about them can be checked against the whole sheet."""
    facts, count = sheet.lines, count_tokens or estimate_tokens
    sizes = {f.id: count(f.line() + "\n") for f in facts}
    total = sum(sizes.values())
    # Importance order: highest priority first, then display order (ids were given in that order).
    ranked = sorted(facts, key=lambda f: (-f.priority, int(f.id[1:])))
    dropped: list[Fact] = []
    while ranked and total > token_budget:
        f = ranked.pop()
        dropped.append(f)
        total -= sizes[f.id]
    gone = {f.id for f in dropped}
    kept = tuple(f for f in facts if f.id not in gone)
    return FactSheet(sheet.patient_id, kept, tuple(dropped), sheet.as_of, total)


def entry_refs(entries: Iterable[Entry]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.ref for e in entries))
