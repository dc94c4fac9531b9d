"""One value reads the same on screen, in PDF citations, on the fact sheet and in care plans."""

from __future__ import annotations

from datetime import UTC, date, datetime

from assistant.assist.careplan.build import obs_display
from assistant.assist.facts import build_fact_sheet
from assistant.clinical.values import observation_value
from assistant.gui.formatting import obs_range
from assistant.records.domain import LOINC, Coding, Observation, Patient
from assistant.records.record import PatientRecord
from assistant.reports.citations import entry_value

GLUCOSE = "2345-7"
WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_one_value_reads_the_same_on_screen_in_pdf_fact_sheet_and_care_plan() -> None:
    o = Observation(id="o-glu", patient_id="p1", code=Coding(LOINC, GLUCOSE, "Glucose"), value=145.6,
                    unit="mg/dL", effective=WHEN, category="laboratory", status="final",
                    reference_low=70.0, reference_high=99.0)
    record = PatientRecord.build(Patient(id="p1", family="Test", birth_date=date(1960, 1, 1), sex="female"), [o])
    assert observation_value(o) == "146 mg/dL"  # screens (tables, detail, chart tips)
    assert entry_value(o) == "Glucose: 146 mg/dL"  # PDF citations
    assert obs_display(o, (GLUCOSE,)) == "146 mg/dL"  # care plans
    assert "Glucose 146 mg/dL (2026-03-02), high (normal 70-99)" in build_fact_sheet(record, as_of=WHEN).text()
    assert obs_range(o.reference_low, o.reference_high, o.unit, o.code.code) == "70–99 mg/dL"
