"""Citations in print: record entries described as type, date and value, numbered as endnotes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from reportlab.platypus import Flowable

from assistant.clinical.display_names import observation_name
from assistant.clinical.values import observation_value
from assistant.records.domain import (
    Allergy,
    CarePlan,
    Condition,
    Encounter,
    Entry,
    Goal,
    Immunization,
    Medication,
    Note,
    Observation,
    Procedure,
)
from assistant.records.record import PatientRecord

from . import styles as st
from .fonts import markup

TYPE_LABELS = {
    "Condition": "Problem", "MedicationRequest": "Medication", "MedicationStatement": "Medication",
    "AllergyIntolerance": "Allergy", "Observation": "Observation", "Encounter": "Encounter",
    "Procedure": "Procedure", "Immunization": "Immunisation", "DocumentReference": "Note",
    "Goal": "Goal", "CarePlan": "Care plan", "Patient": "Patient",
}


# The drafter's fact-sheet markers ("[F7]", "[F2, F9]") mean nothing on paper: the PDF numbers the
# record entries themselves as endnotes instead.
FACT_MARKERS = re.compile(r"\s*\[F\d+(?:\s*,\s*F\d+)*\]")
ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def plain_text(text: str) -> str:
    """Item text for print: fact-sheet markers removed, ISO dates as '12 Sep 2026'."""
    return ISO_DATE.sub(lambda m: st.fmt_date(m.group(1)), FACT_MARKERS.sub("", text))


def entry_value(e: Entry) -> str:
    """What a cited entry says, in a few words."""
    if isinstance(e, Observation):
        value = observation_value(e)
        name = observation_name(e)
        return f"{name}: {value}" if value else name
    if isinstance(e, Condition):
        status = e.clinical_status or ("active" if e.is_active else "inactive")
        return f"{e.display} ({status})"
    if isinstance(e, Medication):
        return " ".join(x for x in (e.name or e.code.display, e.dose_text, e.frequency) if x) + (
            f" ({e.status})" if e.status else "")
    if isinstance(e, Allergy):
        return e.substance + (f": {e.reaction}" if e.reaction else "")
    if isinstance(e, Encounter):
        return e.type.display or e.reason or e.class_code
    if isinstance(e, Procedure | Immunization):
        return e.code.display or e.code.code
    if isinstance(e, Note):
        return e.title or e.note_type or "note"
    if isinstance(e, Goal):
        return e.description
    if isinstance(e, CarePlan):
        return e.title or "care plan"
    return ""


class Endnotes:
    """Numbers record refs in order of first citation and prints them as a table at the end."""

    def __init__(self, record: PatientRecord | None) -> None:
        self.record = record
        self.numbers: dict[str, int] = {}

    def number(self, ref: str) -> int:
        return self.numbers.setdefault(ref, len(self.numbers) + 1)

    def marks(self, refs: Iterable[str]) -> str:
        """Paragraph markup such as ' [1, 4]' (muted, small) for the given refs; '' for none."""
        nums = sorted({self.number(r) for r in refs if r})
        if not nums:
            return ""
        return f" <font size='7' color='#52606d'>[{', '.join(map(str, nums))}]</font>"

    def describe(self, ref: str) -> tuple[str, str, str]:
        """(type, date, value) of a cited ref; a ref missing from the record says so."""
        entry = self.record.entry(ref) if self.record is not None else None
        kind = ref.split("/", 1)[0] if "/" in ref else ""
        patient = self.record.patient if self.record is not None else None
        if entry is None and patient is not None and ref == f"Patient/{patient.id}":
            # The synopsis cites the patient's own demographics (age, sex), not a chart entry.
            born = f"born {st.fmt_date(patient.birth_date)}" if patient.birth_date else "birth date not recorded"
            return "Patient", "", f"{patient.sex}, {born}"
        if entry is None:
            return TYPE_LABELS.get(kind, kind or "Entry"), "", "not found in the record"
        label = TYPE_LABELS.get(entry.resource_type, kind)
        return label, st.fmt_date(entry.when), entry_value(entry)

    def flowables(self, title: str = "Sources from the record") -> list[Flowable]:
        if not self.numbers:
            return []
        rows = []
        for ref, n in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            kind, when, value = self.describe(ref)
            rows.append([str(n), kind, when, value])
        return [*st.heading(title),
                st.data_table(["#", "Entry type", "Date", "Value"], rows, [0.5, 1.6, 1.5, 6.4])]


def text_with_marks(text: str, refs: Iterable[str], notes: Endnotes | None) -> str:
    """Escaped text followed by its endnote numbers."""
    return markup(text) + (notes.marks(refs) if notes is not None else "")
