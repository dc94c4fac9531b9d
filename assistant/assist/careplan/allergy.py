"""A medicine prescribed against a recorded severe allergy: stop it, tell the patient, and the guideline's alternative."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.assist.careplan.build import Context
from assistant.assist.careplan.document import Item
from assistant.assist.careplan.eligibility import code_matches
from assistant.clinical.knowledge import derived_table, read_csv, split_list
from assistant.clinical.medsafety.allergies import groups_of
from assistant.clinical.rules.base import Flag
from assistant.records.domain import Allergy

# Allergy flags at these severities make the medicine a stop, not a review (anaphylaxis or the same drug).
STOP_SEVERITIES = ("critical", "high")


@dataclass(frozen=True)
class AllergyStop:
    """One active medicine that an allergy flag names, with the allergy behind it."""

    med_ref: str
    allergy: Allergy
    flag: Flag

    @property
    def allergen(self) -> str:
        return self.allergy.substance or self.allergy.code.display or "a medicine"

    @property
    def reason(self) -> str:
        reaction = f" ({self.allergy.reaction})" if self.allergy.reaction else ""
        return f"recorded allergy to {self.allergen}{reaction}; do not give it"


@derived_table
def alternatives() -> tuple[tuple[str, tuple[str, ...], str, str, str], ...]:
    return tuple((r["allergen_group"], tuple(split_list(r["conditions"])), r["condition_name"],
                  r["alternative"], r["source"]) for r in read_csv("allergy_alternatives.csv"))


def allergy_stops(ctx: Context, flags: Sequence[Flag]) -> dict[str, AllergyStop]:
    """Medicine ref -> the allergy flag (critical or high, still active) that names it."""
    allergies = {a.ref: a for a in ctx.record.active_allergies}
    meds = {m.ref for m in ctx.active_meds}
    out: dict[str, AllergyStop] = {}
    for f in flags:
        if not f.id.startswith("allergy:") or f.severity not in STOP_SEVERITIES:
            continue
        allergy = next((allergies[r] for r in f.evidence if r in allergies), None)
        for ref in f.evidence:
            if allergy is not None and ref in meds and ref not in out:
                out[ref] = AllergyStop(ref, allergy, f)
    return out


def alternative_items(ctx: Context, stops: dict[str, AllergyStop]) -> list[Item]:
    """'Clinician decision: ...' for each current condition a guideline row names an alternative for."""
    items: list[Item] = []
    conditions = ctx.record.active_conditions
    for stop in stops.values():
        groups = groups_of(stop.allergy)
        for group, codes, name, alternative, source in alternatives():
            cond = next((c for c in conditions if code_matches(c, codes)), None)
            if group not in groups or cond is None:
                continue
            cites, fids, marker = ctx.cite((cond.ref, stop.allergy.ref))
            items.append(Item(
                text=f"Clinician decision: if {name} still needs an antibiotic, the guideline's choice with "
                     f"an allergy to {stop.allergen} is {alternative}{marker}.",
                kind="medication", citations=cites, fact_ids=fids, key=f"alternative:{group}:{cond.id}",
                source=source, state="consider"))
    return items


def patient_items(stops: dict[str, AllergyStop], names: dict[str, str]) -> list[Item]:
    """'Do not take X' for the patient, once per medicine; `names` maps a medicine ref to its plain name."""
    return [Item(text=f"Do not take {names.get(ref, 'this medicine')}: you are allergic to {s.allergen}. "
                      "Tell everyone who treats you about this allergy, and tell your care team if you "
                      "have already taken any.",
                 kind="education", key=f"patient:allergy:{ref}", citations=(ref, s.allergy.ref))
            for ref, s in stops.items()]
