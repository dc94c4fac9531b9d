"""Chart builder shared by the extraction, flag and medication-safety tests (plus its own checks)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from assistant.records.domain import (
    CVX,
    ICD10,
    LOINC,
    RXNORM,
    SNOMED,
    Allergy,
    Coding,
    Component,
    Condition,
    Entry,
    Immunization,
    Medication,
    Observation,
    Patient,
)
from assistant.records.record import PatientRecord

AS_OF = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def ago(days: float = 0, hours: float = 0) -> datetime:
    return AS_OF - timedelta(days=days, hours=hours)


class Chart:
    """Builds a PatientRecord with entries dated relative to AS_OF; each add returns the entry ref."""

    def __init__(self, sex: str = "male", age: int = 70, deceased: bool = False) -> None:
        born = date(AS_OF.year - age, 1, 1) if (AS_OF.month, AS_OF.day) >= (1, 1) else None
        self.patient = Patient(id=f"p{next(_ids)}", family="Test", given=("Pat",), birth_date=born,
                               sex=sex, deceased=deceased)
        self.entries: list[Entry] = []

    def _id(self) -> str:
        return f"e{next(_ids)}"

    def _add(self, e: Entry) -> str:
        self.entries.append(e)
        return e.ref

    def cond(self, code: str, display: str = "", days: float = 1000, active: bool = True,
             icd: str = "", abated_days: float | None = None) -> str:
        codes = (Coding(SNOMED, code, display),) if code else ()
        if icd:
            codes += (Coding(ICD10, icd, display),)
        return self._add(Condition(
            id=self._id(), patient_id=self.patient.id, code=codes[0], codes=codes,
            clinical_status="active" if active else "resolved", verification_status="confirmed",
            onset=ago(days), abatement=None if abated_days is None else ago(abated_days)))

    def med(self, name: str, rxcui: str = "", days: float = 30, status: str = "active") -> str:
        return self._add(Medication(
            id=self._id(), patient_id=self.patient.id, code=Coding(RXNORM, rxcui, name), name=name,
            status=status, intent="order", start=ago(days)))

    def obs(self, loinc: str, value: float | None, unit: str = "", days: float = 1, hours: float = 0,
            low: float | None = None, high: float | None = None, interpretation: str = "",
            text: str = "", components: tuple[Component, ...] = ()) -> str:
        return self._add(Observation(
            id=self._id(), patient_id=self.patient.id, code=Coding(LOINC, loinc, loinc),
            status="final", value=value, unit=unit, value_text=text, components=components,
            effective=ago(days, hours), reference_low=low, reference_high=high,
            interpretation=interpretation))

    def bp(self, sbp: float, dbp: float, days: float = 1, hours: float = 0) -> str:
        comps = (Component(Coding(LOINC, "8480-6"), sbp, "mm[Hg]"),
                 Component(Coding(LOINC, "8462-4"), dbp, "mm[Hg]"))
        return self.obs("85354-9", None, days=days, hours=hours, components=comps)

    def vitals(self, rr: float = 16, spo2: float = 97, sbp: float = 125, hr: float = 75,
               temp: float = 37.0, days: float = 0.5) -> dict[str, str]:
        return {"rr": self.obs("9279-1", rr, "/min", days), "spo2": self.obs("59408-5", spo2, "%", days),
                "bp": self.bp(sbp, 80, days), "hr": self.obs("8867-4", hr, "/min", days),
                "temp": self.obs("8310-5", temp, "Cel", days)}

    def allergy(self, substance: str, code: str = "", criticality: str = "", reaction: str = "",
                severity: str = "", status: str = "active", category: str = "medication") -> str:
        return self._add(Allergy(
            id=self._id(), patient_id=self.patient.id, substance=substance,
            code=Coding(SNOMED, code, substance), reaction=reaction, severity=severity,
            criticality=criticality, category=category, clinical_status=status, recorded=ago(3000)))

    def imm(self, cvx: str, days: float) -> str:
        return self._add(Immunization(id=self._id(), patient_id=self.patient.id,
                                      code=Coding(CVX, cvx), status="completed", date=ago(days)))

    def build(self) -> PatientRecord:
        return PatientRecord.build(self.patient, self.entries)


# Frequently used codes: (code, display).
AF = ("49436004", "Atrial fibrillation")
DIABETES = ("44054006", "Diabetes mellitus type 2")
HTN = ("59621000", "Essential hypertension")
HF = ("88805009", "Chronic congestive heart failure")
CKD3 = ("433144002", "Chronic kidney disease stage 3")
COPD = ("13645005", "Chronic obstructive lung disease")
STROKE = ("230690007", "Cerebrovascular accident")
MI = ("22298006", "Myocardial infarction")
DEMENTIA = ("26929004", "Alzheimer's disease")
CIRRHOSIS = ("19943007", "Cirrhosis of liver")

WARFARIN = ("Warfarin Sodium 5 MG Oral Tablet", "855332")
IBUPROFEN = ("Ibuprofen 200 MG Oral Tablet", "310965")
NAPROXEN = ("Naproxen sodium 220 MG Oral Tablet", "849574")
LISINOPRIL = ("Lisinopril 10 MG Oral Tablet", "314076")
SPIRONOLACTONE = ("Spironolactone 25 MG Oral Tablet", "313096")
METFORMIN = ("24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", "860975")
AMOXICILLIN = ("Amoxicillin 500 MG Oral Capsule", "308191")
SIMVASTATIN = ("Simvastatin 20 MG Oral Tablet", "312961")


def test_builder_dates_and_sections() -> None:
    c = Chart(sex="female", age=60)
    ref = c.obs("2823-3", 4.2, "mmol/L", days=2)
    c.cond(*AF)
    rec = c.build()
    assert rec.patient.age_years(AS_OF.date()) == 60
    assert rec.entry(ref).effective == AS_OF - timedelta(days=2)
    assert len(rec.conditions) == 1 and len(rec.observations) == 1


def test_builder_bp_components() -> None:
    c = Chart()
    ref = c.bp(150, 95, days=3)
    obs = c.build().entry(ref)
    assert obs.component("8480-6").value == 150 and obs.component("8462-4").value == 95
