"""Export a patient record as a FHIR R4 collection Bundle that re-imports to the same record."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import TypedDict

from assistant.json_types import JSONObject
from assistant.records.domain import (
    Allergy,
    CarePlan,
    Coding,
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

from .fhir_provenance import provenance
from .record import PatientRecord

_NS = uuid.UUID("5b0a1f0e-6c1e-4d8e-9a53-2c1f3b8d7e10")
_V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
_INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_COND_CLIN = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_COND_VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_ALLERGY_CLIN = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
_ALLERGY_VER = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
_OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
_ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


def full_url(resource_type: str, rid: str) -> str:
    """urn:uuid for an id; ids that are not UUIDs get a stable UUID derived from type and id."""
    try:
        return f"urn:uuid:{uuid.UUID(rid)}" if len(rid) == 36 else f"urn:uuid:{uuid.uuid5(_NS, f'{resource_type}/{rid}')}"
    except ValueError:
        return f"urn:uuid:{uuid.uuid5(_NS, f'{resource_type}/{rid}')}"


def _iso(v: datetime | None) -> str | None:
    return v.isoformat() if v else None


def _cc(c: Coding, extra: tuple[Coding, ...] = (), text: str | None = None) -> JSONObject:
    """A CodeableConcept: every coding the record kept, and the display text it showed."""
    codings = list(extra) or ([c] if c.code or c.system else [])
    out: JSONObject = {}
    if codings:
        out["coding"] = [_clean({"system": x.system, "code": x.code, "display": x.display}) for x in codings]
    label = c.display if text is None else text
    if label:
        out["text"] = label
    return out or {"text": "unknown"}


def _status(system: str, code: str) -> JSONObject | None:
    return {"coding": [{"system": system, "code": code}]} if code else None


def _clean(d: JSONObject) -> JSONObject:
    """Drop empty values: FHIR forbids empty strings, objects and arrays."""
    out: JSONObject = {}
    for k, v in d.items():
        if isinstance(v, dict):
            v = _clean(v)
        if v in (None, "", [], {}):
            continue
        out[k] = v
    return out


class _Exporter:
    def __init__(self, record: PatientRecord) -> None:
        self.record = record
        self.patient_ref = {"reference": full_url("Patient", record.patient.id)}

    def ref(self, resource_type: str, rid: str) -> dict[str, str] | None:
        return {"reference": full_url(resource_type, rid)} if rid else None

    def patient(self, p: Patient) -> JSONObject:
        idents = []
        for i in p.identifiers:
            ident: JSONObject = {"system": i.system, "value": i.value}
            if i.type_code:
                ident["type"] = {"coding": [{"system": _V2_0203, "code": i.type_code}]}
            idents.append(_clean(ident))
        telecom = [t for t in ({"system": "phone", "value": p.phone}, {"system": "email", "value": p.email})
                   if t["value"]]
        return _clean({
            "resourceType": "Patient", "id": p.id, "identifier": idents,
            "name": [_clean({"use": "official", "family": p.family, "given": list(p.given),
                             "prefix": list(p.prefix)})],
            "gender": p.sex, "birthDate": p.birth_date.isoformat() if p.birth_date else None,
            "deceasedDateTime": _iso(p.deceased_date),
            "deceasedBoolean": True if p.deceased and not p.deceased_date else None,
            "telecom": telecom, "address": [{"text": p.address}] if p.address else None,
            "communication": [{"language": {"text": p.language}}] if p.language else None,
            "maritalStatus": {"text": p.marital_status} if p.marital_status else None,
        })

    def condition(self, c: Condition) -> JSONObject:
        return _clean({
            "resourceType": "Condition", "id": c.id, "subject": self.patient_ref,
            "code": _cc(c.code, c.codes), "clinicalStatus": _status(_COND_CLIN, c.clinical_status),
            "verificationStatus": _status(_COND_VER, c.verification_status),
            "category": [{"coding": [{"code": c.category}]}] if c.category else None,
            "onsetDateTime": _iso(c.onset), "abatementDateTime": _iso(c.abatement),
            "recordedDate": _iso(c.recorded), "encounter": self.ref("Encounter", c.encounter_id),
        })

    def medication(self, m: Medication) -> JSONObject:
        dosage = _clean({"text": m.dose_text, "route": {"text": m.route} if m.route else None,
                         "timing": {"code": {"text": m.frequency}} if m.frequency else None})
        code = Coding(m.code.system, m.code.code, m.code.display or m.name)
        return _clean({
            "resourceType": "MedicationRequest", "id": m.id, "subject": self.patient_ref,
            "status": m.status or "unknown", "intent": m.intent or "order",
            "medicationCodeableConcept": _cc(code), "authoredOn": _iso(m.start),
            "dosageInstruction": [dosage] if dosage else None,
            "dispenseRequest": {"validityPeriod": {"end": _iso(m.end)}} if m.end else None,
            "reasonReference": [self.ref("Condition", r) for r in m.reason_refs] or None,
            "encounter": self.ref("Encounter", m.encounter_id),
            "requester": {"display": m.requester} if m.requester else None,
            "statusReason": {"text": m.status_reason} if m.status_reason else None,
        })

    def allergy(self, a: Allergy) -> JSONObject:
        reaction = _clean({"manifestation": [{"text": a.reaction}] if a.reaction else None,
                           "severity": a.severity or None})
        return _clean({
            "resourceType": "AllergyIntolerance", "id": a.id, "patient": self.patient_ref,
            "code": _cc(a.code, text=a.substance), "criticality": a.criticality or None,
            "category": [a.category] if a.category else None, "type": a.allergy_type or None,
            "clinicalStatus": _status(_ALLERGY_CLIN, a.clinical_status),
            "verificationStatus": _status(_ALLERGY_VER, a.verification_status),
            "recordedDate": _iso(a.recorded),
            # FHIR requires a manifestation in every reaction; a reaction without one is omitted.
            "reaction": [reaction] if reaction.get("manifestation") else None,
        })

    @staticmethod
    def _value(value: float | None, unit: str, text: str) -> JSONObject:
        if value is not None:
            return {"valueQuantity": _clean({"value": value, "unit": unit})}
        if text:
            return {"valueString": text}
        return {}

    def observation(self, o: Observation) -> JSONObject:
        comps = [_clean({"code": _cc(c.code), **self._value(c.value, c.unit, c.value_text)})
                 for c in o.components]
        rr = _clean({"low": {"value": o.reference_low} if o.reference_low is not None else None,
                     "high": {"value": o.reference_high} if o.reference_high is not None else None})
        return _clean({
            "resourceType": "Observation", "id": o.id, "subject": self.patient_ref,
            "status": o.status or "final", "code": _cc(o.code),
            "category": [{"coding": [{"system": _OBS_CAT, "code": o.category}]}] if o.category else None,
            **self._value(o.value, o.unit, o.value_text), "component": comps or None,
            "effectiveDateTime": _iso(o.effective), "referenceRange": [rr] if rr else None,
            "interpretation": [{"coding": [{"system": _INTERP, "code": o.interpretation}]}]
            if o.interpretation else None,
            "encounter": self.ref("Encounter", o.encounter_id),
        })

    def encounter(self, e: Encounter) -> JSONObject:
        return _clean({
            "resourceType": "Encounter", "id": e.id, "subject": self.patient_ref,
            "status": e.status or "unknown", "class": {"system": _ACT, "code": e.class_code or "AMB"},
            "type": [_cc(e.type)] if e.type.code or e.type.display else None,
            "period": {"start": _iso(e.start), "end": _iso(e.end)},
            "reasonCode": [{"text": e.reason}] if e.reason else None,
            "serviceProvider": {"display": e.provider} if e.provider else None,
        })

    def procedure(self, p: Procedure) -> JSONObject:
        return _clean({
            "resourceType": "Procedure", "id": p.id, "subject": self.patient_ref,
            "status": p.status or "completed", "code": _cc(p.code),
            "performedPeriod": {"start": _iso(p.performed_start), "end": _iso(p.performed_end)},
            "reasonCode": [{"text": p.reason}] if p.reason else None,
            "encounter": self.ref("Encounter", p.encounter_id),
        })

    def immunization(self, i: Immunization) -> JSONObject:
        return _clean({
            "resourceType": "Immunization", "id": i.id, "patient": self.patient_ref,
            "status": i.status or "completed", "vaccineCode": _cc(i.code),
            "occurrenceDateTime": _iso(i.date), "occurrenceString": None if i.date else "unknown",
            "encounter": self.ref("Encounter", i.encounter_id),
        })

    def note(self, n: Note) -> JSONObject:
        return _clean({
            "resourceType": "DocumentReference", "id": n.id, "subject": self.patient_ref,
            "status": n.status or "current", "type": _cc(n.type_code, text=n.note_type),
            "date": _iso(n.date), "description": n.title,
            "author": [{"display": n.author}] if n.author else None,
            "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                        "data": base64.b64encode(n.text.encode()).decode()}}],
        })

    def goal(self, g: Goal) -> JSONObject:
        return _clean({
            "resourceType": "Goal", "id": g.id, "subject": self.patient_ref,
            "lifecycleStatus": g.lifecycle_status or "active", "description": {"text": g.description or "goal"},
            "achievementStatus": {"coding": [{"code": g.achievement_status}]} if g.achievement_status else None,
            "startDate": g.start.isoformat() if g.start else None,
            "target": [{"dueDate": g.target_date.isoformat()}] if g.target_date else None,
            "addresses": [self.ref("Condition", a) for a in g.addresses] or None,
        })

    def careplan(self, c: CarePlan) -> JSONObject:
        acts = [{"detail": _clean({"code": _cc(a.code) if (a.code.code or a.code.display) else None,
                                   "status": a.status or "unknown", "description": a.description})}
                for a in c.activities]
        return _clean({
            "resourceType": "CarePlan", "id": c.id, "subject": self.patient_ref,
            "status": c.status or "unknown", "intent": c.intent or "plan", "title": c.title,
            "category": [_cc(x) for x in c.categories] or None,
            "period": {"start": _iso(c.start), "end": _iso(c.end)}, "activity": acts or None,
            "addresses": [self.ref("Condition", a) for a in c.addresses] or None,
            "goal": [self.ref("Goal", g) for g in c.goal_ids] or None,
        })

    def entry(self, e: Entry) -> JSONObject:
        method = {Condition: self.condition, Medication: self.medication, Allergy: self.allergy,
                  Observation: self.observation, Encounter: self.encounter, Procedure: self.procedure,
                  Immunization: self.immunization, Note: self.note, Goal: self.goal,
                  CarePlan: self.careplan}[type(e)]
        return method(e)  # type: ignore[operator]


class BundleEntry(TypedDict):
    fullUrl: str
    resource: JSONObject


class Bundle(TypedDict):
    resourceType: str
    id: str
    type: str
    timestamp: str
    entry: list[BundleEntry]


def export_bundle(record: PatientRecord) -> Bundle:
    """A FHIR R4 collection Bundle holding the patient and every chart entry."""
    ex = _Exporter(record)
    entries: list[BundleEntry] = [{"fullUrl": full_url("Patient", record.patient.id),
                                   "resource": ex.patient(record.patient)}]
    provenances: list[BundleEntry] = []
    for e in record.entries():
        entries.append({"fullUrl": full_url(e.resource_type, e.id), "resource": ex.entry(e)})
        prov = provenance(e, full_url)
        if prov is not None:
            provenances.append({"fullUrl": full_url("Provenance", str(prov["id"])), "resource": prov})
    entries += provenances
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "collection",
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"), "entry": entries}

