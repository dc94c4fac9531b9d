"""Build the five fictional DEMO patients as FHIR R4 transaction Bundles (deterministic: run it, diff is empty)."""

from __future__ import annotations

import argparse
import base64
import json
import re
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Every id is a uuid5 under this namespace, so re-running gives byte-identical files.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://clinician-assistant.invalid/fhir/DEMO")

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
CVX = "http://hl7.org/fhir/sid/cvx"
UCUM = "http://unitsofmeasure.org"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
V3_INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
V3_ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"
V3_MARITAL = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
COND_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
COND_VERIFY = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
COND_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFY = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
DOC_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"

# "DEMO" is in the MRN system and in a meta tag on every resource: nothing here is a real person.
DEMO_BASE = "https://clinician-assistant.invalid/fhir/DEMO"
MRN_SYSTEM = f"{DEMO_BASE}/mrn"
DEMO_TAG = {"system": f"{DEMO_BASE}/tags", "code": "DEMO",
            "display": "Fictional demo data written for Clinician Assistant; not a real person"}
# The day the stories are told: every date in a bundle is written as of this day, and the demo
# database moves them all by (the day it is made - this day), so "today" in a note is the day
# before the database is made (assistant/demo.py). The tag carries it on each Bundle.
ANCHOR = "2026-11-22"
ANCHOR_TAG = {"system": f"{DEMO_BASE}/anchor", "code": ANCHOR,
              "display": "Dates are written as of this day; the demo database moves them to its own day"}

ORAL = {"coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}], "text": "oral"}
INHALED = {"coding": [{"system": SNOMED, "code": "447694001", "display": "Respiratory tract route"}],
           "text": "inhaled"}
INTRAMUSCULAR = {"coding": [{"system": SNOMED, "code": "78421000", "display": "Intramuscular route"}],
                 "text": "intramuscular"}

# Frequencies: v3 GTS abbreviation (shown as text) plus the structured repeat.
QD = ("QD", "once daily", 1, 1, "d")
BID = ("BID", "twice daily", 2, 1, "d")
TID = ("TID", "three times daily", 3, 1, "d")
QID = ("QID", "four times daily", 4, 1, "d")
Q4H = ("Q4H", "every 4 hours", 1, 4, "h")


def ts(value: str) -> str:
    """'2026-10-27 09:30' -> FHIR instant with seconds and offset (UTC)."""
    return datetime.strptime(value, "%Y-%m-%d %H:%M").strftime("%Y-%m-%dT%H:%M:00+00:00")


_SEMANTIC_TAG = re.compile(r" \((?:disorder|finding|procedure|substance|situation|regime/therapy|"
                           r"qualifier value)\)$")


def cc(system: str, code: str, display: str, text: str | None = None,
       extra: list[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    """A CodeableConcept. SNOMED CT displays drop the FSN semantic tag ('(disorder)'), as a UI shows them."""
    if system == SNOMED:
        display = _SEMANTIC_TAG.sub("", display)
    codings = [{"system": system, "code": code, "display": display}]
    codings += [{"system": s, "code": c, "display": d} for s, c, d in extra or []]
    return {"coding": codings, "text": text or display}


Amount = tuple[float, str] | tuple[float, str, str]  # value, unit[, UCUM code when it differs]


def qty(value: float, unit: str, code: str | None = None) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": code or unit}


def interp(code: str) -> list[dict[str, Any]]:
    names = {"H": "High", "L": "Low", "N": "Normal", "HH": "Critical high", "LL": "Critical low",
             "A": "Abnormal", "POS": "Positive", "NEG": "Negative"}
    return [{"coding": [{"system": V3_INTERP, "code": code, "display": names[code]}], "text": names[code]}]


def flag(value: float, low: float | None, high: float | None) -> str:
    if high is not None and value > high:
        return "H"
    if low is not None and value < low:
        return "L"
    return "N"


def ckd_epi_2021(creatinine_mg_dl: float, age: int, female: bool) -> int:
    """eGFR (mL/min/1.73 m2), CKD-EPI 2021 race-free creatinine equation, rounded to a whole number."""
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = creatinine_mg_dl / kappa
    egfr = 142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.200 * 0.9938 ** age
    return int(egfr * (1.012 if female else 1) + 0.5)  # halves up, as laboratories report it


# --- shared fictional clinicians and sites -------------------------------------------------------
PRACTITIONERS = {
    "exemplar": ("Olivia", "Exemplar", "Dr.", "female"),
    "specimen": ("Samuel", "Specimen", "Dr.", "male"),
    "prototype": ("Nadia", "Prototype", "Dr.", "female"),
    "illustration": ("Felix", "Illustration", "Dr.", "male"),
    "mockup": ("Robin", "Mockup", "", "unknown"),
    "placeholder": ("Quinn", "Placeholder", "", "unknown"),
}
ROLE_SUFFIX = {"mockup": ", RN", "placeholder": ", RN (heart failure nurse specialist)"}
ORGANIZATIONS = {
    "clinic": "Demo Valley Health Centre (fictional)",
    "hospital": "Demo General Hospital (fictional)",
    "urgent": "Demo Walk-in Urgent Care (fictional)",
}


def person_display(key: str) -> str:
    given, family, prefix, _ = PRACTITIONERS[key]
    return f"{prefix} {given} {family}".strip() + ROLE_SUFFIX.get(key, "")


class Chart:
    """One patient's bundle under construction; every add returns the entry's urn:uuid reference."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.entries: list[dict[str, Any]] = []
        self.used_practitioners: list[str] = []
        self.used_orgs: list[str] = []
        self.patient_ref = ""
        self.birth: date | None = None
        self.female = False
        self.labels: dict[str, str] = {}  # condition reference -> its text, shown on reason references

    # --- plumbing ----------------------------------------------------------------------------
    def uid(self, *parts: str) -> str:
        return str(uuid.uuid5(NAMESPACE, "/".join((self.key, *parts))))

    def add(self, rtype: str, label: str, body: dict[str, Any]) -> str:
        rid = self.uid(rtype, label)
        resource = {"resourceType": rtype, "id": rid, "meta": {"tag": [DEMO_TAG]}, **body}
        self.entries.append({"fullUrl": f"urn:uuid:{rid}", "resource": resource,
                             "request": {"method": "POST", "url": rtype}})
        return f"urn:uuid:{rid}"

    def who(self, key: str) -> dict[str, str]:
        if key not in self.used_practitioners:
            self.used_practitioners.append(key)
        return {"reference": f"urn:uuid:{uuid.uuid5(NAMESPACE, 'practitioner/' + key)}",
                "display": person_display(key)}

    def org(self, key: str) -> dict[str, str]:
        if key not in self.used_orgs:
            self.used_orgs.append(key)
        return {"reference": f"urn:uuid:{uuid.uuid5(NAMESPACE, 'organization/' + key)}",
                "display": ORGANIZATIONS[key]}

    def age(self, on: str) -> int:
        assert self.birth is not None
        day = date.fromisoformat(on[:10])
        return day.year - self.birth.year - ((day.month, day.day) < (self.birth.month, self.birth.day))

    # --- resources ---------------------------------------------------------------------------
    def patient(self, given: list[str], family: str, sex: str, birth: str, mrn: str, phone: str,
                address: dict[str, Any], marital: tuple[str, str], language: tuple[str, str]) -> str:
        self.birth = date.fromisoformat(birth)
        self.female = sex == "female"
        rid = self.uid("Patient")
        body = {
            "text": {"status": "generated",
                     "div": f'<div xmlns="http://www.w3.org/1999/xhtml">DEMO patient (fictional): '
                            f'{" ".join(given)} {family}</div>'},
            "identifier": [
                {"use": "usual",
                 "type": {"coding": [{"system": V2_0203, "code": "MR", "display": "Medical record number"}],
                          "text": "Medical record number (DEMO)"},
                 "system": MRN_SYSTEM, "value": mrn},
            ],
            "active": True,
            "name": [{"use": "official", "family": family, "given": given}],
            "telecom": [{"system": "phone", "value": phone, "use": "home"}],
            "gender": sex,
            "birthDate": birth,
            "address": [address],
            "maritalStatus": cc(V3_MARITAL, marital[0], marital[1]),
            "communication": [{"language": cc("urn:ietf:bcp:47", language[0], language[1]),
                               "preferred": True}],
        }
        self.entries.append({"fullUrl": f"urn:uuid:{rid}",
                             "resource": {"resourceType": "Patient", "id": rid, "meta": {"tag": [DEMO_TAG]},
                                          **body},
                             "request": {"method": "POST", "url": "Patient"}})
        self.patient_ref = f"urn:uuid:{rid}"
        return self.patient_ref

    def subject(self) -> dict[str, str]:
        return {"reference": self.patient_ref}

    def encounter(self, label: str, start: str, end: str | None, cls: str, type_code: str,
                  type_display: str, reason: str, who: str, where: str,
                  status: str = "finished") -> str:
        classes = {"AMB": "ambulatory", "EMER": "emergency", "IMP": "inpatient encounter",
                   "VR": "virtual"}
        period = {"start": ts(start)}
        if end:
            period["end"] = ts(end)
        return self.add("Encounter", label, {
            "status": status,
            "class": {"system": V3_ACT, "code": cls, "display": classes[cls]},
            "type": [cc(SNOMED, type_code, type_display)],
            "subject": self.subject(),
            "participant": [{"individual": self.who(who)}],
            "period": period,
            "reasonCode": [{"text": reason}],
            "serviceProvider": self.org(where),
        })

    def condition(self, label: str, snomed: tuple[str, str], icd: tuple[str, str], onset: str,
                  encounter: str | None = None, status: str = "active", verification: str = "confirmed",
                  category: str = "problem-list-item", abatement: str | None = None,
                  recorded: str | None = None, text: str | None = None) -> str:
        body: dict[str, Any] = {
            "clinicalStatus": {"coding": [{"system": COND_CLINICAL, "code": status}]},
            "verificationStatus": {"coding": [{"system": COND_VERIFY, "code": verification}]},
            "category": [{"coding": [{"system": COND_CATEGORY, "code": category,
                                      "display": {"problem-list-item": "Problem List Item",
                                                  "encounter-diagnosis": "Encounter Diagnosis"}[category]}]}],
            "code": cc(SNOMED, snomed[0], snomed[1], text, extra=[(ICD10, icd[0], icd[1])]),
            "subject": self.subject(),
            "onsetDateTime": onset,
            "recordedDate": recorded or onset,
        }
        if encounter:
            body["encounter"] = {"reference": encounter}
        if abatement:
            body["abatementDateTime"] = abatement
        ref = self.add("Condition", label, body)
        self.labels[ref] = text or snomed[1]
        return ref

    def reasons(self, refs: list[str]) -> list[dict[str, str]]:
        return [{"reference": r, "display": self.labels[r]} for r in refs]

    def med(self, label: str, rxnorm: tuple[str, str], text: str, authored: str, who: str,
            instruction: str, freq: tuple[str, str, int, float, str] | None, dose: Amount,
            route: dict[str, Any], reasons: list[str] | None = None, encounter: str | None = None,
            status: str = "active", prn: bool = False, until: str | None = None,
            quantity: Amount | None = None, supply_days: int | None = None,
            repeats: int | None = None, when: list[str] | None = None, note: str | None = None) -> str:
        dosage: dict[str, Any] = {"sequence": 1, "text": instruction, "route": route}
        if freq:
            code, words, frequency, period, unit = freq
            repeat: dict[str, Any] = {"frequency": frequency, "period": period, "periodUnit": unit}
            if when:
                repeat["when"] = when
            dosage["timing"] = {"repeat": repeat,
                                "code": {"coding": [{"system": V3_GTS, "code": code}], "text": words}}
        if prn:
            dosage["asNeededBoolean"] = True
        dosage["doseAndRate"] = [{"doseQuantity": qty(*dose)}]
        body: dict[str, Any] = {
            "status": status,
            "intent": "order",
            "medicationCodeableConcept": cc(RXNORM, rxnorm[0], rxnorm[1], text),
            "subject": self.subject(),
            "authoredOn": authored,
            "requester": self.who(who),
            "dosageInstruction": [dosage],
        }
        if encounter:
            body["encounter"] = {"reference": encounter}
        if reasons:
            body["reasonReference"] = self.reasons(reasons)
        dispense: dict[str, Any] = {}
        if until:
            dispense["validityPeriod"] = {"start": authored, "end": until}
        if repeats is not None:
            dispense["numberOfRepeatsAllowed"] = repeats
        if quantity:
            dispense["quantity"] = qty(*quantity)
        if supply_days:
            dispense["expectedSupplyDuration"] = {"value": supply_days, "unit": "days", "system": UCUM,
                                                  "code": "d"}
        if dispense:
            body["dispenseRequest"] = dispense
        if note:
            body["note"] = [{"text": note}]
        return self.add("MedicationRequest", label, body)

    def _obs(self, label: str, code: dict[str, Any], category: str, when: str, encounter: str | None,
             extra: dict[str, Any]) -> str:
        cat_display = {"laboratory": "Laboratory", "vital-signs": "Vital Signs", "imaging": "Imaging",
                       "social-history": "Social History"}[category]
        body: dict[str, Any] = {
            "status": "final",
            "category": [{"coding": [{"system": OBS_CATEGORY, "code": category, "display": cat_display}]}],
            "code": code,
            "subject": self.subject(),
            "effectiveDateTime": ts(when),
            "issued": ts(when),
            **extra,
        }
        if encounter:
            body["encounter"] = {"reference": encounter}
        return self.add("Observation", label, body)

    def measure(self, label: str, loinc: tuple[str, str], when: str, value: float, unit: str,
                ucum: str | None = None, low: float | None = None, high: float | None = None,
                encounter: str | None = None, category: str = "laboratory", flag_as: str | None = None,
                range_text: str | None = None, also: list[tuple[str, str, str]] | None = None,
                note: str | None = None) -> str:
        extra: dict[str, Any] = {"valueQuantity": qty(value, unit, ucum)}
        if low is not None or high is not None:
            rng: dict[str, Any] = {}
            if low is not None:
                rng["low"] = qty(low, unit, ucum)
            if high is not None:
                rng["high"] = qty(high, unit, ucum)
            if range_text:
                rng["text"] = range_text
            extra["referenceRange"] = [rng]
            extra["interpretation"] = interp(flag_as or flag(value, low, high))
        elif flag_as:
            extra["interpretation"] = interp(flag_as)
        if note:
            extra["note"] = [{"text": note}]
        return self._obs(label, cc(LOINC, loinc[0], loinc[1], extra=also), category, when, encounter, extra)

    def coded(self, label: str, loinc: tuple[str, str], when: str, value: tuple[str, str],
              encounter: str | None = None, category: str = "laboratory",
              flag_as: str | None = None) -> str:
        extra: dict[str, Any] = {"valueCodeableConcept": cc(SNOMED, value[0], value[1])}
        if flag_as:
            extra["interpretation"] = interp(flag_as)
        return self._obs(label, cc(LOINC, loinc[0], loinc[1]), category, when, encounter, extra)

    def creatinine(self, label: str, when: str, value: float, encounter: str | None) -> None:
        """Serum creatinine (mg/dL) and the eGFR the lab would report with it (CKD-EPI 2021)."""
        high = 1.04 if self.female else 1.35
        low = 0.59 if self.female else 0.74
        self.measure(f"{label}-creatinine", ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma"),
                     when, value, "mg/dL", low=low, high=high, encounter=encounter)
        egfr = ckd_epi_2021(value, self.age(when), self.female)
        self.measure(f"{label}-egfr", ("98979-8", "Glomerular filtration rate/1.73 sq M.predicted "
                                       "[Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based "
                                       "formula (CKD-EPI 2021)"),
                     when, egfr, "mL/min/1.73m2", "mL/min/{1.73_m2}", low=60, encounter=encounter,
                     range_text=">=60 mL/min/1.73m2")

    def vitals(self, label: str, when: str, encounter: str | None, *, sbp: int | None = None,
               dbp: int | None = None, hr: int | None = None, rr: int | None = None,
               spo2: int | None = None, temp: float | None = None, weight: float | None = None,
               height: float | None = None, fio2: int | None = None, spo2_note: str | None = None) -> None:
        vs = "vital-signs"
        if sbp is not None and dbp is not None:
            s_flag, d_flag = flag(sbp, 90, 139), flag(dbp, 60, 89)
            comps = [
                {"code": cc(LOINC, "8480-6", "Systolic blood pressure"), "valueQuantity": qty(sbp, "mm[Hg]"),
                 "interpretation": interp(s_flag),
                 "referenceRange": [{"low": qty(90, "mm[Hg]"), "high": qty(139, "mm[Hg]")}]},
                {"code": cc(LOINC, "8462-4", "Diastolic blood pressure"), "valueQuantity": qty(dbp, "mm[Hg]"),
                 "interpretation": interp(d_flag),
                 "referenceRange": [{"low": qty(60, "mm[Hg]"), "high": qty(89, "mm[Hg]")}]},
            ]
            overall = s_flag if s_flag != "N" else d_flag
            self._obs(f"{label}-bp", cc(LOINC, "85354-9", "Blood pressure panel with all children optional",
                                        "Blood pressure"),
                      vs, when, encounter, {"component": comps, "interpretation": interp(overall)})
        if hr is not None:
            self.measure(f"{label}-hr", ("8867-4", "Heart rate"), when, hr, "/min", low=60, high=100,
                         encounter=encounter, category=vs)
        if rr is not None:
            self.measure(f"{label}-rr", ("9279-1", "Respiratory rate"), when, rr, "/min", low=12, high=20,
                         encounter=encounter, category=vs)
        if spo2 is not None:
            self.measure(f"{label}-spo2", ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
                         when, spo2, "%", low=94, high=100, encounter=encounter, category=vs,
                         also=[(LOINC, "2708-6", "Oxygen saturation in Arterial blood")], note=spo2_note)
        if fio2 is not None:
            self.measure(f"{label}-fio2", ("3150-0", "Inhaled oxygen concentration"), when, fio2, "%",
                         encounter=encounter, category=vs,
                         note="Room air" if fio2 == 21 else None)
        if temp is not None:
            self.measure(f"{label}-temp", ("8310-5", "Body temperature"), when, temp, "Cel", low=36.1,
                         high=37.8, encounter=encounter, category=vs)
        if weight is not None:
            self.measure(f"{label}-weight", ("29463-7", "Body weight"), when, weight, "kg",
                         encounter=encounter, category=vs)
        if height is not None:
            self.measure(f"{label}-height", ("8302-2", "Body height"), when, height, "cm",
                         encounter=encounter, category=vs)
        if weight is not None and height is not None:
            bmi = round(weight / (height / 100) ** 2, 1)
            self.measure(f"{label}-bmi", ("39156-5", "Body mass index (BMI) [Ratio]"), when, bmi, "kg/m2",
                         low=18.5, high=24.9, encounter=encounter, category=vs)

    def smoking(self, label: str, when: str, status: tuple[str, str], encounter: str | None) -> str:
        return self.coded(label, ("72166-2", "Tobacco smoking status"), when, status, encounter,
                          category="social-history")

    def allergy(self, label: str, code: dict[str, Any], category: str, criticality: str,
                manifestations: list[tuple[str, str]], severity: str, onset: str, recorded: str,
                who: str, kind: str = "allergy", description: str | None = None,
                substance: dict[str, Any] | None = None, note: str | None = None) -> str:
        reaction: dict[str, Any] = {
            "manifestation": [cc(SNOMED, c, d) for c, d in manifestations],
            "severity": severity,
            "onset": onset,
        }
        if substance:
            reaction["substance"] = substance
        if description:
            reaction["description"] = description
        if category == "medication":
            reaction["exposureRoute"] = ORAL
        body: dict[str, Any] = {
            "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active", "display": "Active"}]},
            "verificationStatus": {"coding": [{"system": ALLERGY_VERIFY, "code": "confirmed",
                                               "display": "Confirmed"}]},
            "type": kind,
            "category": [category],
            "criticality": criticality,
            "code": code,
            "patient": self.subject(),
            "onsetDateTime": onset,
            "recordedDate": recorded,
            "recorder": self.who(who),
            "reaction": [reaction],
        }
        if note:
            body["note"] = [{"text": note}]
        return self.add("AllergyIntolerance", label, body)

    def procedure(self, label: str, snomed: tuple[str, str], start: str, end: str,
                  encounter: str | None, reasons: list[str] | None = None, who: str | None = None) -> str:
        body: dict[str, Any] = {
            "status": "completed",
            "code": cc(SNOMED, snomed[0], snomed[1]),
            "subject": self.subject(),
            "performedPeriod": {"start": ts(start), "end": ts(end)},
        }
        if encounter:
            body["encounter"] = {"reference": encounter}
        if reasons:
            body["reasonReference"] = self.reasons(reasons)
        if who:
            body["performer"] = [{"actor": self.who(who)}]
        return self.add("Procedure", label, body)

    def immunization(self, label: str, cvx: tuple[str, str], when: str, lot: str) -> str:
        return self.add("Immunization", label, {
            "status": "completed",
            "vaccineCode": cc(CVX, cvx[0], cvx[1]),
            "patient": self.subject(),
            "occurrenceDateTime": ts(when),
            "primarySource": True,
            "lotNumber": lot,
        })

    def note(self, label: str, loinc: tuple[str, str], title: str, when: str, who: str,
             encounter: str | None, text: str) -> str:
        data = base64.b64encode(text.strip().encode("utf-8") + b"\n").decode("ascii")
        body: dict[str, Any] = {
            "status": "current",
            "docStatus": "final",
            "type": cc(LOINC, loinc[0], loinc[1]),
            "category": [{"coding": [{"system": DOC_CATEGORY, "code": "clinical-note",
                                      "display": "Clinical Note"}]}],
            "subject": self.subject(),
            "date": ts(when),
            "author": [self.who(who)],
            "description": title,
            "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "language": "en",
                                        "data": data, "title": title, "creation": ts(when)}}],
        }
        context: dict[str, Any] = {"period": {"start": ts(when)}}
        if encounter:
            context["encounter"] = [{"reference": encounter}]
        body["context"] = context
        return self.add("DocumentReference", label, body)

    # --- output ------------------------------------------------------------------------------
    def bundle(self) -> dict[str, Any]:
        context: list[dict[str, Any]] = []
        for key in self.used_orgs:
            rid = str(uuid.uuid5(NAMESPACE, "organization/" + key))
            context.append({"fullUrl": f"urn:uuid:{rid}", "resource": {
                "resourceType": "Organization", "id": rid, "meta": {"tag": [DEMO_TAG]},
                "identifier": [{"system": f"{DEMO_BASE}/organization", "value": key}],
                "active": True, "name": ORGANIZATIONS[key],
                "address": [{"line": ["1 Example Way"], "city": "Demoville", "country": "ZZ"}]},
                "request": {"method": "POST", "url": "Organization"}})
        for key in self.used_practitioners:
            given, family, prefix, sex = PRACTITIONERS[key]
            rid = str(uuid.uuid5(NAMESPACE, "practitioner/" + key))
            name: dict[str, Any] = {"family": family, "given": [given]}
            if prefix:
                name["prefix"] = [prefix]
            context.append({"fullUrl": f"urn:uuid:{rid}", "resource": {
                "resourceType": "Practitioner", "id": rid, "meta": {"tag": [DEMO_TAG]},
                "identifier": [{"system": f"{DEMO_BASE}/practitioner", "value": key}],
                "active": True, "name": [name], "gender": sex},
                "request": {"method": "POST", "url": "Practitioner"}})
        patient, rest = self.entries[0], self.entries[1:]
        return {"resourceType": "Bundle", "type": "transaction", "meta": {"tag": [DEMO_TAG, ANCHOR_TAG]},
                "entry": [patient, *context, *rest]}


# --- the five patients ---------------------------------------------------------------------------
FLU = ("140", "Influenza, seasonal, injectable, preservative free")
PPSV23 = ("33", "pneumococcal polysaccharide vaccine, 23 valent")
PCV13 = ("133", "Pneumococcal conjugate PCV 13")
ZOSTER = ("187", "zoster vaccine recombinant")
TDAP = ("115", "Tdap")
COVID = ("213", "SARS-COV-2 (COVID-19) vaccine, UNSPECIFIED FORMULATION")
HPV = ("62", "HPV, quadrivalent")

HBA1C = ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood")
POTASSIUM = ("2823-3", "Potassium [Moles/volume] in Serum or Plasma")
SODIUM = ("2951-2", "Sodium [Moles/volume] in Serum or Plasma")
BUN = ("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma")
GLUCOSE = ("2345-7", "Glucose [Mass/volume] in Serum or Plasma")
UACR = ("9318-7", "Albumin/Creatinine [Mass Ratio] in Urine")
LDL = ("13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation")
INR = ("6301-6", "INR in Platelet poor plasma by Coagulation assay")
HGB = ("718-7", "Hemoglobin [Mass/volume] in Blood")
PLT = ("777-3", "Platelets [#/volume] in Blood by Automated count")
WBC = ("6690-2", "Leukocytes [#/volume] in Blood by Automated count")
CRP = ("1988-5", "C reactive protein [Mass/volume] in Serum or Plasma")
LACTATE = ("2524-7", "Lactate [Moles/volume] in Serum or Plasma")
NTPROBNP = ("33762-6", "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma")
LVEF = ("10230-1", "Left ventricular Ejection fraction")
TSH = ("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma")
FEV1_FVC = ("19926-5", "FEV1/FVC")

HTN = (("59621000", "Essential hypertension (disorder)"), ("I10", "Essential (primary) hypertension"))
CKD3 = (("433144002", "Chronic kidney disease stage 3 (disorder)"),
        ("N18.30", "Chronic kidney disease, stage 3 unspecified"))
PROGRESS = ("11506-3", "Progress note")
HP = ("34117-2", "History and physical note")
ED_NOTE = ("34111-5", "Emergency department Note")
NURSE = ("34746-8", "Nurse Note")


def patient_a() -> Chart:
    """Type 2 diabetes with CKD stage 3: HbA1c rising, eGFR falling, on metformin, lisinopril, empagliflozin."""
    c = Chart("a-diabetes-ckd")
    c.patient(["Arthur"], "Sampleton", "male", "1959-03-14", "DEMO-100001", "555-0101",
              {"line": ["14 Sample Street"], "city": "Demoville", "postalCode": "DE1 0AA", "country": "ZZ"},
              ("M", "Married"), ("en-GB", "English (United Kingdom)"))
    e1 = c.encounter("2025-07", "2025-07-14 09:00", "2025-07-14 09:30", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Diabetes and kidney review", "exemplar", "clinic")
    e2 = c.encounter("2026-01", "2026-01-19 10:10", "2026-01-19 10:40", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Diabetes and kidney review", "exemplar", "clinic")
    e3 = c.encounter("2026-10", "2026-10-27 09:20", "2026-10-27 09:55", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Diabetes and kidney review", "exemplar", "clinic")
    e4 = c.encounter("2026-11-call", "2026-11-10 14:00", "2026-11-10 14:15", "VR", "185317003",
                     "Telephone encounter (procedure)", "Diabetes nurse follow-up call", "mockup", "clinic")
    dm = c.condition("t2dm", ("44054006", "Diabetes mellitus type 2 (disorder)"),
                     ("E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease"), "2014-05-06",
                     text="Type 2 diabetes mellitus")
    ckd = c.condition("ckd3", *CKD3, "2023-02-13", text="Chronic kidney disease stage 3")
    htn = c.condition("htn", *HTN, "2011-09-02", text="Essential hypertension")
    lipid = c.condition("lipid", ("55822004", "Hyperlipidemia (disorder)"), ("E78.5", "Hyperlipidemia, unspecified"),
                        "2016-03-21", text="Hyperlipidaemia")
    c.condition("neuropathy", ("368581000119106", "Neuropathy due to type 2 diabetes mellitus (disorder)"),
                ("E11.40", "Type 2 diabetes mellitus with diabetic neuropathy, unspecified"), "2024-06-11",
                text="Peripheral neuropathy due to type 2 diabetes")
    c.condition("obesity", ("162864005", "Body mass index 30+ - obesity (finding)"),
                ("E66.9", "Obesity, unspecified"), "2014-05-06", text="Obesity (BMI 30+)")

    c.med("metformin", ("860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet"),
          "Metformin 500 mg modified-release tablet", "2019-03-04", "exemplar",
          "Take 2 tablets (1,000 mg) by mouth once daily with the evening meal. "
          "Maximum 1,000 mg a day while eGFR is 30-44.",
          QD, (1000, "mg"), ORAL, [dm], when=["CV"], quantity=(60, "tablet", "{tbl}"), supply_days=30,
          repeats=11)
    c.med("lisinopril", ("314076", "lisinopril 10 MG Oral Tablet"), "Lisinopril 10 mg tablet", "2012-01-09",
          "exemplar", "Take 1 tablet (10 mg) by mouth once daily.", QD, (10, "mg"), ORAL, [htn, ckd],
          quantity=(28, "tablet", "{tbl}"), supply_days=28, repeats=11)
    c.med("empagliflozin", ("1545653", "empagliflozin 10 MG Oral Tablet"), "Empagliflozin 10 mg tablet",
          "2026-01-19", "exemplar", "Take 1 tablet (10 mg) by mouth once daily in the morning.", QD,
          (10, "mg"), ORAL, [dm, ckd], encounter=e2, when=["MORN"], quantity=(28, "tablet", "{tbl}"),
          supply_days=28, repeats=11)
    c.med("simvastatin", ("312961", "simvastatin 20 MG Oral Tablet"), "Simvastatin 20 mg tablet",
          "2016-03-21", "exemplar", "Take 1 tablet (20 mg) by mouth at night.", QD, (20, "mg"), ORAL, [lipid],
          when=["HS"], quantity=(28, "tablet", "{tbl}"), supply_days=28, repeats=11)

    labs = [  # date, encounter, HbA1c %, creatinine mg/dL, K, Na, UACR mg/g, glucose mg/dL
        ("2025-07-14 08:40", e1, 7.4, 1.38, 4.6, 139, 42, 142),
        ("2026-01-19 08:55", e2, 8.1, 1.55, 4.8, 138, 76, 171),
        ("2026-10-27 08:35", e3, 8.9, 1.79, 5.0, 137, 118, 196),
    ]
    for when, enc, a1c, creat, k, na, uacr, glu in labs:
        day = when[:10]
        c.measure(f"{day}-hba1c", HBA1C, when, a1c, "%", low=4.0, high=5.6, encounter=enc)
        c.creatinine(day, when, creat, enc)
        c.measure(f"{day}-k", POTASSIUM, when, k, "mmol/L", low=3.5, high=5.1, encounter=enc)
        c.measure(f"{day}-na", SODIUM, when, na, "mmol/L", low=136, high=145, encounter=enc)
        c.measure(f"{day}-uacr", UACR, when, uacr, "mg/g", "mg/g{creat}", high=30, encounter=enc,
                  range_text="<30 mg/g")
        c.measure(f"{day}-glucose", GLUCOSE, when, glu, "mg/dL", low=70, high=99, encounter=enc,
                  range_text="70-99 mg/dL (fasting)")
    c.measure("2025-07-14-ldl", LDL, "2025-07-14 08:40", 88, "mg/dL", high=100, encounter=e1)
    c.measure("2026-10-27-ldl", LDL, "2026-10-27 08:35", 94, "mg/dL", high=100, encounter=e3)
    c.vitals("2025-07-14", "2025-07-14 09:05", e1, sbp=142, dbp=86, hr=78, weight=96.4, height=178)
    c.vitals("2026-01-19", "2026-01-19 10:15", e2, sbp=138, dbp=84, hr=80, weight=97.2)
    c.vitals("2026-10-27", "2026-10-27 09:25", e3, sbp=148, dbp=88, hr=82, weight=98.1, height=178)
    c.smoking("smoking", "2026-10-27 09:25", ("266919005", "Never smoked tobacco (finding)"), e3)

    c.procedure("ecg-2025", ("29303009", "Electrocardiographic procedure"), "2025-07-14 09:15",
                "2025-07-14 09:25", e1, [htn])
    c.procedure("foot-2026", ("401191002", "Diabetic foot examination (regime/therapy)"), "2026-10-27 09:35",
                "2026-10-27 09:45", e3, [dm], "exemplar")
    c.procedure("medrec-2026", ("430193006", "Medication reconciliation (procedure)"), "2026-10-27 09:45",
                "2026-10-27 09:50", e3)
    c.immunization("flu-2025", FLU, "2025-10-06 11:00", "DEMO-FLU-25A")
    c.immunization("flu-2026", FLU, "2026-10-05 11:20", "DEMO-FLU-26C")
    c.immunization("ppsv23", PPSV23, "2024-11-12 10:00", "DEMO-PPV-24")
    c.immunization("zoster", ZOSTER, "2025-02-17 10:30", "DEMO-RZV-25")

    c.note("note-2026-01", PROGRESS, "Diabetes and CKD review", "2026-01-19 10:40", "exemplar", e2, """
DIABETES AND KIDNEY REVIEW - DEMO PATIENT (fictional)

S: 66-year-old man with type 2 diabetes (diagnosed 12 years ago), hypertension and CKD stage 3. Feels well. No
hypoglycaemia. Admits diet has slipped over the last few weeks. Tingling in both feet unchanged.

O: BP 138/84, HR 80, weight 97.2 kg (96.4 kg six months ago).
Bloods today: HbA1c 8.1 % (7.4 % six months ago). Creatinine 1.55 mg/dL, eGFR 49 (was 56).
K 4.8. Urine albumin:creatinine ratio 76 mg/g (A2), up from 42.

A: Glycaemic control worsening; CKD G3a A2 with falling eGFR and rising albuminuria.

P:
- Start empagliflozin 10 mg once daily (glycaemic benefit plus renal and cardiac protection).
  Sick-day rules explained: pause empagliflozin and metformin if vomiting or not eating/drinking.
- Continue metformin MR 1,000 mg with evening meal; do not increase while eGFR < 45.
- Continue lisinopril 10 mg, simvastatin 20 mg.
- Dietitian referral. Repeat HbA1c, U&E and urine ACR in 3-6 months.
""")
    c.note("note-2026-10", PROGRESS, "Diabetes and CKD review", "2026-10-27 09:55", "exemplar", e3, """
DIABETES AND KIDNEY REVIEW - DEMO PATIENT (fictional)

S: Taking empagliflozin for nine months; a few episodes of genital itch, settled with advice. Missed the
dietitian appointment. Reports "forgetting the evening tablets two or three nights a week".

O: BP 148/88 (target < 130/80). Weight 98.1 kg. BMI 31.0.
HbA1c 8.9 % - third consecutive rise (7.4 -> 8.1 -> 8.9 % over 15 months).
Creatinine 1.79 mg/dL, eGFR 41 (CKD G3b). K 5.0. Urine ACR 118 mg/g. Fasting glucose 196 mg/dL.
Foot examination: reduced 10 g monofilament sensation both forefeet; pulses palpable; no ulcers.

A: 1. Type 2 diabetes, poorly controlled and worsening despite SGLT2 inhibitor; adherence is part of it.
   2. CKD progressing (eGFR 56 -> 49 -> 41), albuminuria increasing.
   3. Hypertension above target.

P:
- Metformin: keep at 1,000 mg/day (eGFR 30-44); stop if eGFR < 30. Pill organiser provided.
- Discuss adding a GLP-1 receptor agonist at next visit (weight and glycaemic benefit).
- Consider increasing lisinopril to 20 mg once potassium rechecked; K 5.0 today.
- Retinal screening due - referral sent. Annual foot check done (moderate risk: neuropathy).
- Repeat U&E and HbA1c in 3 months; nurse phone follow-up in 2 weeks with home glucose readings.
""")
    c.note("note-2026-11-call", NURSE, "Diabetes nurse telephone follow-up", "2026-11-10 14:15", "mockup", e4, """
TELEPHONE FOLLOW-UP - DEMO PATIENT (fictional)

Spoke with Mr Sampleton (identity checked: name and date of birth).
Home fasting glucose readings over the last 10 days: 168-214 mg/dL, no readings below 70.
Using the pill organiser; has missed one evening metformin dose this week.
Asked about the eye screening letter - not yet received; re-sent referral.
Reminded about sick-day rules for empagliflozin and metformin.
Plan: GP review in two months with bloods (HbA1c, U&E, ACR) one week before. Patient agrees.
""")
    return c


def patient_b() -> Chart:
    """Atrial fibrillation on warfarin with ibuprofen co-prescribed; INR 3.8; age 78; prior TIA."""
    c = Chart("b-af-warfarin")
    c.patient(["Beatrice", "May"], "Dummyworth", "female", "1948-06-02", "DEMO-100002", "555-0102",
              {"line": ["3 Placeholder Close"], "city": "Demoville", "postalCode": "DE2 0BB", "country": "ZZ"},
              ("W", "Widowed"), ("en-GB", "English (United Kingdom)"))
    e0 = c.encounter("2021-tia", "2021-03-08 14:10", "2021-03-08 22:40", "EMER", "50849002",
                     "Emergency room admission (procedure)", "Transient left arm weakness and slurred speech",
                     "prototype", "hospital")
    e1 = c.encounter("2026-06", "2026-06-10 09:30", "2026-06-10 09:50", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Anticoagulation clinic", "mockup", "clinic")
    e2 = c.encounter("2026-08", "2026-08-05 09:30", "2026-08-05 09:45", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Anticoagulation clinic", "mockup", "clinic")
    e3 = c.encounter("2026-09", "2026-09-16 09:40", "2026-09-16 09:55", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Anticoagulation clinic", "mockup", "clinic")
    e4 = c.encounter("2026-10-knee", "2026-10-20 16:05", "2026-10-20 16:25", "AMB", "185345009",
                     "Encounter for symptom (procedure)", "Right knee pain", "illustration", "urgent")
    e5 = c.encounter("2026-11", "2026-11-12 09:30", "2026-11-12 10:00", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Anticoagulation clinic", "mockup", "clinic")
    af = c.condition("af", ("49436004", "Atrial fibrillation (disorder)"),
                     ("I48.91", "Unspecified atrial fibrillation"), "2019-09-23", text="Atrial fibrillation")
    htn = c.condition("htn", *HTN, "2005-04-18", text="Essential hypertension")
    c.condition("tia", ("266257000", "Transient ischemic attack (disorder)"),
                ("G45.9", "Transient cerebral ischemic attack, unspecified"), "2021-03-08", encounter=e0,
                status="resolved", abatement="2021-03-08", category="encounter-diagnosis",
                text="Transient ischaemic attack")
    oa = c.condition("oa-knee", ("239873007", "Osteoarthritis of knee (disorder)"),
                     ("M17.9", "Osteoarthritis of knee, unspecified"), "2017-11-06",
                     text="Osteoarthritis of knee")

    c.med("warfarin", ("855332", "warfarin sodium 5 MG Oral Tablet"), "Warfarin 5 mg tablet", "2019-10-01",
          "exemplar", "Take as directed by the anticoagulation clinic; currently 1 tablet (5 mg) by mouth "
          "once daily in the evening. Target INR 2.0-3.0.", QD, (5, "mg"), ORAL, [af], when=["EVE"],
          quantity=(28, "tablet", "{tbl}"), supply_days=28, repeats=11)
    c.med("digoxin", ("197604", "digoxin 0.125 MG Oral Tablet"), "Digoxin 125 microgram tablet", "2019-10-01",
          "exemplar", "Take 1 tablet (125 micrograms) by mouth once daily.", QD, (0.125, "mg"), ORAL, [af],
          quantity=(28, "tablet", "{tbl}"), supply_days=28, repeats=11)
    c.med("amlodipine", ("197361", "amlodipine 5 MG Oral Tablet"), "Amlodipine 5 mg tablet", "2015-02-09",
          "exemplar", "Take 1 tablet (5 mg) by mouth once daily.", QD, (5, "mg"), ORAL, [htn],
          quantity=(28, "tablet", "{tbl}"), supply_days=28, repeats=11)
    c.med("paracetamol", ("313782", "acetaminophen 325 MG Oral Tablet"), "Paracetamol (acetaminophen) 325 mg tablet",
          "2018-01-15", "exemplar", "Take 2 tablets (650 mg) by mouth up to four times daily as needed for "
          "knee pain.", QID, (650, "mg"), ORAL, [oa], status="stopped", prn=True)
    c.med("ibuprofen", ("310965", "ibuprofen 200 MG Oral Tablet"), "Ibuprofen 200 mg tablet", "2026-10-20",
          "illustration", "Take 2 tablets (400 mg) by mouth three times daily with food for knee pain.", TID,
          (400, "mg"), ORAL, [oa], encounter=e4, until="2026-12-20", quantity=(84, "tablet", "{tbl}"),
          supply_days=14, repeats=2)

    inrs = [("2026-06-10 09:10", e1, 2.4), ("2026-08-05 09:05", e2, 2.7), ("2026-09-16 09:15", e3, 2.2),
            ("2026-11-12 09:05", e5, 3.8)]
    for when, enc, value in inrs:
        c.measure(f"{when[:10]}-inr", INR, when, value, "INR", "{INR}", low=2.0, high=3.0, encounter=enc,
                  range_text="2.0-3.0 (therapeutic range, atrial fibrillation)")
    c.measure("2021-03-08-inr", INR, "2021-03-08 14:40", 1.6, "INR", "{INR}", low=2.0, high=3.0, encounter=e0,
              range_text="2.0-3.0 (therapeutic range, atrial fibrillation)")
    for when, enc, hb, plt, creat in [("2026-06-10 09:10", e1, 12.6, 232, 0.98),
                                      ("2026-11-12 09:05", e5, 11.2, 205, 1.08)]:
        day = when[:10]
        c.measure(f"{day}-hb", HGB, when, hb, "g/dL", low=12.0, high=15.5, encounter=enc)
        c.measure(f"{day}-plt", PLT, when, plt, "10*3/uL", low=150, high=400, encounter=enc)
        c.creatinine(day, when, creat, enc)
    c.vitals("2026-06-10", "2026-06-10 09:35", e1, sbp=144, dbp=82, hr=76, weight=64.8, height=160)
    c.vitals("2026-10-20", "2026-10-20 16:10", e4, sbp=158, dbp=90, hr=84)
    c.vitals("2026-11-12", "2026-11-12 09:35", e5, sbp=152, dbp=88, hr=92, weight=64.1)
    c.smoking("smoking", "2026-06-10 09:35", ("266919005", "Never smoked tobacco (finding)"), e1)

    c.procedure("tte-2019", ("433236007", "Transthoracic echocardiography (procedure)"), "2019-10-01 11:00",
                "2019-10-01 11:40", None, [af])
    c.procedure("ecg-2026", ("29303009", "Electrocardiographic procedure"), "2026-06-10 09:40",
                "2026-06-10 09:45", e1, [af])
    c.allergy("codeine", cc(SNOMED, "387494007", "Codeine (substance)", "Codeine",
                            extra=[(RXNORM, "2670", "codeine")]), "medication", "low",
              [("422587007", "Nausea (finding)"), ("422400008", "Vomiting (disorder)")], "moderate",
              "2016-04-02", "2016-04-05", "exemplar", kind="intolerance",
              description="Severe nausea and vomiting after codeine 30 mg for back pain.")
    c.immunization("flu-2026", FLU, "2026-10-01 10:15", "DEMO-FLU-26A")
    c.immunization("tdap", TDAP, "2020-05-11 11:00", "DEMO-TDAP-20")
    c.immunization("ppsv23", PPSV23, "2019-04-02 10:00", "DEMO-PPV-19")
    c.immunization("zoster", ZOSTER, "2022-03-14 10:30", "DEMO-RZV-22")

    c.note("note-2021-tia", HP, "Emergency department history and physical: TIA", "2021-03-08 22:30",
           "prototype", e0, """
EMERGENCY DEPARTMENT H&P - DEMO PATIENT (fictional)

PC: Sudden weakness of the left arm and slurred speech at 13:15, fully resolved by 13:55.
HPI: 72-year-old woman with atrial fibrillation (diagnosed 18 months ago) on warfarin and hypertension. INR
checks have been irregular after a recent house move. No headache, no trauma.
Exam on arrival: GCS 15, speech normal, no focal neurological deficit. Irregularly irregular pulse 88.
BP 168/94.
Investigations: INR 1.6 (sub-therapeutic). CT head: no haemorrhage, no established infarct.
ECG: atrial fibrillation, rate 86.

Impression: Transient ischaemic attack, cardioembolic in the setting of sub-therapeutic anticoagulation.
CHA2DS2-VASc now 5 (age 65-74, female, hypertension, prior TIA).

Plan: continue warfarin with closer INR monitoring (anticoagulation clinic within 1 week, target
2.0-3.0); discussed a DOAC - patient prefers to stay on warfarin. Blood pressure follow-up with GP.
Stroke/TIA clinic review arranged. Discharged home with daughter.
""")
    c.note("note-2026-10-knee", PROGRESS, "Urgent care visit: right knee pain", "2026-10-20 16:25",
           "illustration", e4, """
URGENT CARE NOTE - DEMO PATIENT (fictional)

PC: Right knee pain and swelling for 5 days after gardening. Known osteoarthritis of both knees.
Paracetamol "not touching it".
Meds (patient report): "heart tablets and a blood pressure pill" - list not available at this visit.
Exam: small effusion right knee, crepitus, no warmth or erythema, full weight bearing. T 36.9 C.
BP 158/90.
Assessment: flare of knee osteoarthritis. No features of septic joint.
Plan: ibuprofen 400 mg three times daily with food for 2 weeks, ice, activity modification.
Return if hot swollen joint or fever. GP follow-up if not settling.
""")
    c.note("note-2026-11", PROGRESS, "Anticoagulation clinic review", "2026-11-12 10:00", "mockup", e5, """
ANTICOAGULATION CLINIC - DEMO PATIENT (fictional)

INR today 3.8 (target 2.0-3.0). Previous INRs: 2.4 (5 months ago), 2.7 (3 months ago),
2.2 (8 weeks ago).
Warfarin dose: 5 mg every evening, unchanged. No missed or extra doses. No new antibiotics.
NEW: taking ibuprofen 400 mg three times a day for 3 weeks, prescribed at urgent care for knee pain
- the urgent care clinician was not aware she takes warfarin.
Bleeding: bruises on both forearms for 1 week; gums bleed when brushing. No black stools, no blood in
urine, no headache.
Hb 11.2 g/dL (12.6 five months ago). BP 152/88, pulse 92 irregular.

Assessment: supratherapeutic INR with NSAID co-prescription (bleeding risk: warfarin + NSAID, age 78,
prior TIA); fall in haemoglobin of 1.4 g/dL.

Plan:
- Omit warfarin tonight, then 4 mg daily (reduced weekly dose); repeat INR in 12 days.
- Advised to STOP ibuprofen; use paracetamol regularly instead. Message sent to GP to discontinue the
  ibuprofen prescription - it still shows as active on the record pending GP review.
- Seek urgent care for black stools, vomiting blood, severe headache or any fall.
- Repeat FBC with next INR.
""")
    return c


def patient_c() -> Chart:
    """HFrEF with potassium 6.1 on spironolactone + lisinopril (+ furosemide, carvedilol); creatinine rising."""
    c = Chart("c-hfref-hyperkalaemia")
    c.patient(["Cornelius"], "Mockwell", "male", "1954-09-21", "DEMO-100003", "555-0103",
              {"line": ["27 Specimen Avenue"], "city": "Demoville", "postalCode": "DE3 0CC", "country": "ZZ"},
              ("M", "Married"), ("en-GB", "English (United Kingdom)"))
    e0 = c.encounter("2018-mi", "2018-02-11 03:20", "2018-02-14 12:00", "IMP", "32485007",
                     "Hospital admission (procedure)", "Chest pain: non-ST-elevation myocardial infarction",
                     "specimen", "hospital")
    e1 = c.encounter("2026-06", "2026-06-02 10:00", "2026-06-02 10:40", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Heart failure clinic", "specimen", "hospital")
    e2 = c.encounter("2026-08", "2026-08-04 10:00", "2026-08-04 10:30", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Heart failure clinic", "specimen", "hospital")
    e3 = c.encounter("2026-09", "2026-09-15 10:15", "2026-09-15 10:40", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Heart failure clinic", "placeholder", "hospital")
    e4 = c.encounter("2026-11", "2026-11-18 10:00", "2026-11-18 10:45", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Heart failure clinic", "specimen", "hospital")
    e5 = c.encounter("2026-11-call", "2026-11-19 08:30", "2026-11-19 08:50", "VR", "185317003",
                     "Telephone encounter (procedure)", "Abnormal potassium result", "placeholder", "hospital")
    hf = c.condition("hfref", ("703272007", "Heart failure with reduced ejection fraction (disorder)"),
                     ("I50.22", "Chronic systolic (congestive) heart failure"), "2022-04-19",
                     text="Heart failure with reduced ejection fraction (HFrEF)")
    cad = c.condition("cad", ("53741008", "Coronary arteriosclerosis (disorder)"),
                      ("I25.10", "Atherosclerotic heart disease of native coronary artery without angina pectoris"),
                      "2018-02-11", encounter=e0, text="Coronary artery disease")
    c.condition("old-mi", ("399211009", "History of myocardial infarction (situation)"),
                ("I25.2", "Old myocardial infarction"), "2018-02-11", encounter=e0,
                text="Previous myocardial infarction (NSTEMI)")
    htn = c.condition("htn", *HTN, "2009-06-30", text="Essential hypertension")
    c.condition("ckd3", *CKD3, "2024-05-07", text="Chronic kidney disease stage 3")
    c.condition("hyperkalaemia", ("14140009", "Hyperkalemia (disorder)"), ("E87.5", "Hyperkalemia"),
                "2026-11-18", encounter=e4, category="encounter-diagnosis", recorded="2026-11-19",
                text="Hyperkalaemia")

    c.med("lisinopril", ("314077", "lisinopril 20 MG Oral Tablet"), "Lisinopril 20 mg tablet", "2022-05-03",
          "specimen", "Take 1 tablet (20 mg) by mouth once daily.", QD, (20, "mg"), ORAL, [hf, htn],
          quantity=(28, "tablet", "{tbl}"), supply_days=28, repeats=11)
    c.med("spironolactone", ("313096", "spironolactone 25 MG Oral Tablet"), "Spironolactone 25 mg tablet",
          "2026-08-04", "specimen", "Take 1 tablet (25 mg) by mouth once daily in the morning.", QD, (25, "mg"),
          ORAL, [hf], encounter=e2, when=["MORN"], quantity=(28, "tablet", "{tbl}"), supply_days=28,
          repeats=5)
    c.med("furosemide", ("313988", "furosemide 40 MG Oral Tablet"), "Furosemide 40 mg tablet", "2022-04-22",
          "specimen", "Take 1 tablet (40 mg) by mouth once daily in the morning.", QD, (40, "mg"), ORAL, [hf],
          when=["MORN"], quantity=(28, "tablet", "{tbl}"), supply_days=28, repeats=11)
    c.med("carvedilol", ("200032", "carvedilol 12.5 MG Oral Tablet"), "Carvedilol 12.5 mg tablet",
          "2022-06-14", "specimen", "Take 1 tablet (12.5 mg) by mouth twice daily with food.", BID,
          (12.5, "mg"), ORAL, [hf], quantity=(56, "tablet", "{tbl}"), supply_days=28, repeats=11)
    c.med("aspirin", ("243670", "aspirin 81 MG Oral Tablet"), "Aspirin 81 mg tablet", "2018-02-14",
          "specimen", "Take 1 tablet (81 mg) by mouth once daily.", QD, (81, "mg"), ORAL, [cad], encounter=e0)
    c.med("atorvastatin", ("259255", "atorvastatin 80 MG Oral Tablet"), "Atorvastatin 80 mg tablet",
          "2018-02-14", "specimen", "Take 1 tablet (80 mg) by mouth at night.", QD, (80, "mg"), ORAL, [cad],
          encounter=e0, when=["HS"])

    panels = [  # date, encounter, K, creatinine, Na, BUN, NT-proBNP (None: not sent)
        ("2026-06-02 09:30", e1, 4.6, 1.32, 138, 24, 1650),
        ("2026-08-04 09:35", e2, 4.8, 1.38, 137, 26, None),
        ("2026-09-15 09:45", e3, 5.3, 1.58, 136, 31, 1850),
        ("2026-11-18 09:40", e4, 6.1, 1.94, 133, 44, 2400),
    ]
    for when, enc, k, creat, na, bun, bnp in panels:
        day = when[:10]
        c.measure(f"{day}-k", POTASSIUM, when, k, "mmol/L", low=3.5, high=5.1, encounter=enc)
        c.creatinine(day, when, creat, enc)
        c.measure(f"{day}-na", SODIUM, when, na, "mmol/L", low=136, high=145, encounter=enc)
        c.measure(f"{day}-bun", BUN, when, bun, "mg/dL", low=7, high=20, encounter=enc)
        if bnp is not None:
            c.measure(f"{day}-ntprobnp", NTPROBNP, when, bnp, "pg/mL", high=125, encounter=enc,
                      range_text="<125 pg/mL (non-acute setting)")
    c.measure("2026-06-02-lvef", LVEF, "2026-06-02 10:30", 30, "%", low=52, high=72, encounter=e1,
              category="imaging")
    c.vitals("2026-06-02", "2026-06-02 10:05", e1, sbp=118, dbp=70, hr=72, spo2=96, weight=86.4, height=175)
    c.vitals("2026-08-04", "2026-08-04 10:05", e2, sbp=116, dbp=68, hr=68, weight=86.9)
    c.vitals("2026-09-15", "2026-09-15 10:20", e3, sbp=110, dbp=66, hr=64, weight=87.0)
    c.vitals("2026-11-18", "2026-11-18 10:05", e4, sbp=104, dbp=62, hr=58, spo2=95, weight=88.6)
    c.smoking("smoking", "2026-06-02 10:05", ("8517006", "Ex-smoker (finding)"), e1)

    c.procedure("pci-2018", ("415070008", "Percutaneous coronary intervention (procedure)"), "2018-02-12 11:00",
                "2018-02-12 12:10", e0, [cad], "specimen")
    c.procedure("tte-2026", ("433236007", "Transthoracic echocardiography (procedure)"), "2026-06-02 10:20",
                "2026-06-02 10:35", e1, [hf])
    c.procedure("ecg-2026-11", ("29303009", "Electrocardiographic procedure"), "2026-11-18 10:25",
                "2026-11-18 10:30", e4, [hf])
    c.allergy("latex", cc(SNOMED, "111088007", "Latex (substance)", "Latex"), "environment", "low",
              [("40275004", "Contact dermatitis (disorder)")], "mild", "2010-07-01", "2018-02-11", "specimen",
              description="Itchy rash where latex gloves touched the skin.")
    c.immunization("flu-2026", FLU, "2026-09-15 10:45", "DEMO-FLU-26B")
    c.immunization("ppsv23", PPSV23, "2020-01-10 10:00", "DEMO-PPV-20")
    c.immunization("covid-2025", COVID, "2025-10-20 09:30", "DEMO-COV-25")

    c.note("note-2026-08", PROGRESS, "Heart failure clinic review", "2026-08-04 10:30", "specimen", e2, """
HEART FAILURE CLINIC - DEMO PATIENT (fictional)

71-year-old man, HFrEF (LVEF 30 % on echo 2 months ago), ischaemic (NSTEMI + PCI 8 years ago).
NYHA class III: breathless after one flight of stairs, two pillows at night. No chest pain.
Weight 86.9 kg (dry weight about 86 kg). BP 116/68, HR 68 regular. Mild ankle oedema.
Bloods: K 4.8, creatinine 1.38 mg/dL (eGFR 55), Na 137.

Current: lisinopril 20 mg, carvedilol 12.5 mg twice daily, furosemide 40 mg, aspirin, atorvastatin.

Plan:
- Add spironolactone 25 mg once daily (mineralocorticoid receptor antagonist).
- U&E at 1 week and 4 weeks after starting, then monthly for 3 months (risk of hyperkalaemia
  with ACE inhibitor + MRA and CKD). Stop if K > 5.5.
- Avoid potassium supplements and salt substitutes; avoid NSAIDs.
- Consider switching lisinopril to sacubitril/valsartan and adding an SGLT2 inhibitor at next review.
""")
    c.note("note-2026-11", PROGRESS, "Heart failure clinic review", "2026-11-18 10:45", "specimen", e4, """
HEART FAILURE CLINIC - DEMO PATIENT (fictional)

More tired for 3 weeks, legs "heavy", breathless on the flat. No syncope or chest pain.
Has been using a low-sodium "potassium salt" substitute on all meals for 2 months "to cut salt".
The 1-week blood test after starting spironolactone was not done.

Exam: weight 88.6 kg (+2 kg in 2 months), BP 104/62, HR 58 regular, SpO2 95 % on air,
JVP raised 4 cm, bibasal crackles, pitting oedema to mid-shin.
Bloods 2 months ago: K 5.3, creatinine 1.58. Bloods sent today (U&E, NT-proBNP) - results to follow.
ECG today: sinus bradycardia 58/min, tall peaked T waves V2-V4 (new compared with 5 months ago).

Assessment: worsening congestion; rising creatinine over 5 months (1.32 -> 1.38 -> 1.58 mg/dL);
possible hyperkalaemia - ECG changes.

Plan: stop the potassium salt substitute now. Chase today's potassium this afternoon and act on it.
Review diuretic dose once U&E back. Heart failure nurse to phone tomorrow.
""")
    c.note("note-2026-11-call", NURSE, "Telephone note: critical potassium result", "2026-11-19 08:50",
           "placeholder", e5, """
HEART FAILURE NURSE TELEPHONE NOTE - DEMO PATIENT (fictional)

Lab phoned critical result yesterday at 18:40: potassium 6.1 mmol/L (creatinine 1.94 mg/dL,
eGFR 36, Na 133, NT-proBNP 2400).
08:30 called patient twice - no answer; voicemail left asking him to call back urgently.
Called wife's mobile number on file - no answer.
Discussed with Dr Specimen: needs same-day attendance for repeat potassium and ECG; hold
spironolactone and lisinopril until reviewed. The prescriptions have NOT yet been changed on the
record; to be done at review.
Will keep trying every 30 minutes; escalate to GP home visit if not reached by 12:00.
""")
    return c


def patient_d() -> Chart:
    """COPD with an acutely abnormal latest set of vital signs (NEWS2-worthy), on tiotropium and salbutamol."""
    c = Chart("d-copd-deteriorating")
    c.patient(["Doris"], "Testington", "female", "1951-01-30", "DEMO-100004", "555-0104",
              {"line": ["Flat 2, 9 Mockup Mews"], "city": "Demoville", "postalCode": "DE4 0DD", "country": "ZZ"},
              ("W", "Widowed"), ("en-GB", "English (United Kingdom)"))
    e1 = c.encounter("2026-08", "2026-08-12 11:00", "2026-08-12 11:40", "AMB", "390906007",
                     "Follow-up encounter (procedure)", "Annual COPD review", "exemplar", "clinic")
    e2 = c.encounter("2026-11-ed", "2026-11-21 20:15", None, "EMER", "50849002",
                     "Emergency room admission (procedure)",
                     "Breathlessness, fever and new confusion", "prototype", "hospital", status="in-progress")
    copd = c.condition("copd", ("13645005", "Chronic obstructive lung disease (disorder)"),
                       ("J44.9", "Chronic obstructive pulmonary disease, unspecified"), "2016-02-15",
                       text="Chronic obstructive pulmonary disease (COPD)")
    c.condition("aecopd", ("195951007", "Acute exacerbation of chronic obstructive airways disease (disorder)"),
                ("J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"), "2026-11-19",
                encounter=e2, category="encounter-diagnosis", recorded="2026-11-21",
                text="Acute exacerbation of COPD")
    c.condition("pneumonia", ("233604007", "Pneumonia (disorder)"), ("J18.9", "Pneumonia, unspecified organism"),
                "2026-11-21", encounter=e2, category="encounter-diagnosis", verification="provisional",
                text="Pneumonia, right lower zone (suspected)")
    c.condition("confusion", ("130987000", "Acute confusion (finding)"), ("R41.0", "Disorientation, unspecified"),
                "2026-11-21", encounter=e2, category="encounter-diagnosis", text="New confusion")
    c.condition("osteoporosis", ("64859006", "Osteoporosis (disorder)"),
                ("M81.0", "Age-related osteoporosis without current pathological fracture"), "2019-05-20",
                text="Osteoporosis")

    c.med("tiotropium", ("69120", "tiotropium"), "Tiotropium 18 microgram inhalation powder capsule",
          "2017-03-06", "exemplar", "Inhale the contents of 1 capsule (18 micrograms) once daily using the "
          "inhaler device.", QD, (18, "ug"), INHALED, [copd], quantity=(30, "capsule", "{capsule}"),
          supply_days=30, repeats=11)
    c.med("fluticasone-salmeterol", ("896209", "60 ACTUAT fluticasone propionate 0.25 MG/ACTUAT / salmeterol "
                                    "0.05 MG/ACTUAT Dry Powder Inhaler"),
          "Fluticasone/salmeterol 250/50 microgram dry powder inhaler", "2019-11-04", "exemplar",
          "Inhale 1 dose twice daily; rinse mouth after use.", BID, (1, "inhalation", "{actuat}"), INHALED,
          [copd], quantity=(1, "inhaler", "{inhaler}"), supply_days=30, repeats=11)
    c.med("salbutamol", ("745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"),
          "Salbutamol (albuterol) 100 microgram/dose inhaler", "2016-02-15", "exemplar",
          "Inhale 2 puffs (200 micrograms) every 4 hours as needed for breathlessness, via spacer.", Q4H,
          (2, "puff", "{puff}"), INHALED, [copd], prn=True, quantity=(1, "inhaler", "{inhaler}"), repeats=11)
    c.med("alendronate", ("904419", "alendronic acid 10 MG Oral Tablet"), "Alendronic acid 10 mg tablet",
          "2019-05-20", "exemplar", "Take 1 tablet (10 mg) by mouth once daily, 30 minutes before breakfast "
          "with a full glass of water; stay upright.", QD, (10, "mg"), ORAL, when=["ACM"],
          quantity=(28, "tablet", "{tbl}"), supply_days=28, repeats=11)

    base, ed, ed_labs = "2026-08-12 11:05", "2026-11-21 20:22", "2026-11-21 21:05"
    c.vitals("2026-08-12", base, e1, sbp=132, dbp=78, hr=84, rr=18, spo2=93, temp=36.7, weight=58.2,
             height=162, fio2=21, spo2_note="Room air, at rest")
    c.vitals("2026-11-21", ed, e2, sbp=98, dbp=58, hr=112, rr=26, spo2=88, temp=38.4, fio2=21,
             spo2_note="Room air (no supplemental oxygen) at triage")
    c.measure("2026-08-12-fev1fvc", FEV1_FVC, "2026-08-12 11:30", 58, "%", low=70, encounter=e1,
              range_text=">=70 % (post-bronchodilator)")
    c.creatinine("2026-08-12", "2026-08-12 11:10", 0.86, e1)
    c.measure("2026-08-12-wbc", WBC, "2026-08-12 11:10", 8.1, "10*3/uL", low=4.0, high=11.0, encounter=e1)
    c.measure("2026-11-21-wbc", WBC, ed_labs, 15.8, "10*3/uL", low=4.0, high=11.0, encounter=e2)
    c.measure("2026-11-21-crp", CRP, ed_labs, 142, "mg/L", low=0, high=5, encounter=e2)
    c.measure("2026-11-21-lactate", LACTATE, ed_labs, 2.6, "mmol/L", low=0.5, high=2.2, encounter=e2)
    c.measure("2026-11-21-na", SODIUM, ed_labs, 133, "mmol/L", low=136, high=145, encounter=e2)
    c.measure("2026-11-21-k", POTASSIUM, ed_labs, 4.2, "mmol/L", low=3.5, high=5.1, encounter=e2)
    c.creatinine("2026-11-21", ed_labs, 1.12, e2)
    c.smoking("smoking", base, ("8517006", "Ex-smoker (finding)"), e1)

    c.procedure("pulm-rehab", ("15081005", "Pulmonary rehabilitation (regime/therapy)"), "2024-03-04 10:00",
                "2024-03-04 11:30", None, [copd])
    c.procedure("spirometry-2026", ("127783003", "Spirometry (procedure)"), "2026-08-12 11:15",
                "2026-08-12 11:30", e1, [copd])
    c.procedure("cxr-2026-11", ("399208008", "Plain chest X-ray (procedure)"), "2026-11-21 20:50",
                "2026-11-21 21:00", e2, [copd])
    c.allergy("sulfonamide", cc(SNOMED, "387406002", "Sulfonamide (substance)", "Sulfonamide antibiotics"),
              "medication", "low", [("271807003", "Eruption of skin (disorder)")], "moderate", "1998-06-01",
              "2016-02-15", "exemplar", description="Widespread itchy rash with co-trimoxazole.")
    c.immunization("flu-2026", FLU, "2026-10-14 10:00", "DEMO-FLU-26D")
    c.immunization("pcv13", PCV13, "2019-05-20 10:00", "DEMO-PCV-19")
    c.immunization("ppsv23", PPSV23, "2020-06-01 10:00", "DEMO-PPV-20")
    c.immunization("covid-2025", COVID, "2025-10-14 10:00", "DEMO-COV-25")

    c.note("note-2026-08", PROGRESS, "Annual COPD review", "2026-08-12 11:40", "exemplar", e1, """
ANNUAL COPD REVIEW - DEMO PATIENT (fictional)

75-year-old woman, COPD for 10 years, ex-smoker (stopped 11 years ago, 40 pack-years). Lives alone, independent,
fully orientated, walks to the shops with one rest. MRC dyspnoea grade 3.
One exacerbation in the last 12 months (6 months ago, treated at home with prednisolone and doxycycline).
Completed pulmonary rehabilitation 2 years ago.

Today: SpO2 93 % on air at rest, RR 18, HR 84, BP 132/78, T 36.7 C. Chest: quiet, scattered wheeze.
Spirometry: FEV1/FVC 0.58, FEV1 48 % predicted (GOLD 3).
Inhaler technique checked - good with HandiHaler and Accuhaler; uses spacer with salbutamol.

Note: arterial blood gas during an exacerbation 2.5 years ago (treated at another hospital) showed CO2 retention - in future exacerbations
aim for SpO2 88-92 % (use NEWS2 SpO2 scale 2 if confirmed by the clinician in charge).

Plan: continue tiotropium, fluticasone/salmeterol and salbutamol as needed. Rescue pack
discussed. Flu vaccine at the start of the flu season. Review in 12 months or sooner if worse.
""")
    c.note("note-2026-11-triage", NURSE, "ED triage nursing note", "2026-11-21 20:30", "mockup", e2, """
ED TRIAGE - DEMO PATIENT (fictional)

Brought in by daughter. Two days of increasing breathlessness, cough with green sputum, fever and
shivers. Daughter says she "isn't making sense" since this afternoon - new today.
Used salbutamol inhaler many times today with little relief. Did not start her rescue pack.

Obs 20:22 on room air: RR 26, SpO2 88 %, HR 112, BP 98/58, temp 38.4 C.
ACVPU: alert but disorientated to time and place - NEW CONFUSION (normally fully orientated).
Capillary glucose 142 mg/dL.

Escalated immediately to ED doctor (Dr Prototype) - seen at 20:35. Moved to resus bay.
Sepsis screen started.
""")
    c.note("note-2026-11-ed", ED_NOTE, "Emergency department physician note", "2026-11-21 21:40", "prototype",
           e2, """
ED PHYSICIAN NOTE - DEMO PATIENT (fictional)

HPI: 75-year-old woman with COPD (GOLD 3, known CO2 retainer) with 2 days of worsening breathlessness,
purulent sputum and fever; acute confusion since this afternoon.
Exam: drowsy but rousable, disorientated (AMT 5/10). RR 26, using accessory muscles. SpO2 88 % on air.
HR 112 regular. BP 98/58. T 38.4 C. Reduced air entry and bronchial breathing right base.
Bloods: WBC 15.8, CRP 142 mg/L, lactate 2.6 mmol/L, creatinine 1.12 mg/dL (baseline 0.86),
Na 133.
CXR: right lower zone consolidation; hyperinflated lungs; no pneumothorax.

Impression: infective exacerbation of COPD with right lower lobe pneumonia; sepsis with new confusion,
hypotension and raised lactate. High NEWS2 - emergency response.

Plan: controlled oxygen via 28 % Venturi, target SpO2 88-92 %; arterial blood gas now;
blood and sputum cultures; IV antibiotics per local guideline (no penicillin allergy; sulfonamide
allergy - avoid co-trimoxazole); IV fluid bolus 500 mL and reassess; nebulised salbutamol and
ipratropium; prednisolone 30 mg. Refer to medical team; consider NIV if acidotic.
""")
    return c


def patient_e() -> Chart:
    """Documented penicillin anaphylaxis, now prescribed amoxicillin for strep throat (active order)."""
    c = Chart("e-penicillin-allergy")
    c.patient(["Zoë"], "Müller-Łukasiewicz", "female", "1992-04-08", "DEMO-100005", "555-0105",
              {"line": ["Flat 3, 7 Exemplar Court"], "city": "Demoville", "postalCode": "DE5 0EE", "country": "ZZ"},
              ("S", "Never Married"), ("en-GB", "English (United Kingdom)"))
    e0 = c.encounter("2015-anaphylaxis", "2015-07-20 19:05", "2015-07-21 01:30", "EMER", "50849002",
                     "Emergency room admission (procedure)", "Anaphylaxis after first dose of amoxicillin",
                     "prototype", "hospital")
    e1 = c.encounter("2026-05", "2026-05-20 08:40", "2026-05-20 09:10", "AMB", "185349003",
                     "Encounter for check up (procedure)", "Annual review", "exemplar", "clinic")
    e2 = c.encounter("2026-11-throat", "2026-11-19 18:10", "2026-11-19 18:30", "AMB", "185345009",
                     "Encounter for symptom (procedure)", "Sore throat and fever", "illustration", "urgent")
    strep = c.condition("strep", ("43878008", "Streptococcal sore throat (disorder)"),
                        ("J02.0", "Streptococcal pharyngitis"), "2026-11-17", encounter=e2,
                        category="encounter-diagnosis", recorded="2026-11-19", text="Streptococcal sore throat")
    thyroid = c.condition("hypothyroid", ("40930008", "Hypothyroidism (disorder)"),
                          ("E03.9", "Hypothyroidism, unspecified"), "2018-09-12", text="Hypothyroidism")
    c.condition("rhinitis", ("446096008", "Perennial allergic rhinitis (disorder)"),
                ("J30.89", "Other allergic rhinitis"), "2010-04-01", text="Perennial allergic rhinitis")
    anaph = c.condition("anaphylaxis-2015", ("39579001", "Anaphylaxis (disorder)"),
                        ("T88.6XXA", "Anaphylactic reaction due to adverse effect of correct drug or medicament "
                                     "properly administered, initial encounter"),
                        "2015-07-20", encounter=e0, status="resolved", abatement="2015-07-21",
                        category="encounter-diagnosis", text="Anaphylaxis to amoxicillin")

    c.med("amoxicillin", ("308191", "amoxicillin 500 MG Oral Capsule"), "Amoxicillin 500 mg capsule",
          "2026-11-19", "illustration", "Take 1 capsule (500 mg) by mouth three times daily for 10 days.", TID,
          (500, "mg"), ORAL, [strep], encounter=e2, until="2026-11-29", quantity=(30, "capsule", "{capsule}"),
          supply_days=10, repeats=0)
    c.med("paracetamol", ("313782", "acetaminophen 325 MG Oral Tablet"), "Paracetamol (acetaminophen) 325 mg tablet",
          "2026-11-19", "illustration", "Take 2 tablets (650 mg) by mouth every 6 hours as needed for pain or "
          "fever; no more than 8 tablets in 24 hours.", QID, (650, "mg"), ORAL, [strep], encounter=e2, prn=True)
    c.med("levothyroxine", ("966222", "levothyroxine sodium 0.075 MG Oral Tablet"), "Levothyroxine 75 microgram tablet",
          "2018-10-03", "exemplar", "Take 1 tablet (75 micrograms) by mouth once daily, 30 minutes before "
          "breakfast.", QD, (75, "ug"), ORAL, [thyroid], when=["ACM"], quantity=(28, "tablet", "{tbl}"),
          supply_days=28, repeats=11)
    c.med("adrenaline", ("1870230", "NDA020800 0.3 ML epinephrine 1 MG/ML Auto-Injector"),
          "Adrenaline (epinephrine) 300 microgram auto-injector", "2026-05-20", "exemplar",
          "For anaphylaxis: inject 0.3 mg into the outer thigh, call emergency services; a second dose after "
          "5 minutes if no better. Carry two at all times.", None, (0.3, "mg"), INTRAMUSCULAR, [anaph],
          encounter=e1, prn=True, quantity=(2, "auto-injector", "{device}"), repeats=1)

    c.allergy("penicillin",
              cc(SNOMED, "764146007", "Penicillin (substance)", "Penicillin",
                 extra=[(RXNORM, "70618", "penicillin")]),
              "medication", "high", [("39579001", "Anaphylaxis (disorder)"), ("126485001", "Urticaria (disorder)")],
              "severe", "2015-07-20", "2015-07-20", "prototype",
              substance=cc(RXNORM, "723", "amoxicillin", "Amoxicillin"),
              description="Generalised urticaria, lip and tongue swelling, wheeze and hypotension 20 minutes "
                          "after the first dose of amoxicillin; treated with IM adrenaline.",
              note="Avoid all penicillins. Carries an adrenaline auto-injector.")
    c.measure("2026-05-20-tsh", TSH, "2026-05-20 08:30", 2.1, "mIU/L", "m[IU]/L", low=0.4, high=4.0,
              encounter=e1)
    c.coded("2026-11-19-strep", ("78012-2", "Streptococcus pyogenes Ag [Presence] in Throat by Rapid immunoassay"),
            "2026-11-19 18:20", ("10828004", "Positive (qualifier value)"), e2, flag_as="POS")
    c.vitals("2026-05-20", "2026-05-20 08:45", e1, sbp=112, dbp=70, hr=68, rr=14, spo2=99, temp=36.6,
             weight=63.5, height=168)
    c.vitals("2026-11-19", "2026-11-19 18:15", e2, sbp=118, dbp=74, hr=98, rr=16, spo2=99, temp=38.3)
    c.smoking("smoking", "2026-05-20 08:45", ("266919005", "Never smoked tobacco (finding)"), e1)
    c.procedure("throat-swab", ("117015009", "Throat culture (procedure)"), "2026-11-19 18:18",
                "2026-11-19 18:20", e2, [strep])
    c.immunization("hpv", HPV, "2008-09-15 10:00", "DEMO-HPV-08")
    c.immunization("tdap", TDAP, "2023-03-02 16:00", "DEMO-TDAP-23")
    c.immunization("covid-2025", COVID, "2025-11-05 12:00", "DEMO-COV-25")
    c.immunization("flu-2026", FLU, "2026-10-20 12:30", "DEMO-FLU-26E")

    c.note("note-2015-ed", ED_NOTE, "Emergency department note: anaphylaxis", "2015-07-21 01:20", "prototype",
           e0, """
ED NOTE - DEMO PATIENT (fictional)

23-year-old student. Took the first 500 mg dose of amoxicillin (prescribed today for a chest
infection) at 18:30. At 18:50: generalised itchy wheals, swollen lips and tongue, tight chest,
lightheaded. Ambulance crew gave adrenaline 0.5 mg IM at 19:00.
On arrival 19:05: BP 84/50, HR 128, wheeze throughout, SpO2 93 %.
Treated: second dose adrenaline 0.5 mg IM, IV fluids 1 L, chlorphenamine, hydrocortisone,
nebulised salbutamol. Improved by 20:00. Observed 6 hours with no biphasic reaction.

Diagnosis: ANAPHYLAXIS TO AMOXICILLIN (penicillin).
Plan: document penicillin allergy (HIGH criticality) - avoid all penicillins; cephalosporins only
after specialist advice. Adrenaline auto-injector x2 prescribed and technique taught.
Allergy clinic referral.
""")
    c.note("note-2026-05", PROGRESS, "Annual review", "2026-05-20 09:10", "exemplar", e1, """
ANNUAL REVIEW - DEMO PATIENT (fictional)

Zoë Müller-Łukasiewicz, 34. Well. Hypothyroidism stable on levothyroxine 75 micrograms; TSH 2.1.
Allergic rhinitis controlled with a nasal spray bought over the counter.
ALLERGIES: PENICILLIN - anaphylaxis 11 years ago (amoxicillin). Carries two adrenaline auto-injectors;
renewed today (the old ones expire next month). Allergy alert card in her wallet.
BP 112/70, BMI 22.5. Never smoked. Cervical screening up to date.
Plan: continue levothyroxine; TSH yearly.
""")
    c.note("note-2026-11-throat", PROGRESS, "Urgent care visit: sore throat", "2026-11-19 18:30", "illustration",
           e2, """
URGENT CARE NOTE - DEMO PATIENT (fictional)

PC: Sore throat for 2 days, fever, painful swallowing. No cough. No rash.
Allergies: not asked - the triage form allergy box was left blank; the electronic allergy record
was not opened during this visit (system slow). Recorded as "NKDA" on the walk-in form.
Exam: T 38.3 °C, HR 98, BP 118/74, SpO2 99 %. Tonsils enlarged with exudate; tender anterior
cervical nodes. Centor score 4. Rapid strep antigen: POSITIVE.
Assessment: streptococcal pharyngitis.
Plan: amoxicillin 500 mg three times daily for 10 days; paracetamol for pain and fever; fluids.
Return if unable to swallow, drooling or breathing difficulty.
""")
    return c


PATIENTS = {
    "01_arthur_sampleton_diabetes_ckd.json": patient_a,
    "02_beatrice_dummyworth_af_warfarin_nsaid.json": patient_b,
    "03_cornelius_mockwell_hfref_hyperkalaemia.json": patient_c,
    "04_doris_testington_copd_deteriorating.json": patient_d,
    "05_zoe_muller_lukasiewicz_penicillin_allergy.json": patient_e,
}


def render(build: Any) -> str:
    return json.dumps(build().bundle(), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the bundles to")
    parser.add_argument("--check", action="store_true", help="exit 1 if a written bundle is out of date")
    args = parser.parse_args(argv)
    stale = []
    for name, build in PATIENTS.items():
        path = args.out / name
        text = render(build)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    if stale:
        print("out of date (run resources/demo/make_demo.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
