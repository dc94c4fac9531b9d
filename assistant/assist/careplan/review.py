"""What a clinician may sign: unchecked model text in a plan, and page-1 notes computed from its content."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.assist.careplan.document import CarePlanDocument, Item, Section

# Statuses a signed page may hold: built from the record and templates, the clinician's own words,
# or model text the verifier checked against the entries it cites. Anything else (unverified, or a
# status this version does not know) is unchecked model text.
SIGNABLE = ("deterministic", "edited", "verified")
MODEL_STATUSES = ("verified", "unverified")
PATIENT = "patient"
# Notes derived from the content are recomputed, never kept: these patterns find them (and the
# drafter's older wording, "... not supported by the chart: marked unverified") in stored plans.
_CONTENT_NOTE = re.compile(r"(marked unverified|not checked against the record|written by the language "
                           r"model and checked)", re.I)


@dataclass(frozen=True)
class Unchecked:
    """One model item that blocks signing: where it is and what it says."""

    section: str  # section title
    number: int  # 1-based position within the section
    text: str
    issues: tuple[str, ...] = ()

    def describe(self) -> str:
        excerpt = self.text if len(self.text) <= 90 else self.text[:87].rstrip() + "…"
        return f"{self.section}, item {self.number}: “{excerpt}”"


def is_unchecked(item: Item) -> bool:
    return item.status not in SIGNABLE


def unchecked_items(doc: CarePlanDocument) -> list[Unchecked]:
    """Every unchecked model item in the plan, in reading order."""
    return [Unchecked(s.title, n, i.text, i.issues) for s in doc.sections
            for n, i in enumerate(s.items, start=1) if is_unchecked(i)]


def refusal_message(items: list[Unchecked]) -> str:
    """Why a plan cannot be signed, naming each item and what to do about it."""
    n = len(items)
    head = (f"Cannot sign: {n} model sentence{'s' if n != 1 else ''} "
            f"{'were' if n != 1 else 'was'} not checked against the record")
    listed = "; ".join(u.describe() for u in items)
    return f"{head} ({listed}). Delete each one, or rewrite it in your own words, save, then sign."


def drop_unchecked_from_patient(doc: CarePlanDocument) -> tuple[CarePlanDocument, int]:
    """The plan without unchecked model items in the patient's section, and how many were dropped:
    the patient's part holds only template, clinician and checked model text."""
    section = doc.section(PATIENT)
    if section is None:
        return doc, 0
    kept = tuple(i for i in section.items if not is_unchecked(i))
    dropped = len(section.items) - len(kept)
    return (doc.with_section(Section(section.key, section.title, kept)) if dropped else doc), dropped


def dropped_note(count: int, section: str = "patient") -> str:
    # Kept with the drafting notes: it records what drafting did, which no later edit changes.
    return (f"{count} model sentence{'s' if count != 1 else ''} for the {section} section left out: "
            "the record entries cited do not support "
            f"{'them' if count != 1 else 'it'}.")


def content_notes(doc: CarePlanDocument) -> list[str]:
    """Notes that describe the plan's present content (recomputed at save, sign and print time)."""
    notes = []
    checked = sum(1 for i in doc.items() if i.status == "verified")
    if checked:
        notes.append(f"{checked} sentence{'s' if checked != 1 else ''} written by the language model and "
                     "checked against the record entries cited.")
    for s in doc.sections:
        bad = sum(1 for i in s.items if is_unchecked(i))
        if bad:
            notes.append(f"{bad} model sentence{'s' if bad != 1 else ''} in “{s.title}” "
                         f"{'are' if bad != 1 else 'is'} not checked against the record (marked "
                         "UNVERIFIED): delete or rewrite before signing.")
    return notes


def drafting_notes(doc: CarePlanDocument) -> list[str]:
    """The stored notes that record how the plan was drafted (not derived from its content)."""
    return [w for w in doc.warnings if not _CONTENT_NOTE.search(w)]


def with_current_notes(doc: CarePlanDocument) -> CarePlanDocument:
    """`doc` whose notes are its drafting notes plus notes computed from its content now."""
    return replace(doc, warnings=tuple(drafting_notes(doc) + content_notes(doc)))


def has_model_text(doc: CarePlanDocument) -> bool:
    return any(i.status in MODEL_STATUSES for i in doc.items())


__all__ = ["SIGNABLE", "Unchecked", "content_notes", "drafting_notes", "drop_unchecked_from_patient",
           "dropped_note", "has_model_text", "is_unchecked", "refusal_message", "unchecked_items",
           "with_current_notes"]
