"""A stored care plan as a FHIR R4 CarePlan (goals contained, activities citing the chart)."""

from __future__ import annotations

from html import escape
from typing import Any

from assistant.assist.careplan.document import CarePlanDocument, Item
from assistant.records.domain import LOINC

SERIES_SYSTEM = "urn:clinician-assistant:careplan-series"
CATEGORY = {"system": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
            "code": "assess-plan", "display": "Assessment and Plan of Treatment"}
# Stored status -> CarePlan.status. A superseded version is no longer in force: "revoked".
STATUS = {"draft": "draft", "signed": "active", "superseded": "revoked"}
ACHIEVEMENT = {"at-target": "achieved", "above-target": "not-achieving",
               "below-target": "not-achieving", "not-at-target": "not-achieving"}
# Reference types each element may point at (R4), so exported references always validate.
REASON_TYPES = ("Condition", "Observation", "DiagnosticReport", "DocumentReference")
OUTCOME_TYPES = ("Observation",)
ACTIVITY_KIND = {"monitoring": "ServiceRequest", "medication": "MedicationRequest",
                 "followup": "Appointment", "education": "CommunicationRequest", "flag": "Task"}


def _refs(refs: tuple[str, ...], types: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"reference": r} for r in refs if r.split("/", 1)[0] in types]


def _narrative(doc: CarePlanDocument) -> dict[str, str]:
    parts = [f"<h2>{escape(doc.title)}</h2>"]
    for s in doc.sections:
        if not s.items:
            continue
        parts.append(f"<h3>{escape(s.title)}</h3><ul>")
        parts += [f"<li>{escape(i.text)}</li>" for i in s.items]
        parts.append("</ul>")
    return {"status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{"".join(parts)}</div>'}


def _goal(n: int, item: Item, subject: dict[str, str], addresses: list[dict[str, str]],
          lifecycle: str) -> dict[str, Any]:
    goal: dict[str, Any] = {"resourceType": "Goal", "id": f"goal-{n}", "lifecycleStatus": lifecycle,
                            "description": {"text": item.text}, "subject": subject}
    if item.state in ACHIEVEMENT:
        goal["achievementStatus"] = {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
            "code": ACHIEVEMENT[item.state]}]}
    if item.target:
        target: dict[str, Any] = {"detailString": item.target}
        if item.loinc:
            target["measure"] = {"coding": [{"system": LOINC, "code": item.loinc}]}
        goal["target"] = [target]
    if addresses:
        goal["addresses"] = addresses
    outcomes = _refs(item.citations, OUTCOME_TYPES)
    if outcomes:
        goal["outcomeReference"] = outcomes
    if item.source:
        goal["note"] = [{"text": f"Source: {item.source}"}]
    return goal


def _activity(item: Item, planned: str) -> dict[str, Any]:
    # A medication already on the chart is an activity by reference to its order.
    if item.kind == "medication" and item.state == "on-record":
        med = next((r for r in item.citations if r.startswith(("MedicationRequest/",
                                                                "MedicationStatement/"))), None)
        if med and med.startswith("MedicationRequest/"):
            return {"reference": {"reference": med, "display": item.text}}
    detail: dict[str, Any] = {"status": "in-progress" if item.state == "on-record" else planned,
                              "description": item.text}
    if item.kind in ACTIVITY_KIND:
        detail["kind"] = ACTIVITY_KIND[item.kind]
    if item.loinc:
        detail["code"] = {"coding": [{"system": LOINC, "code": item.loinc}]}
    if item.interval:
        detail["scheduledString"] = item.interval
    reasons = _refs(item.citations, REASON_TYPES)
    if reasons:
        detail["reasonReference"] = reasons
    return {"detail": detail}


def to_fhir_careplan(doc: CarePlanDocument, stored: Any | None = None) -> dict[str, Any]:
    """The plan as a FHIR R4 CarePlan resource (a dict). `stored` (a StoredDocument) supplies id,
    version, status, author and signature; without it the plan is exported as an unsaved draft."""
    status = STATUS.get(getattr(stored, "status", "draft"), "draft")
    subject = {"reference": f"Patient/{doc.patient_id}"}
    addresses = [{"reference": r} for c in doc.conditions for r in c.refs if r.startswith("Condition/")]
    addresses = list({a["reference"]: a for a in addresses}.values())
    lifecycle = "active" if status == "active" else "proposed" if status == "draft" else "cancelled"
    goals = [_goal(n, item, subject, addresses, lifecycle)
             for n, item in enumerate(doc.items("goals"), start=1)]
    planned = "not-started" if status != "revoked" else "cancelled"
    activities = [_activity(i, planned) for key in ("flags", "interventions", "medications",
                                                     "monitoring", "followup")
                  for i in doc.items(key)]
    plan: dict[str, Any] = {
        "resourceType": "CarePlan", "text": _narrative(doc), "status": status, "intent": "plan",
        "category": [{"coding": [CATEGORY]}], "title": doc.title, "subject": subject,
    }
    rationale = " ".join(i.text for i in doc.items("rationale"))
    if rationale:
        plan["description"] = rationale
    if stored is not None:
        plan["id"] = stored.id
        plan["meta"] = {"versionId": str(stored.version)}
        plan["identifier"] = [{"system": SERIES_SYSTEM, "value": stored.series}]
        plan["created"] = stored.created
        # The name people know (the display name); the login stays in the store's own record.
        plan["author"] = {"display": stored.by}
        if stored.supersedes:
            plan["replaces"] = [{"reference": f"CarePlan/{stored.supersedes}"}]
    elif doc.created:
        plan["created"] = doc.created
    if doc.as_of:
        plan["period"] = {"start": doc.as_of}
    if addresses:
        plan["addresses"] = addresses
    if goals:
        plan["contained"] = goals
        plan["goal"] = [{"reference": f"#{g['id']}"} for g in goals]
    if activities:
        plan["activity"] = activities
    notes = [{"text": "For the patient: " + " ".join(i.text for i in doc.items("patient"))}] \
        if doc.items("patient") else []
    notes += [{"text": f"Guideline: {c.title}: {c.citation or c.guideline + ' ' + str(c.year)}"}
              for c in doc.conditions]
    if stored is not None and stored.signed_by:
        notes.append({"authorString": stored.by, "time": stored.signed_at,
                      "text": f"Signed by {stored.by} at {stored.signed_at}."})
    if notes:
        plan["note"] = notes
    return plan
