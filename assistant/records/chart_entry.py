"""Chart entries a clinician makes: vitals, a lab result, medicines, allergies, problems, corrections (pure)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypedDict

from .domain import (
    LOINC,
    SNOMED,
    Allergy,
    Coding,
    Component,
    Condition,
    Entry,
    Medication,
    Observation,
)
from .entry_checks import (
    FieldError,
    check_bp,
    check_choice,
    check_positive,
    check_text,
    check_value,
    check_when,
)

# Vital signs as Synthea and US Core record them: LOINC code, name, UCUM unit.
VITALS: dict[str, tuple[str, str, str]] = {
    "pulse": ("8867-4", "Heart rate", "/min"),
    "resp_rate": ("9279-1", "Respiratory rate", "/min"),
    "temperature": ("8310-5", "Body temperature", "Cel"),
    "spo2": ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),
    "weight": ("29463-7", "Body weight", "kg"),
    "height": ("8302-2", "Body height", "cm"),
}
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
CRITICALITIES = ("low", "high", "unable-to-assess")
VERIFICATIONS = ("unconfirmed", "confirmed", "refuted")
ALLERGY_CATEGORIES = ("medication", "food", "environment", "biologic")
NO_KNOWN_ALLERGY = Coding(SNOMED, "716186003", "No known allergy")


@dataclass(frozen=True)
class Author:
    """Who makes an entry and when: every entry made here carries both."""

    name: str
    at: datetime


@dataclass(frozen=True)
class Vitals:
    """One set of vital signs; any may be left out, but not all."""

    systolic: float | None = None
    diastolic: float | None = None
    pulse: float | None = None
    resp_rate: float | None = None
    temperature: float | None = None
    spo2: float | None = None
    weight: float | None = None
    height: float | None = None


def new_id() -> str:
    return f"app-{uuid.uuid4().hex}"


class Stamp(TypedDict):
    id: str
    recorded_by: str
    recorded_at: datetime


def _stamp(who: Author) -> Stamp:
    if not who.name.strip():
        raise FieldError("author", "an entry needs the name of who makes it")
    return {"id": new_id(), "recorded_by": who.name.strip(), "recorded_at": who.at}


def build_vitals(patient_id: str, v: Vitals, taken: datetime, who: Author) -> tuple[Observation, ...]:
    """One Observation per vital sign (blood pressure as a panel of two components)."""
    when = check_when("date", taken, who.at)
    out: list[Observation] = []
    if (v.systolic is None) != (v.diastolic is None):
        raise FieldError("bp", "enter both systolic and diastolic, e.g. 128/82")
    if v.systolic is not None and v.diastolic is not None:
        check_bp("bp", v.systolic, v.diastolic)
        comps = (Component(Coding(LOINC, *SYSTOLIC), v.systolic, "mm[Hg]"),
                 Component(Coding(LOINC, *DIASTOLIC), v.diastolic, "mm[Hg]"))
        out.append(Observation(patient_id=patient_id, code=Coding(LOINC, *BP_PANEL), category="vital-signs",
                               status="final", components=comps, effective=when, **_stamp(who)))
    for field, (code, name, unit) in VITALS.items():
        value = getattr(v, field)
        if value is None:
            continue
        check_positive(field, value)
        check_value(field, code, value, unit)
        out.append(Observation(patient_id=patient_id, code=Coding(LOINC, code, name), category="vital-signs",
                               status="final", value=value, unit=unit, effective=when, **_stamp(who)))
    if not out:
        raise FieldError("bp", "enter at least one vital sign")
    return tuple(out)


def build_lab(patient_id: str, code: Coding, value: float, unit: str, taken: datetime, who: Author,
              low: float | None = None, high: float | None = None, interpretation: str = "") -> Observation:
    """A laboratory result; the caller has checked that the unit fits the test."""
    when = check_when("date", taken, who.at)
    check_value("value", code.code, value, unit)
    return Observation(patient_id=patient_id, code=code, category="laboratory", status="final", value=value,
                       unit=unit, effective=when, reference_low=low, reference_high=high,
                       interpretation=interpretation, **_stamp(who))


def start_medication(patient_id: str, name: str, dose: str, who: Author, started: datetime,
                     route: str = "", frequency: str = "", code: Coding | None = None) -> Medication:
    name = check_text("name", name, "the medicine")
    dose = check_text("dose", dose, "the dose, e.g. 500 mg")
    when = check_when("start", started, who.at)
    return Medication(patient_id=patient_id, code=code or Coding("", "", name), name=name, dose_text=dose,
                      route=route.strip(), frequency=frequency.strip(), status="active", intent="order",
                      start=when, requester=who.name, **_stamp(who))


def _current(m: Medication, who: Author) -> None:
    if not m.active_at(who.at):
        raise FieldError("medicine", f"{m.name or 'this medicine'} is not current (status {m.status_at(who.at)})")


def stop_medication(m: Medication, reason: str, who: Author, stopped: datetime | None = None) -> Medication:
    """The same order, stopped: end date, status 'stopped' and why."""
    _current(m, who)
    reason = check_text("reason", reason, "why it is stopped")
    when = check_when("date", stopped or who.at, who.at)
    return replace(m, status="stopped", end=when, status_reason=reason, recorded_by=who.name, recorded_at=who.at)


def change_dose(m: Medication, dose: str, who: Author, frequency: str | None = None,
                reason: str = "dose changed") -> tuple[Medication, Medication]:
    """(the old order, stopped; the new order at the new dose, superseding it)."""
    dose = check_text("dose", dose, "the new dose")
    if dose == m.dose_text and (frequency is None or frequency == m.frequency):
        raise FieldError("dose", f"the dose is already {dose}")
    stopped = stop_medication(m, reason, who)
    new = replace(m, **_stamp(who), dose_text=dose, frequency=m.frequency if frequency is None else frequency,
                  status="active", start=who.at, end=None, status_reason="", requester=who.name,
                  supersedes=m.ref)
    return stopped, new


def build_allergy(patient_id: str, substance: str, who: Author, reaction: str = "", criticality: str = "",
                  verification: str = "confirmed", category: str = "medication",
                  code: Coding | None = None) -> Allergy:
    substance = check_text("substance", substance, "the substance")
    if criticality:
        check_choice("criticality", criticality, CRITICALITIES)
    check_choice("verification", verification, VERIFICATIONS)
    check_choice("category", category, ALLERGY_CATEGORIES)
    return Allergy(patient_id=patient_id, substance=substance, code=code or Coding("", "", substance),
                   reaction=" ".join(reaction.split()), criticality=criticality, category=category,
                   allergy_type="allergy", clinical_status="active", verification_status=verification,
                   recorded=who.at, **_stamp(who))


def no_known_allergies(patient_id: str, current: tuple[Allergy, ...], who: Author) -> Allergy:
    """The statement "no known allergies": refused while the chart lists an active allergy."""
    if any(a.is_active for a in current):
        raise FieldError("substance", "the chart lists active allergies; mark them refuted or "
                                      "entered in error first")
    return Allergy(patient_id=patient_id, substance=NO_KNOWN_ALLERGY.display, code=NO_KNOWN_ALLERGY,
                   clinical_status="active", verification_status="confirmed", recorded=who.at,
                   **_stamp(who))


def add_problem(patient_id: str, name: str, who: Author, onset: datetime | None = None,
                code: Coding | None = None) -> Condition:
    name = check_text("problem", name, "the problem")
    when = check_when("onset", onset, who.at) if onset else None
    return Condition(patient_id=patient_id, code=code or Coding("", "", name), clinical_status="active",
                     verification_status="confirmed", category="problem-list-item", onset=when,
                     recorded=who.at, **_stamp(who))


def set_problem_status(c: Condition, status: str, who: Author, when: datetime | None = None) -> Condition:
    """A problem resolved (with its date) or marked inactive; the same entry, a new status."""
    check_choice("status", status, ("resolved", "inactive", "active"))
    if c.clinical_status == status:
        raise FieldError("status", f"{c.display} is already {status}")
    at = check_when("date", when or who.at, who.at)
    return replace(c, clinical_status=status, abatement=at if status == "resolved" else c.abatement,
                   recorded_by=who.name, recorded_at=who.at)


def entered_in_error(e: Entry, who: Author, reason: str = "") -> Entry:
    """The old entry as FHIR marks a mistake: kept, visible, never used."""
    if _in_error(e):
        raise FieldError("entry", "this entry is already marked entered in error")
    if isinstance(e, Medication):
        return replace(e, status="entered-in-error", status_reason=" ".join(reason.split()) or e.status_reason,
                       recorded_by=who.name, recorded_at=who.at)
    if isinstance(e, Observation):
        return replace(e, status="entered-in-error", recorded_by=who.name, recorded_at=who.at)
    if isinstance(e, Condition | Allergy):
        # FHIR (con-5, ait-2): an entry in error carries no clinical status.
        return replace(e, verification_status="entered-in-error", clinical_status="", recorded_by=who.name,
                       recorded_at=who.at)
    raise FieldError("entry", f"a {e.resource_type} cannot be corrected here")


def correct_observation(old: Observation, who: Author, value: float | None = None,
                        bp: tuple[float, float] | None = None) -> tuple[Observation, Observation]:
    """(old marked entered-in-error, the new value with status 'amended' superseding it)."""
    if old.status == "entered-in-error":
        raise FieldError("entry", "this entry was already corrected; correct the newer one")
    if old.components:
        if bp is None:
            raise FieldError("value", "enter the corrected pressure as systolic/diastolic, e.g. 128/82")
        check_bp("value", *bp)
        comps = tuple(replace(c, value=bp[i]) if i < 2 else c for i, c in enumerate(old.components))
        new = replace(old, **_stamp(who), components=comps, status="amended", supersedes=old.ref)
    else:
        if value is None:
            raise FieldError("value", "enter the corrected value")
        check_value("value", old.code.code, value, old.unit)
        new = replace(old, **_stamp(who), value=value, status="amended", interpretation="",
                      supersedes=old.ref)
    return replace(old, status="entered-in-error", recorded_by=who.name, recorded_at=who.at), new


def _in_error(e: Entry) -> bool:
    return "entered-in-error" in (getattr(e, "status", ""), getattr(e, "verification_status", ""))


# What a correction may change, per entry type: the field a person typed and whether it may be blank.
CORRECTABLE: dict[type[Entry], dict[str, bool]] = {
    Medication: {"name": False, "dose_text": False, "route": True, "frequency": True},
    Allergy: {"substance": False, "reaction": True, "criticality": True},
    Condition: {"display": False},
}


def correct_entry(old: Entry, who: Author, changes: dict[str, str]) -> tuple[Entry, Entry]:
    """(old marked entered-in-error, a new version with the corrected fields superseding it).

    A correction says the entry was wrong when made (a dose typed as 50 mg for 5 mg), unlike a dose
    change or a stop, which say the plan changed: the old version stays visible, never used."""
    allowed = next((f for t, f in CORRECTABLE.items() if isinstance(old, t)), None)
    if allowed is None:
        raise FieldError("entry", f"a {old.resource_type} cannot be corrected here")
    if _in_error(old):
        raise FieldError("entry", "this entry was already corrected; correct the newer one")
    values: dict[str, object] = {}
    for name, text in changes.items():
        if name not in allowed:
            raise FieldError(name, f"{name} cannot be corrected on a {old.resource_type}")
        text = " ".join(text.split())
        if not text and not allowed[name]:
            raise FieldError(name, "this cannot be left empty")
        if name == "criticality" and text:
            check_choice(name, text, CRITICALITIES)
        values[name] = text
    if isinstance(old, Condition) and "display" in values:
        name = str(values.pop("display"))
        if name != old.display:
            values["code"] = Coding("", "", name)  # the typed name, uncoded like a new problem
            values["codes"] = ()
    if isinstance(old, Allergy) and "substance" in values and values["substance"] != old.substance:
        values["code"] = Coding("", "", str(values["substance"]))
    if isinstance(old, Medication) and "name" in values and values["name"] != old.name:
        values["code"] = Coding("", "", str(values["name"]))
    if all(getattr(old, k) == v for k, v in values.items()):
        raise FieldError(next(iter(changes), "entry"), "nothing was changed")
    new = replace(old, **_stamp(who), **values, supersedes=old.ref)  # type: ignore[arg-type]
    return entered_in_error(old, who, "corrected"), new
