"""The whole chart of one patient, with the look-ups the clinical engine and the views need."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

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
    Patient,
    Procedure,
)

# Field name on PatientRecord for each entry type, in display order.
SECTIONS: dict[type[Entry], str] = {
    Condition: "conditions",
    Medication: "medications",
    Allergy: "allergies",
    Observation: "observations",
    Encounter: "encounters",
    Procedure: "procedures",
    Immunization: "immunizations",
    Note: "notes",
    Goal: "goals",
    CarePlan: "careplans",
}


_EPOCH_MIN = datetime.min.replace(tzinfo=UTC)


def _newest_first(entries: Iterable[Entry]) -> tuple:
    # Undated entries sort last; ties break on id so the order is stable across loads.
    return tuple(sorted(entries, key=lambda e: (e.when or _EPOCH_MIN, e.id), reverse=True))


@dataclass(frozen=True)
class PatientRecord:
    """A patient's full chart. Entry tuples are sorted newest first."""

    patient: Patient
    conditions: tuple[Condition, ...] = ()
    medications: tuple[Medication, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    observations: tuple[Observation, ...] = ()
    encounters: tuple[Encounter, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    immunizations: tuple[Immunization, ...] = ()
    notes: tuple[Note, ...] = ()
    goals: tuple[Goal, ...] = ()
    careplans: tuple[CarePlan, ...] = ()
    _index: dict[str, Entry] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, patient: Patient, entries: Iterable[Entry]) -> PatientRecord:
        """Group entries into their sections, newest first."""
        groups: dict[str, list[Entry]] = {name: [] for name in SECTIONS.values()}
        for e in entries:
            groups[SECTIONS[type(e)]].append(e)
        return cls(patient, **{k: _newest_first(v) for k, v in groups.items()})  # type: ignore[arg-type]

    def entries(self) -> Iterator[Entry]:
        for name in SECTIONS.values():
            yield from getattr(self, name)

    def entry(self, ref: str) -> Entry | None:
        """Look up an entry by its citation key ('Observation/<id>') or bare id."""
        if not self._index:
            for e in self.entries():
                self._index[e.ref] = e
                self._index[e.id] = e
        return self._index.get(ref)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in SECTIONS.values()}

    # --- look-ups used by the clinical engine and the views -----------------------------------
    @property
    def active_conditions(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.is_active)

    @property
    def active_medications(self) -> tuple[Medication, ...]:
        """Medications active now (status active and end date not passed)."""
        return self.active_medications_at(datetime.now(UTC))

    def active_medications_at(self, as_of: datetime) -> tuple[Medication, ...]:
        """Medications active at `as_of`: started, not ended and of an active status."""
        return tuple(m for m in self.medications if m.active_at(as_of))

    @property
    def active_allergies(self) -> tuple[Allergy, ...]:
        return tuple(a for a in self.allergies if a.is_active)

    @property
    def no_known_allergies(self) -> Allergy | None:
        """The newest "no known allergies" statement still in force; None while an allergy is active
        (the statement no longer holds) or when none was ever made (not the same as no entry)."""
        if self.active_allergies:
            return None
        return next((a for a in self.allergies if a.is_no_known and a.clinical_status in ("", "active")
                     and a.verification_status not in ("refuted", "entered-in-error")), None)

    def observations_for(self, *loinc_codes: str) -> tuple[Observation, ...]:
        """Observations with any of the LOINC codes (or with them as a component), newest first."""
        wanted = set(loinc_codes)
        return tuple(o for o in self.observations
                     if o.code.code in wanted or any(c.code.code in wanted for c in o.components))

    def latest(self, *loinc_codes: str) -> Observation | None:
        found = self.observations_for(*loinc_codes)
        return found[0] if found else None

    def with_entries(self, *new: Entry) -> PatientRecord:
        """A copy with entries added or replaced (same ref), e.g. after writing a note."""
        by_ref = {e.ref: e for e in self.entries()}
        for e in new:
            by_ref[e.ref] = e
        return PatientRecord.build(self.patient, by_ref.values())

    def with_patient(self, patient: Patient) -> PatientRecord:
        return replace(self, patient=patient, _index={})
