"""Small text helpers shared by the medication-safety checks."""

from __future__ import annotations

from assistant.clinical.extract import ResolvedMed, upper_first


def med_text(m: ResolvedMed) -> str:
    """'Warfarin Sodium 5 MG Oral Tablet (since 2019-03-01)'."""
    since = f" (since {m.med.start.date().isoformat()})" if m.med.start else ""
    return f"{upper_first(m.label)}{since}"


def med_list(meds: list[ResolvedMed] | tuple[ResolvedMed, ...]) -> str:
    return ", ".join(med_text(m) for m in meds)
