"""A patient record as the rules see it on one date: measurements by analyte, concepts, resolved drugs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from assistant.errors import BadInputError
from assistant.records.domain import Allergy, Condition, Immunization, Observation, aware
from assistant.records.record import PatientRecord

from .codes import Analyte, analyte, analyte_by_loinc, concept_index, history_concepts
from .drugs import ResolvedMed, resolve


@dataclass(frozen=True)
class Measurement:
    """A numeric value of an analyte in the analyte's unit, with the entry it came from."""

    analyte: str
    value: float
    unit: str
    when: datetime
    ref: str
    derived: str = ""  # how a value not measured directly was obtained (e.g. eGFR from creatinine)

    @property
    def date(self) -> str:
        return self.when.date().isoformat()

    def text(self) -> str:
        """'5.9 mmol/L on 2024-03-01'."""
        return f"{fmt(self.value)} {self.unit} on {self.date}".replace("  ", " ")


def fmt(x: float) -> str:
    """A value as a clinician writes it: at most one decimal for large values, two for small."""
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.2f}".rstrip("0").rstrip(".") if abs(x) < 10 else f"{x:.1f}".rstrip("0").rstrip(".")


def upper_first(text: str) -> str:
    """'NSAID with ...' stays as written; 'warfarin' -> 'Warfarin' (str.capitalize lowercases the rest)."""
    return text[:1].upper() + text[1:]


def as_utc(when: datetime | None) -> datetime:
    """The evaluation instant: now when None; a naive datetime is taken as UTC."""
    if when is None:
        return datetime.now(UTC)
    if not isinstance(when, datetime):
        raise BadInputError(f"as_of must be a datetime, not {type(when).__name__}")
    return aware(when)


def _condition_active(c: Condition, at: datetime) -> bool:
    if c.verification_status in ("refuted", "entered-in-error"):
        return False
    if c.onset and c.onset > at:
        return False
    if c.abatement:
        return c.abatement > at  # resolved later than `at`: it was still active then
    return c.is_active


class Chart:
    """Read-only view of a record at `as_of`: entries dated after it are ignored."""

    def __init__(self, record: PatientRecord, as_of: datetime | None = None) -> None:
        self.record = record
        self.patient = record.patient
        self.as_of = as_utc(as_of)
        # analyte -> [(observation, component code or '')], newest first (the record's order)
        self._obs: dict[str, list[tuple[Observation, str]]] = {}
        by_loinc = analyte_by_loinc()
        for o in record.observations:
            # An implausible value (marked at import) or one corrected since is shown, never scored.
            if (o.implausible or o.status in ("entered-in-error", "cancelled") or o.effective is None
                    or o.effective > self.as_of):
                continue
            name = by_loinc.get(o.code.code)
            if name:
                self._obs.setdefault(name, []).append((o, ""))
            for comp in o.components:
                cname = by_loinc.get(comp.code.code)
                if cname and cname != name:
                    self._obs.setdefault(cname, []).append((o, comp.code.code))

    # --- demographics -------------------------------------------------------------------------
    @property
    def age(self) -> int | None:
        # A deceased patient's age stops at death (a 1979 death is not 'age 116' in a score).
        died = self.patient.deceased_date
        on = min(self.as_of.date(), died.date()) if died is not None else self.as_of.date()
        return self.patient.age_years(on)

    @property
    def sex(self) -> str | None:
        return self.patient.sex if self.patient.sex in ("male", "female") else None

    # --- observations -------------------------------------------------------------------------
    def _measure(self, a: Analyte, o: Observation, comp_code: str) -> Measurement | None:
        if comp_code:
            comp = o.component(comp_code)
            value, unit = (comp.value, comp.unit) if comp else (None, "")
        else:
            value, unit = o.value, o.unit
        if value is None or o.effective is None:
            return None
        converted = a.to_unit(value, unit)
        if converted is None:
            return None  # a unit we cannot convert is never guessed at
        return Measurement(a.name, converted, a.unit, o.effective, o.ref)  # '' when dimensionless

    def measurements(self, name: str, since: datetime | None = None,
                     until: datetime | None = None) -> list[Measurement]:
        """Numeric values of an analyte, newest first, optionally within [since, until]."""
        a = analyte(name)
        out = []
        for o, comp in self._obs.get(name, ()):
            when = o.effective
            assert when is not None
            if until is not None and when > until:
                continue
            if since is not None and when < since:
                break  # newest first: everything after this is older still
            m = self._measure(a, o, comp)
            if m is not None:
                out.append(m)
        return out

    def window_start(self, name: str, window_days: int | None = None,
                     anchor: datetime | None = None) -> datetime:
        a = analyte(name)
        return (anchor or self.as_of) - timedelta(days=window_days or a.window_days)

    def latest(self, name: str, window_days: int | None = None,
               anchor: datetime | None = None) -> Measurement | None:
        """Newest value within `window_days` (default: the analyte's) before `anchor` (default as_of)."""
        end = anchor or self.as_of
        found = self.measurements(name, self.window_start(name, window_days, end), end)
        return found[0] if found else None

    def latest_text(self, name: str, window_days: int | None = None,
                    anchor: datetime | None = None) -> Observation | None:
        """Newest observation of a coded/text analyte (smoking status...) within the window."""
        end = anchor or self.as_of
        start = self.window_start(name, window_days, end)
        for o, _comp in self._obs.get(name, ()):
            assert o.effective is not None
            if o.effective > end:
                continue
            if o.effective < start:
                return None
            if o.value_text or o.value is not None:
                return o
        return None

    def newest_time(self, names: list[str] | tuple[str, ...]) -> datetime | None:
        """When the newest observation of any of these analytes was taken (e.g. the newest vitals set)."""
        times = [self._obs[n][0][0].effective for n in names if self._obs.get(n)]
        return max(t for t in times if t is not None) if times else None

    def egfr(self) -> Measurement | None:
        """Newest eGFR within the lab window: reported, or CKD-EPI 2021 from a newer creatinine."""
        reported = self.latest("egfr")
        creat = self.latest("creatinine")
        if creat is None or (reported is not None and reported.when >= creat.when):
            return reported
        return self.egfr_from(creat) or reported

    def egfr_from(self, creat: Measurement) -> Measurement | None:
        """CKD-EPI 2021 eGFR from one creatinine, at the patient's age on its date (None for a child,
        an unknown sex or a value the equation refuses)."""
        from assistant.clinical.calculators import get  # lazy: the registry imports every module

        age = self.patient.age_years(creat.when.date())
        if age is None or age < 18 or self.sex is None:
            return None
        try:
            res = get("ckd_epi_2021").compute({"creatinine": creat.value, "age": age, "sex": self.sex})
        except BadInputError:
            return None
        return Measurement("egfr", float(res.value), res.unit, creat.when, creat.ref,
                           derived=f"CKD-EPI 2021 from creatinine {fmt(creat.value)} mg/dL")

    # --- conditions, medications, allergies, immunizations -------------------------------------
    @cached_property
    def _concepts(self) -> dict[str, list[Condition]]:
        index, history = concept_index(), history_concepts()
        out: dict[str, list[Condition]] = {}
        for c in self.record.conditions:
            if c.verification_status in ("refuted", "entered-in-error"):
                continue
            if c.onset and c.onset > self.as_of:
                continue
            active = _condition_active(c, self.as_of)
            for concept in index.concepts_for(c.codes or (c.code,)):
                if active or concept in history:  # a past stroke still counts; past flu does not
                    out.setdefault(concept, []).append(c)
        return out

    def conditions(self, concept: str) -> tuple[Condition, ...]:
        """Conditions mapped to a concept, newest first: active ones, and resolved ones for history
        concepts (rules.toml [history])."""
        return tuple(self._concepts.get(concept, ()))

    def has(self, concept: str) -> bool:
        return concept in self._concepts

    @cached_property
    def meds(self) -> tuple[ResolvedMed, ...]:
        """Active medications with their ingredients and classes, newest first."""
        return tuple(resolve(m) for m in self.record.medications if m.active_at(self.as_of))  # the records' own rule, as the Medications tab

    def meds_with(self, key: str) -> tuple[ResolvedMed, ...]:
        return tuple(m for m in self.meds if m.has(key))

    @cached_property
    def allergies(self) -> tuple[Allergy, ...]:
        return tuple(a for a in self.record.active_allergies
                     if a.recorded is None or a.recorded <= self.as_of)

    def immunizations(self, cvx: frozenset[str] | set[str]) -> tuple[Immunization, ...]:
        """Completed immunizations with these CVX codes given on or before as_of, newest first."""
        return tuple(i for i in self.record.immunizations
                     if i.code.code in cvx and i.date is not None and i.date <= self.as_of
                     and i.status in ("completed", ""))
