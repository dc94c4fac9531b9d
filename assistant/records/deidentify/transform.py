"""One patient's record de-identified: pseudonymous ids, shifted dates, generalised demographics, scrubbed text."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import random
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from assistant.records.deidentify.policy import fold_birth_date, generalise_address
from assistant.records.deidentify.scrub import Known, Scrubber
from assistant.records.domain import CarePlanActivity, Entry, Patient
from assistant.records.record import PatientRecord

# Text a clinician or the source wrote: scrubbed. Names of the people who wrote or ordered: removed.
_FREE_TEXT = frozenset({"text", "title", "reason", "description", "value_text", "dose_text", "reaction",
                        "note_type", "frequency"})
_PEOPLE = frozenset({"author", "requester", "provider"})
_REFS = frozenset({"encounter_id", "reason_refs", "addresses", "goal_ids"})
_ID_KIND = {"MR": "medical record number", "SS": "social security number", "DL": "licence number",
            "PPN": "passport number", "SB": "social security number", "MB": "health-plan number",
            "AN": "account number", "DR": "donor number"}


@dataclass(frozen=True)
class Deidentified:
    """The de-identified record. `shift` stays in memory (tests use it) and is never exported."""

    record: PatientRecord
    shift: timedelta
    counts: Counter[str]


class Deidentifier:
    """De-identifies the patients of one export: ids map to the same pseudonyms throughout it, and
    to different ones in the next export (a fresh key each time)."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.SystemRandom()
        self._key = bytes(self._rng.getrandbits(8) for _ in range(32)) if rng else secrets.token_bytes(32)
        self._patients = 0

    def pseudonym(self, source_id: str) -> str:
        """A stable UUID for an id within this export; not reversible without the discarded key."""
        digest = hmac.new(self._key, source_id.encode("utf-8"), hashlib.sha256).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def _shift_for(self, birth: date | None) -> timedelta:
        # With a birth date the shift lands it on 1 January one to three years earlier, so the
        # year-only birth date of the export still gives the ages at every shifted entry. A part of
        # a day more moves the times too: sources that book every visit at one time of day would
        # otherwise have shifted timestamps equal to real ones of other visits.
        seconds = timedelta(seconds=self._rng.randint(600, 86400 - 600))
        if birth is not None:
            years_back = self._rng.randint(1, 3)
            return date(birth.year - years_back, 1, 1) - birth + seconds
        return timedelta(days=-self._rng.randint(60, 1100)) + seconds

    def deidentify(self, record: PatientRecord, today: date | None = None) -> Deidentified:
        p = record.patient
        shift = self._shift_for(p.birth_date)
        counts: Counter[str] = Counter()
        people = [getattr(e, f) for e in record.entries() for f in _PEOPLE if getattr(e, f, "")]
        known = Known.of([*p.given, p.family, *p.prefix, *people],
                         [p.phone, p.email, *(i.value for i in p.identifiers), *p.address.split(","),
                          *people])
        scrubber = Scrubber(known, shift, counts)
        self._patients += 1
        patient = self._patient(p, shift, counts, today or datetime.now(UTC).date())
        entries = [self._entry(e, patient.id, shift, scrubber, counts) for e in record.entries()]
        return Deidentified(PatientRecord.build(patient, entries), shift, counts)

    def _patient(self, p: Patient, shift: timedelta, counts: Counter[str], today: date) -> Patient:
        counts["name"] += bool(p.family or p.given)
        for ident in p.identifiers:
            counts[_ID_KIND.get(ident.type_code, "other identifier")] += 1
        counts["phone number"] += bool(p.phone)
        counts["email"] += bool(p.email)
        address, _kept = generalise_address(p.address)
        counts["geography below the state"] += bool(p.address)
        birth = None
        if p.birth_date is not None:
            reference = p.deceased_date.date() if p.deceased_date else today
            birth, folded = fold_birth_date(p.birth_date + shift, reference + shift)
            counts["birth date to year"] += 1
            counts["age over 89 folded to 90"] += folded
        deceased = p.deceased_date + shift if p.deceased_date else None
        counts["date shifted"] += bool(deceased)
        return Patient(id=self.pseudonym(p.id), family="Deidentified", given=(f"P{self._patients:04d}",),
                       birth_date=birth, sex=p.sex, deceased=p.deceased, deceased_date=deceased,
                       address=address, language=p.language, marital_status=p.marital_status)

    def _entry(self, e: Entry, patient_id: str, shift: timedelta, scrub: Scrubber,
               counts: Counter[str]) -> Entry:
        changes: dict[str, object] = {"id": self.pseudonym(e.id), "patient_id": patient_id}
        for f in dataclasses.fields(e):
            value = getattr(e, f.name)
            if f.name in _REFS and value:
                changes[f.name] = (self.pseudonym(value) if isinstance(value, str)
                                   else tuple(self.pseudonym(v) for v in value))
            elif isinstance(value, datetime | date):
                changes[f.name] = value + shift
                counts["date shifted"] += 1
            elif f.name in _PEOPLE and value:
                changes[f.name] = ""
                counts["clinician or organisation name"] += 1
            elif f.name in _FREE_TEXT and isinstance(value, str):
                changes[f.name] = scrub.scrub(value)
            elif f.name == "activities":
                changes[f.name] = tuple(dataclasses.replace(a, description=scrub.scrub(a.description))
                                        for a in value if isinstance(a, CarePlanActivity))
        return dataclasses.replace(e, **changes)  # type: ignore[arg-type]
