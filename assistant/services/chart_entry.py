"""Chart entry for both front ends: check, build, store in one audited transaction, return what changed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from assistant.clinical.lab_catalog import check_unit, find_test, interpretation
from assistant.records import chart_entry as ce
from assistant.records.domain import Condition, Entry, Medication, Observation
from assistant.records.entry_checks import FieldError, parse_bp, parse_number
from assistant.records.record import PatientRecord
from assistant.store.database import Store

E = TypeVar("E", bound=Entry)


@dataclass(frozen=True)
class Saved:
    """What one entry changed: the new entries and the new versions of those it replaced."""

    added: tuple[Entry, ...]
    replaced: tuple[Entry, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        return (*self.replaced, *self.added)

    def apply(self, record: PatientRecord) -> PatientRecord:
        """The chart as it is now stored (for a front end that keeps it open)."""
        return record.with_entries(*self.entries)


def author(store: Store, at: datetime | None = None) -> ce.Author:
    """The signed-in account as people know it ('Dr Admin'), and now in local time."""
    return ce.Author(store.account.shown_name, at or datetime.now().astimezone())


def _record(store: Store, patient_id: str) -> PatientRecord:
    return store.patients.load_record(patient_id, audit=False)  # the write itself is audited


def _find(record: PatientRecord, ref: str, kind: type[E], field: str = "entry") -> E:
    e = record.entry(ref)
    if not isinstance(e, kind):
        raise FieldError(field, f"no {kind.resource_type or 'entry'} {ref!r} in this chart")
    return e


def record_vitals(store: Store, patient_id: str, vitals: ce.Vitals, taken: datetime | None = None) -> Saved:
    who = author(store)
    obs = ce.build_vitals(patient_id, vitals, taken or who.at, who)
    store.patients.add_entries(obs, "entry.vitals")
    return Saved(obs)


def record_lab(store: Store, patient_id: str, test: str, value: float, unit: str = "",
               taken: datetime | None = None) -> Saved:
    who = author(store)
    lab = find_test(test)
    unit = check_unit(lab, unit)
    sex = store.patients.load_patient(patient_id).sex
    low, high, interp = interpretation(lab, value, sex) if lab.fits(unit) else (None, None, "")
    obs = ce.build_lab(patient_id, lab.coding, value, unit, taken or who.at, who, low, high, interp)
    store.patients.add_entries([obs], "entry.lab")
    return Saved((obs,))


def start_medication(store: Store, patient_id: str, name: str, dose: str, route: str = "",
                     frequency: str = "", started: datetime | None = None) -> Saved:
    who = author(store)
    med = ce.start_medication(patient_id, name, dose, who, started or who.at, route, frequency)
    store.patients.add_entries([med], "entry.medication.start")
    return Saved((med,))


def change_dose(store: Store, patient_id: str, ref: str, dose: str, frequency: str | None = None) -> Saved:
    old = _find(_record(store, patient_id), ref, Medication, "medicine")
    stopped, new = ce.change_dose(old, dose, author(store), frequency)
    store.patients.supersede([stopped], [new], "entry.medication.change")
    return Saved((new,), (stopped,))


def stop_medication(store: Store, patient_id: str, ref: str, reason: str) -> Saved:
    old = _find(_record(store, patient_id), ref, Medication, "medicine")
    stopped = ce.stop_medication(old, reason, author(store))
    # The reason goes in the audit row, as a retraction's does: the status history reads it back.
    store.patients.supersede([stopped], [], "entry.medication.stop", note=" ".join(stopped.status_reason.split()))
    return Saved((), (stopped,))


def record_allergy(store: Store, patient_id: str, substance: str, reaction: str = "", criticality: str = "",
                   verification: str = "confirmed", category: str = "medication") -> Saved:
    who = author(store)
    record = _record(store, patient_id)
    allergy = ce.build_allergy(patient_id, substance, who, reaction, criticality, verification, category)
    # A real allergy ends an earlier "no known allergies": it was true when made, so it becomes
    # inactive (kept, with who ended it), not entered-in-error.
    ended = [replace(a, clinical_status="inactive", recorded_by=who.name, recorded_at=who.at)
             for a in record.allergies if a.is_no_known and a.clinical_status in ("", "active")
             and a.verification_status != "entered-in-error"]
    store.patients.supersede(ended, [allergy], "entry.allergy")
    return Saved((allergy,), tuple(ended))


def record_no_known_allergies(store: Store, patient_id: str) -> Saved:
    nka = ce.no_known_allergies(patient_id, _record(store, patient_id).allergies, author(store))
    store.patients.add_entries([nka], "entry.allergy.none")
    return Saved((nka,))


def add_problem(store: Store, patient_id: str, name: str, onset: datetime | None = None) -> Saved:
    problem = ce.add_problem(patient_id, name, author(store), onset)
    store.patients.add_entries([problem], "entry.problem.add")
    return Saved((problem,))


def set_problem_status(store: Store, patient_id: str, ref: str, status: str,
                       when: datetime | None = None) -> Saved:
    old = _find(_record(store, patient_id), ref, Condition, "problem")
    changed = ce.set_problem_status(old, status, author(store), when)
    store.patients.supersede([changed], [], f"entry.problem.{status}")
    return Saved((), (changed,))


def correct(store: Store, patient_id: str, ref: str, value: str) -> Saved:
    """A corrected value: the old one kept as entered-in-error, the new one 'amended', superseding it."""
    old = _find(_record(store, patient_id), ref, Observation)
    who = author(store)
    if old.components:
        marked, new = ce.correct_observation(old, who, bp=parse_bp("value", value))
    else:
        marked, new = ce.correct_observation(old, who, value=parse_number("value", value))
    store.patients.supersede([marked], [new], "entry.correct")
    return Saved((new,), (marked,))


# What each audited status change did, in the words the history shows (the action names of the
# functions above); any other change reads "Status set to ...".
_DONE = {"entry.medication.stop": "Stopped", "entry.medication.change": "Dose changed",
         "entry.problem.resolved": "Resolved", "entry.problem.inactive": "Marked inactive",
         "entry.problem.active": "Made active again", "entry.correct": "Corrected",
         "entry.retract": "Marked entered in error", "entry.allergy": "Ended (an allergy was recorded)"}
GONE = " (account no longer exists)"


@dataclass(frozen=True)
class StatusChange:
    """One change of an entry's status, as its audit row records it: `by` is the login (the record),
    `by_name` the name people read (the display name; the login marked where the account is gone)."""

    at: str
    by: str
    action: str
    before: str
    after: str
    why: str = ""
    by_name: str = ""

    @property
    def when(self) -> str:
        """The audit row's UTC time in local time, to the minute ('2026-12-05 14:02')."""
        try:
            return datetime.fromisoformat(self.at).astimezone().strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return self.at[:16].replace("T", " ")

    @property
    def line(self) -> str:
        """'Stopped 2026-12-05 14:02 by Dr Alice Jones: no longer needed', as every front end shows it."""
        done = _DONE.get(self.action) or f"Status set to {self.after}"
        why = f": {self.why}" if self.why else ""
        return f"{done} {self.when} by {self.by_name or self.by}{why}"


def status_history(store: Store, patient_id: str, ref: str, limit: int = 5000) -> tuple[StatusChange, ...]:
    """An entry's status changes (stopped, resolved, inactive, entered-in-error), oldest first.

    A stop or a resolve updates the entry in place, as FHIR does (the same MedicationRequest stopped,
    the same Condition resolved): its earlier statuses live in the audit log, read back here. The audit
    row names the login; the person is named as everywhere else, by `store.accounts.shown_names`."""
    found = []
    for ev in store.audit.events(patient_id, limit=limit):
        head, sep, rest = ev.detail.partition(" ")
        if head != ref or not sep or " -> " not in rest:
            continue
        before, _, after = rest.partition(" -> ")
        after, _, why = after.partition(": ")
        found.append(StatusChange(ev.ts, ev.user, ev.action, before, after, why))
    names = store.accounts.shown_names(c.by for c in found)
    return tuple(replace(c, by_name=names.get(c.by) or c.by + GONE) for c in reversed(found))


def correct_entry(store: Store, patient_id: str, ref: str, changes: dict[str, str]) -> Saved:
    """A medicine, allergy or problem entered wrongly: the old version kept as entered-in-error,
    the corrected one superseding it (the same path as `correct` for a value)."""
    old = _find(_record(store, patient_id), ref, Entry)
    marked, new = ce.correct_entry(old, author(store), changes)
    store.patients.supersede([marked], [new], "entry.correct", note="corrected")
    return Saved((new,), (marked,))


def retract(store: Store, patient_id: str, ref: str, reason: str = "") -> Saved:
    """An entry made in error with nothing to replace it (an allergy the patient never had)."""
    old = _find(_record(store, patient_id), ref, Entry)
    marked = ce.entered_in_error(old, author(store), reason)
    store.patients.supersede([marked], [], "entry.retract", note=" ".join(reason.split()))
    return Saved((), (marked,))
