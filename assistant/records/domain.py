"""Patient-record domain model: frozen dataclasses, each entry keeping its source FHIR id for citation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import ClassVar

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
CVX = "http://hl7.org/fhir/sid/cvx"
MRN_TYPE = "MR"
# SNOMED CT: 716186003 No known allergy; 409137002 No known drug allergy.
NO_KNOWN_ALLERGY_CODES = frozenset({"716186003", "409137002"})


@dataclass(frozen=True)
class Coding:
    """A code from a code system (SNOMED CT, LOINC, RxNorm, ICD-10, CVX...)."""

    system: str = ""
    code: str = ""
    display: str = ""


@dataclass(frozen=True)
class Identifier:
    """A business identifier; `type_code` is the v2-0203 type (MR for a medical record number)."""

    system: str = ""
    value: str = ""
    type_code: str = ""


@dataclass(frozen=True)
class Entry:
    """Base of every chart entry: its FHIR id and the patient it belongs to."""

    resource_type: ClassVar[str] = ""
    id: str
    patient_id: str
    # Who entered it in this app and when (exported as a FHIR Provenance); empty for imported data
    # whose source named no author.
    recorded_by: str = ""
    recorded_at: datetime | None = None
    # The ref of the entry this one corrects or replaces; the old one stays, marked, never deleted.
    supersedes: str = ""

    @property
    def ref(self) -> str:
        """Stable citation key, e.g. 'Observation/9fcd0b71-...'."""
        return f"{self.resource_type}/{self.id}"

    @property
    def when(self) -> datetime | None:
        """The clinically relevant time of the entry, used for sorting and recency."""
        return None


@dataclass(frozen=True)
class Patient:
    """Demographics. `id` is the FHIR Patient id and the id every command takes."""

    resource_type: ClassVar[str] = "Patient"
    id: str
    family: str = ""
    given: tuple[str, ...] = ()
    prefix: tuple[str, ...] = ()
    birth_date: date | None = None
    sex: str = "unknown"  # FHIR administrative gender: male, female, other, unknown
    deceased: bool = False
    deceased_date: datetime | None = None
    identifiers: tuple[Identifier, ...] = ()
    phone: str = ""
    email: str = ""
    address: str = ""
    language: str = ""
    marital_status: str = ""

    @property
    def ref(self) -> str:
        return f"Patient/{self.id}"

    @property
    def mrn(self) -> str:
        for ident in self.identifiers:
            if ident.type_code == MRN_TYPE:
                return ident.value
        return ""

    @property
    def name(self) -> str:
        return " ".join([*self.given, self.family]).strip()

    def age_years(self, on: date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        end = on or (self.deceased_date.date() if self.deceased_date else date.today())
        if self.birth_date > end:
            return None  # a birth date in the future is an error, not a negative age
        years = end.year - self.birth_date.year
        if (end.month, end.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True)
class Condition(Entry):
    resource_type: ClassVar[str] = "Condition"
    code: Coding = field(default_factory=Coding)
    codes: tuple[Coding, ...] = ()  # every coding the source gave (SNOMED and ICD-10 side by side)
    clinical_status: str = ""  # active, recurrence, relapse, inactive, remission, resolved
    verification_status: str = ""
    category: str = ""
    onset: datetime | None = None
    abatement: datetime | None = None
    recorded: datetime | None = None
    encounter_id: str = ""

    @property
    def display(self) -> str:
        return self.code.display or self.code.code

    @property
    def is_active(self) -> bool:
        if self.verification_status in ("refuted", "entered-in-error"):
            return False
        if self.clinical_status:
            return self.clinical_status in ("active", "recurrence", "relapse")
        return self.abatement is None

    @property
    def when(self) -> datetime | None:
        return self.onset or self.recorded


def aware(when: datetime) -> datetime:
    """`when` with a time zone: a naive datetime is taken as UTC (the one rule for every reader)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


@dataclass(frozen=True)
class Medication(Entry):
    """A medication order or statement (FHIR MedicationRequest / MedicationStatement)."""

    resource_type: ClassVar[str] = "MedicationRequest"
    code: Coding = field(default_factory=Coding)  # RxNorm where the source has it
    name: str = ""
    dose_text: str = ""
    route: str = ""
    frequency: str = ""
    status: str = ""  # active, completed, stopped, on-hold, cancelled...
    intent: str = ""
    start: datetime | None = None
    end: datetime | None = None
    reason_refs: tuple[str, ...] = ()
    encounter_id: str = ""
    requester: str = ""
    status_reason: str = ""  # why it was stopped or changed (FHIR statusReason)

    @property
    def is_active(self) -> bool:
        """Active now: an active status and no end date that has passed (one answer everywhere)."""
        return self.active_at(datetime.now(UTC))

    def active_at(self, at: datetime) -> bool:
        """Active at `at`: started by then, not ended by then, and an active status."""
        if self.start and aware(self.start) > aware(at):
            return False
        if self.end and aware(self.end) <= aware(at):
            return False
        return self.status in ("active", "on-hold", "draft", "unknown", "intended", "")

    def status_at(self, at: datetime) -> str:
        """The status to show at `at`: 'ended' for an active order whose end date has passed."""
        if self.end and aware(self.end) <= aware(at) and self.status in ("active", "on-hold", "unknown", ""):
            return "ended"
        return self.status

    @property
    def when(self) -> datetime | None:
        return self.start


@dataclass(frozen=True)
class Allergy(Entry):
    resource_type: ClassVar[str] = "AllergyIntolerance"
    substance: str = ""
    code: Coding = field(default_factory=Coding)
    reaction: str = ""
    severity: str = ""  # mild, moderate, severe (of the reaction)
    criticality: str = ""  # low, high, unable-to-assess
    category: str = ""  # food, medication, environment, biologic
    allergy_type: str = ""  # allergy, intolerance
    clinical_status: str = ""
    verification_status: str = ""  # unconfirmed, presumed, confirmed, refuted, entered-in-error
    recorded: datetime | None = None

    @property
    def is_no_known(self) -> bool:
        """The statement "no known allergies" (SNOMED 716186003), not an allergy to anything."""
        return self.code.system == SNOMED and self.code.code in NO_KNOWN_ALLERGY_CODES

    @property
    def is_active(self) -> bool:
        if self.verification_status in ("refuted", "entered-in-error") or self.is_no_known:
            return False
        return self.clinical_status in ("", "active")

    @property
    def when(self) -> datetime | None:
        return self.recorded


@dataclass(frozen=True)
class Component:
    """One component of an observation, e.g. systolic and diastolic of a blood pressure."""

    code: Coding = field(default_factory=Coding)
    value: float | None = None
    unit: str = ""
    value_text: str = ""


@dataclass(frozen=True)
class Observation(Entry):
    resource_type: ClassVar[str] = "Observation"
    code: Coding = field(default_factory=Coding)  # LOINC where the source has it
    category: str = ""  # vital-signs, laboratory, social-history, survey...
    status: str = ""
    value: float | None = None
    unit: str = ""
    value_text: str = ""  # coded or string values (e.g. smoking status)
    components: tuple[Component, ...] = ()
    effective: datetime | None = None
    reference_low: float | None = None
    reference_high: float | None = None
    interpretation: str = ""  # v3 ObservationInterpretation code: H, L, HH, LL, N, A...
    encounter_id: str = ""
    # Why the value or date cannot be real (records/plausibility.py, set at import): the observation
    # is kept and shown, marked, and never used in a score or a flag.
    implausible: str = ""

    @property
    def loinc(self) -> str:
        return self.code.code if self.code.system == LOINC else ""

    @property
    def name(self) -> str:
        return self.code.display or self.code.code

    def component(self, loinc_code: str) -> Component | None:
        for c in self.components:
            if c.code.code == loinc_code:
                return c
        return None

    @property
    def when(self) -> datetime | None:
        return self.effective


@dataclass(frozen=True)
class Encounter(Entry):
    resource_type: ClassVar[str] = "Encounter"
    type: Coding = field(default_factory=Coding)
    class_code: str = ""  # AMB, EMER, IMP...
    status: str = ""
    start: datetime | None = None
    end: datetime | None = None
    reason: str = ""
    provider: str = ""

    @property
    def when(self) -> datetime | None:
        return self.start


@dataclass(frozen=True)
class Procedure(Entry):
    resource_type: ClassVar[str] = "Procedure"
    code: Coding = field(default_factory=Coding)
    status: str = ""
    performed_start: datetime | None = None
    performed_end: datetime | None = None
    reason: str = ""
    encounter_id: str = ""

    @property
    def when(self) -> datetime | None:
        return self.performed_start


@dataclass(frozen=True)
class Immunization(Entry):
    resource_type: ClassVar[str] = "Immunization"
    code: Coding = field(default_factory=Coding)  # CVX
    status: str = ""
    date: datetime | None = None
    encounter_id: str = ""

    @property
    def when(self) -> datetime | None:
        return self.date


@dataclass(frozen=True)
class Note(Entry):
    """A free-text clinical note (FHIR DocumentReference with a text attachment)."""

    resource_type: ClassVar[str] = "DocumentReference"
    note_type: str = ""
    type_code: Coding = field(default_factory=Coding)
    title: str = ""
    author: str = ""
    date: datetime | None = None
    text: str = ""
    status: str = "current"

    @property
    def when(self) -> datetime | None:
        return self.date


@dataclass(frozen=True)
class Goal(Entry):
    resource_type: ClassVar[str] = "Goal"
    description: str = ""
    lifecycle_status: str = ""
    achievement_status: str = ""
    start: date | None = None
    target_date: date | None = None
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class CarePlanActivity:
    code: Coding = field(default_factory=Coding)
    status: str = ""
    description: str = ""


@dataclass(frozen=True)
class CarePlan(Entry):
    """A care plan already in the source record (not the app's own drafted plans)."""

    resource_type: ClassVar[str] = "CarePlan"
    title: str = ""
    status: str = ""
    intent: str = ""
    categories: tuple[Coding, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    activities: tuple[CarePlanActivity, ...] = ()
    addresses: tuple[str, ...] = ()  # Condition ids
    goal_ids: tuple[str, ...] = ()

    @property
    def when(self) -> datetime | None:
        return self.start


ENTRY_TYPES: tuple[type[Entry], ...] = (
    Condition, Medication, Allergy, Observation, Encounter, Procedure, Immunization, Note, Goal,
    CarePlan,
)
ENTRY_TYPE_BY_NAME: dict[str, type[Entry]] = {t.resource_type: t for t in ENTRY_TYPES}
