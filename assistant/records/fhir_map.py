"""Map validated FHIR R4 resources (fhir.resources R4B models) into the record dataclasses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from assistant.records.domain import (
    Allergy,
    CarePlan,
    CarePlanActivity,
    Coding,
    Component,
    Condition,
    Encounter,
    Entry,
    Goal,
    Identifier,
    Immunization,
    Medication,
    Note,
    Observation,
    Patient,
    Procedure,
)

from .fhir_values import Context, cc_text, coding, codings, d, dt, status_code
from .plausibility import judge

if TYPE_CHECKING:  # the validated models (fhir.resources R4B) these functions read
    from fhir.resources.R4B import allergyintolerance as fhir_allergy
    from fhir.resources.R4B import careplan as fhir_careplan
    from fhir.resources.R4B import condition as fhir_condition
    from fhir.resources.R4B import documentreference as fhir_document
    from fhir.resources.R4B import domainresource as fhir_domain
    from fhir.resources.R4B import encounter as fhir_encounter
    from fhir.resources.R4B import goal as fhir_goal
    from fhir.resources.R4B import immunization as fhir_immunization
    from fhir.resources.R4B import medicationrequest as fhir_request
    from fhir.resources.R4B import medicationstatement as fhir_statement
    from fhir.resources.R4B import observation as fhir_observation
    from fhir.resources.R4B import patient as fhir_patient
    from fhir.resources.R4B import procedure as fhir_procedure
    from fhir.resources.R4B.timing import Timing


def _num(v: Decimal | float | None) -> float | None:
    return None if v is None else float(v)


def _strings(values: list[str | None] | None) -> tuple[str, ...]:
    # A repeated FHIR string may hold a null beside its extension ("_given"): no text to show.
    return tuple(v for v in values or () if v is not None)


def _id(r: fhir_domain.DomainResource) -> str:
    if not r.id:  # parse_file checks ids before mapping; this keeps the type honest
        raise ValueError("missing required field 'id'")
    return r.id


def map_patient(r: fhir_patient.Patient, ctx: Context) -> Patient:
    names = list(r.name or [])
    name = next((n for n in names if n.use == "official"), names[0] if names else None)
    idents = []
    for i in r.identifier or []:
        type_code = ""
        if i.type is not None:
            type_code = status_code(i.type)
        idents.append(Identifier(i.system or "", i.value or "", type_code))
    phone = next((t.value for t in r.telecom or [] if t.system == "phone" and t.value), "")
    email = next((t.value for t in r.telecom or [] if t.system == "email" and t.value), "")
    address = ""
    if r.address:
        a = r.address[0]
        address = a.text or ", ".join(x for x in [*(a.line or []), a.city, a.state, a.postalCode,
                                                   a.country] if x)
    language = ""
    if r.communication:
        language = cc_text(r.communication[0].language)
    return Patient(
        id=_id(r), family=(name.family or "") if name else "",
        given=_strings(name.given) if name else (), prefix=_strings(name.prefix) if name else (),
        birth_date=d(r.birthDate), sex=r.gender or "unknown",
        deceased=bool(r.deceasedBoolean) or r.deceasedDateTime is not None,
        deceased_date=dt(r.deceasedDateTime), identifiers=tuple(idents), phone=phone, email=email,
        address=address, language=language, marital_status=cc_text(r.maritalStatus),
    )


def _subject(r: fhir_domain.DomainResource, ctx: Context, attr: str = "subject") -> str:
    return ctx.resolve(getattr(getattr(r, attr, None), "reference", None))[1]


def _encounter(r: fhir_domain.DomainResource, ctx: Context) -> str:
    return ctx.resolve(getattr(getattr(r, "encounter", None), "reference", None))[1]


def map_condition(r: fhir_condition.Condition, ctx: Context) -> Condition:
    onset = r.onsetDateTime or (r.onsetPeriod.start if r.onsetPeriod else None)
    abatement = r.abatementDateTime or (r.abatementPeriod.start if r.abatementPeriod else None)
    return Condition(
        id=_id(r), patient_id=_subject(r, ctx), code=coding(r.code), codes=codings(r.code),
        clinical_status=status_code(r.clinicalStatus), verification_status=status_code(r.verificationStatus),
        category=status_code(r.category[0]) if r.category else "", onset=dt(onset),
        abatement=dt(abatement), recorded=dt(r.recordedDate), encounter_id=_encounter(r, ctx),
    )


def _frequency(timing: Timing | None) -> str:
    if timing is None:
        return ""
    if timing.code is not None and cc_text(timing.code):
        return cc_text(timing.code)
    rep = timing.repeat
    if rep is None or rep.frequency is None:
        return ""
    unit = {"s": "second", "min": "minute", "h": "hour", "d": "day", "wk": "week", "mo": "month",
            "a": "year"}.get(rep.periodUnit or "", rep.periodUnit or "")
    period = float(rep.period or 1)
    per = unit if period == 1 else f"{period:g} {unit}s"
    times = {1: "once", 2: "twice"}.get(rep.frequency, f"{rep.frequency} times")
    return f"{times} per {per}".strip()


def map_medication(r: fhir_request.MedicationRequest | fhir_statement.MedicationStatement,
                   ctx: Context) -> Medication:
    code = coding(getattr(r, "medicationCodeableConcept", None))
    med_ref = getattr(r, "medicationReference", None)
    if med_ref is not None and not code.code:
        rtype, rid = ctx.resolve(med_ref.reference)
        code = ctx.medications.get(f"Medication/{rid}", Coding("", "", med_ref.display or ""))
    dose_text = route = frequency = ""
    dosages = getattr(r, "dosageInstruction", None) or getattr(r, "dosage", None) or []
    if dosages:
        dose = dosages[0]
        dose_text = dose.text or ""
        if not dose_text and dose.doseAndRate and dose.doseAndRate[0].doseQuantity is not None:
            q = dose.doseAndRate[0].doseQuantity
            dose_text = f"{float(q.value):g} {q.unit or ''}".strip()
        route = cc_text(dose.route)
        frequency = _frequency(dose.timing)
        if dose.asNeededBoolean and "as needed" not in frequency:
            frequency = f"{frequency} as needed".strip()
    from fhir.resources.R4B.medicationrequest import MedicationRequest

    end = None
    if isinstance(r, MedicationRequest):
        start = r.authoredOn
        if r.dispenseRequest is not None and r.dispenseRequest.validityPeriod is not None:
            end = r.dispenseRequest.validityPeriod.end
        intent, requester, encounter_id = r.intent or "", ctx.display(r.requester), _encounter(r, ctx)
    else:
        start = r.effectiveDateTime or (r.effectivePeriod.start if r.effectivePeriod else None)
        if r.effectivePeriod is not None:
            end = r.effectivePeriod.end
        intent, requester, encounter_id = "plan", "", ""
    reasons = tuple(ctx.resolve(x.reference)[1] for x in (r.reasonReference or []) if x.reference)
    return Medication(
        id=_id(r), patient_id=_subject(r, ctx), code=code, name=code.display or code.code,
        dose_text=dose_text, route=route, frequency=frequency, status=r.status or "",
        intent=intent, start=dt(start), end=dt(end),
        reason_refs=reasons, encounter_id=encounter_id, requester=requester,
        status_reason=cc_text(r.statusReason) if isinstance(r, MedicationRequest) else "",
    )


def map_allergy(r: fhir_allergy.AllergyIntolerance, ctx: Context) -> Allergy:
    reaction = severity = ""
    if r.reaction:
        rx = r.reaction[0]
        reaction = ", ".join(cc_text(m) for m in rx.manifestation or [] if cc_text(m))
        severity = rx.severity or ""
    code = coding(r.code)
    return Allergy(
        id=_id(r), patient_id=_subject(r, ctx, "patient"), substance=cc_text(r.code) or code.display,
        code=code, reaction=reaction, severity=severity, criticality=r.criticality or "",
        category=(r.category[0] or "") if r.category else "", allergy_type=r.type or "",
        clinical_status=status_code(r.clinicalStatus), verification_status=status_code(r.verificationStatus),
        recorded=dt(r.recordedDate),
    )


def _value(obj: fhir_observation.Observation | fhir_observation.ObservationComponent,
           ) -> tuple[float | None, str, str]:
    q = getattr(obj, "valueQuantity", None)
    if q is not None and q.value is not None:
        return float(q.value), q.unit or q.code or "", ""
    for attr in ("valueCodeableConcept",):
        cc = getattr(obj, attr, None)
        if cc is not None:
            return None, "", cc_text(cc)
    for attr in ("valueString", "valueBoolean", "valueInteger", "valueDateTime"):
        v = getattr(obj, attr, None)
        if v is not None:
            if attr == "valueInteger":
                return float(v), "", ""
            return None, "", str(v).lower() if isinstance(v, bool) else str(v)
    return None, "", ""


def map_observation(r: fhir_observation.Observation, ctx: Context) -> Observation:
    value, unit, text = _value(r)
    comps = []
    for c in r.component or []:
        cv, cu, ct = _value(c)
        comps.append(Component(coding(c.code), cv, cu, ct))
    low = high = None
    if r.referenceRange:
        rr = r.referenceRange[0]
        low = _num(rr.low.value) if rr.low is not None else None
        high = _num(rr.high.value) if rr.high is not None else None
    effective = r.effectiveDateTime or (r.effectivePeriod.start if r.effectivePeriod else None) or r.effectiveInstant
    obs = Observation(
        id=_id(r), patient_id=_subject(r, ctx), code=coding(r.code),
        category=status_code(r.category[0]) if r.category else "", status=r.status or "",
        value=value, unit=unit, value_text=text, components=tuple(comps), effective=dt(effective),
        reference_low=low, reference_high=high,
        interpretation=status_code(r.interpretation[0]) if r.interpretation else "",
        encounter_id=_encounter(r, ctx),
    )
    why = judge(obs, effective)
    return replace(obs, implausible=why) if why else obs


def map_encounter(r: fhir_encounter.Encounter, ctx: Context) -> Encounter:
    reason = cc_text(r.reasonCode[0]) if r.reasonCode else ""
    if not reason and r.reasonReference:
        reason = ctx.display(r.reasonReference[0])
    return Encounter(
        id=_id(r), patient_id=_subject(r, ctx), type=coding(r.type[0]) if r.type else Coding(),
        class_code=(r.class_fhir.code or "") if getattr(r, "class_fhir", None) else "",
        status=r.status or "", start=dt(r.period.start) if r.period else None,
        end=dt(r.period.end) if r.period else None, reason=reason,
        provider=ctx.display(r.serviceProvider),
    )


def map_procedure(r: fhir_procedure.Procedure, ctx: Context) -> Procedure:
    start = r.performedDateTime or (r.performedPeriod.start if r.performedPeriod else None)
    end = r.performedPeriod.end if r.performedPeriod else None
    reason = cc_text(r.reasonCode[0]) if r.reasonCode else ""
    if not reason and r.reasonReference:
        reason = ctx.display(r.reasonReference[0])
    return Procedure(
        id=_id(r), patient_id=_subject(r, ctx), code=coding(r.code), status=r.status or "",
        performed_start=dt(start), performed_end=dt(end), reason=reason, encounter_id=_encounter(r, ctx),
    )


def map_immunization(r: fhir_immunization.Immunization, ctx: Context) -> Immunization:
    return Immunization(
        id=_id(r), patient_id=_subject(r, ctx, "patient"), code=coding(r.vaccineCode),
        status=r.status or "", date=dt(r.occurrenceDateTime), encounter_id=_encounter(r, ctx),
    )


def map_note(r: fhir_document.DocumentReference, ctx: Context) -> Note:
    text_parts: list[str] = []
    title = r.description or ""
    for c in r.content or []:
        a = c.attachment
        title = title or (a.title or "")
        if a.data is not None and (a.contentType or "text/plain").startswith("text/"):
            text_parts.append(a.data.decode("utf-8", errors="replace"))
    author = ctx.display(r.author[0]) if r.author else ""
    return Note(
        id=_id(r), patient_id=_subject(r, ctx), note_type=cc_text(r.type), type_code=coding(r.type),
        title=title, author=author, date=dt(r.date), text="\n\n".join(text_parts), status=r.status or "",
    )


def map_goal(r: fhir_goal.Goal, ctx: Context) -> Goal:
    target = r.target[0].dueDate if r.target else None
    return Goal(
        id=_id(r), patient_id=_subject(r, ctx), description=cc_text(r.description),
        lifecycle_status=r.lifecycleStatus or "", achievement_status=status_code(r.achievementStatus),
        start=d(r.startDate), target_date=d(target),
        addresses=tuple(ctx.resolve(x.reference)[1] for x in r.addresses or [] if x.reference),
    )


def map_careplan(r: fhir_careplan.CarePlan, ctx: Context) -> CarePlan:
    acts = []
    for a in r.activity or []:
        det = a.detail
        if det is not None:
            acts.append(CarePlanActivity(coding(det.code), det.status or "", det.description or ""))
    cats = tuple(coding(c) for c in r.category or [])
    title = r.title or next((c.display for c in cats if c.display), "")
    return CarePlan(
        id=_id(r), patient_id=_subject(r, ctx), title=title, status=r.status or "", intent=r.intent or "",
        categories=cats, start=dt(r.period.start) if r.period else None,
        end=dt(r.period.end) if r.period else None, activities=tuple(acts),
        addresses=tuple(ctx.resolve(x.reference)[1] for x in r.addresses or [] if x.reference),
        goal_ids=tuple(ctx.resolve(x.reference)[1] for x in r.goal or [] if x.reference),
    )


# Each takes its own resource type: the table is indexed by that type's name.
MAPPERS: dict[str, Callable[..., Patient | Entry]] = {
    "Patient": map_patient, "Condition": map_condition, "MedicationRequest": map_medication,
    "MedicationStatement": map_medication, "AllergyIntolerance": map_allergy,
    "Observation": map_observation, "Encounter": map_encounter, "Procedure": map_procedure,
    "Immunization": map_immunization, "DocumentReference": map_note, "Goal": map_goal,
    "CarePlan": map_careplan,
}


def map_resource(model: fhir_domain.DomainResource, ctx: Context) -> Patient | Entry:
    return MAPPERS[model.get_resource_type()](model, ctx)
