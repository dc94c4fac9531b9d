"""Column layouts for each chart section's table, and which tab shows which entry type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from assistant.clinical.display_names import observation_name
from assistant.clinical.values import observation_value
from assistant.gui.table_models import Column
from assistant.records.domain import (
    Allergy,
    Condition,
    Encounter,
    Entry,
    Immunization,
    Medication,
    Note,
    Observation,
    Procedure,
)

from .entry_detail import entry_label
from .formatting import (
    fmt_date,
    fmt_datetime,
    interpretation,
    obs_range,
    sort_date,
    title_case,
)


def _codes(c: Condition) -> str:
    return ", ".join(f"{x.code}" for x in (c.codes or (c.code,)) if x.code)


def _inactive(e: Any) -> str:
    return "" if getattr(e, "is_active", True) else "muted"


def in_error(e: Any) -> bool:
    return "entered-in-error" in (getattr(e, "status", ""), getattr(e, "verification_status", ""))


def _status(e: Any, text: str) -> str:
    return "Entered in error" if in_error(e) else text


def correction_tips(entries: Sequence[Any]) -> dict[str, str]:
    """Tooltips for entries marked entered in error: who marked them and when, and what replaced them."""
    replaced_by = {e.supersedes: e for e in entries if getattr(e, "supersedes", "")}
    tips: dict[str, str] = {}
    for e in entries:
        if not in_error(e):
            continue
        who = f"by {e.recorded_by or 'unknown'}" + (f" on {fmt_datetime(e.recorded_at)}" if e.recorded_at else "")
        new = replaced_by.get(e.ref)
        if new is not None:
            tips[e.ref] = f"Corrected {who}: replaced by {entry_label(new)}; this version is not used"
        else:
            reason = getattr(e, "status_reason", "")
            tips[e.ref] = f"Entered in error {who}" + (f" ({reason})" if reason else "") + "; not used"
    return tips


def _obs_emphasis(o: Observation) -> str:
    return "alert" if interpretation(o) not in ("", "Normal") else ""


CONDITION_COLUMNS = (
    Column("Problem", lambda c: c.display, width=300),
    Column("Status", lambda c: _status(c, title_case(c.clinical_status) or ("Active" if c.is_active else ""))),
    Column("Onset", lambda c: fmt_date(c.onset), sort=lambda c: sort_date(c.onset)),
    Column("Resolved", lambda c: fmt_date(c.abatement), sort=lambda c: sort_date(c.abatement)),
    Column("Recorded", lambda c: fmt_date(c.recorded), sort=lambda c: sort_date(c.recorded)),
    Column("Codes", _codes),
)

MEDICATION_COLUMNS = (
    Column("Medication", lambda m: m.name or m.code.display, width=320),
    Column("Dose", lambda m: m.dose_text),
    Column("Route", lambda m: m.route),
    Column("Frequency", lambda m: m.frequency),
    Column("Status", lambda m: _status(m, title_case(m.status_at(datetime.now(UTC))))),
    Column("Start", lambda m: fmt_date(m.start), sort=lambda m: sort_date(m.start)),
    Column("End", lambda m: fmt_date(m.end), sort=lambda m: sort_date(m.end)),
)

ALLERGY_COLUMNS = (
    Column("Substance", lambda a: a.substance or a.code.display, width=220),
    Column("Category", lambda a: title_case(a.category)),
    Column("Reaction", lambda a: a.reaction),
    Column("Severity", lambda a: title_case(a.severity)),
    Column("Criticality", lambda a: title_case(a.criticality)),
    Column("Status", lambda a: _status(a, title_case(a.clinical_status) or "Active")),
    Column("Recorded", lambda a: fmt_date(a.recorded), sort=lambda a: sort_date(a.recorded)),
)

ENCOUNTER_COLUMNS = (
    Column("Date", lambda e: fmt_datetime(e.start), sort=lambda e: sort_date(e.start), width=130),
    Column("Type", lambda e: e.type.display or e.type.code, width=260),
    Column("Class", lambda e: e.class_code),
    Column("Reason", lambda e: e.reason, width=200),
    Column("Provider", lambda e: e.provider),
    Column("Status", lambda e: title_case(e.status)),
)

PROCEDURE_COLUMNS = (
    Column("Date", lambda p: fmt_date(p.performed_start), sort=lambda p: sort_date(p.performed_start),
           width=110),
    Column("Procedure", lambda p: p.code.display or p.code.code, width=340),
    Column("Status", lambda p: title_case(p.status)),
    Column("Reason", lambda p: p.reason),
)

IMMUNIZATION_COLUMNS = (
    Column("Date", lambda i: fmt_date(i.date), sort=lambda i: sort_date(i.date), width=110),
    Column("Vaccine", lambda i: i.code.display or i.code.code, width=380),
    Column("Status", lambda i: title_case(i.status)),
)

OBSERVATION_COLUMNS = (
    Column("Date", lambda o: fmt_datetime(o.effective), sort=lambda o: sort_date(o.effective), width=130),
    Column("Measure", observation_name, width=280),
    Column("Value", observation_value, sort=lambda o: o.value, numeric=True),
    Column("Reference", lambda o: obs_range(o.reference_low, o.reference_high, o.unit, o.code.code)),
    Column("Flag", interpretation),
    Column("Category", lambda o: title_case(o.category.replace("-", " "))),
)

NOTE_COLUMNS = (
    Column("Date", lambda n: fmt_datetime(n.date), sort=lambda n: sort_date(n.date), width=130),
    Column("Title", lambda n: n.title or n.note_type or "Note", width=260),
    Column("Author", lambda n: n.author),
)


@dataclass(frozen=True)
class Section:
    """A chart tab: its title, the PatientRecord field it shows, and its columns."""

    key: str
    title: str
    field: str
    entry_type: type[Entry]
    columns: tuple[Column, ...]
    emphasis: Any = None
    empty: str = "Nothing recorded."
    order: Callable[[Sequence[Any]], list[Any]] | None = None  # rows' first order (else the record's)
    order_text: str = "newest first"


def current_first(entries: Sequence[Any]) -> list[Any]:
    """Current entries first, stopped or resolved ones after; the record's order (newest first) within each."""
    return sorted(entries, key=lambda e: not getattr(e, "is_active", True))


TABLE_SECTIONS: tuple[Section, ...] = (
    Section("problems", "Problems", "conditions", Condition, CONDITION_COLUMNS, _inactive,
            "No problems recorded."),
    Section("medications", "Medications", "medications", Medication, MEDICATION_COLUMNS, _inactive,
            "No medications recorded.", current_first, "current first, then stopped; newest first in each"),
    Section("allergies", "Allergies", "allergies", Allergy, ALLERGY_COLUMNS, _inactive,
            "No allergies recorded (this is not the same as 'no known allergies')."),
    Section("encounters", "Encounters", "encounters", Encounter, ENCOUNTER_COLUMNS, None,
            "No encounters recorded."),
    Section("procedures", "Procedures", "procedures", Procedure, PROCEDURE_COLUMNS, None,
            "No procedures recorded."),
    Section("immunizations", "Immunizations", "immunizations", Immunization, IMMUNIZATION_COLUMNS,
            None, "No immunizations recorded."),
)

LABS_KEY = "labs"
NOTES_KEY = "notes"

# Entry type name -> the tab key that shows it (citations jump there).
TAB_FOR_TYPE: dict[str, str] = {s.entry_type.resource_type: s.key for s in TABLE_SECTIONS}
TAB_FOR_TYPE[Observation.resource_type] = LABS_KEY
TAB_FOR_TYPE[Note.resource_type] = NOTES_KEY
TAB_FOR_TYPE["MedicationStatement"] = "medications"
