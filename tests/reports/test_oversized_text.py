"""Text too large for a page (a 5,000-character name, a cell of 1,500 characters in a narrow column,
a flag with dozens of long pieces of evidence) is cut and marked; both PDFs always render (issue 15)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
from test_report_builders import (
    LETTERHEAD,
    WHEN,
    make_plan,
    make_record,
    make_summary,
    pages_text,
    squash,
)

from assistant.assist.careplan.document import Item, Section
from assistant.clinical.rules.base import Flag
from assistant.records.domain import Allergy, Identifier
from assistant.records.record import PatientRecord
from assistant.reports import styles as st
from assistant.reports.bounded import CUT_NOTE
from assistant.reports.careplan_pdf import render_careplan
from assistant.reports.layout import Banner, ReportInfo, build_pdf
from assistant.reports.summary_pdf import render_summary

CUT = squash(CUT_NOTE)[:30]


def _both(record: PatientRecord, plan_items: tuple[Item, ...] = (), risk: object = None) -> list[str]:
    plan = make_plan(record)
    if plan_items:
        plan = replace(plan, sections=(*plan.sections, Section("monitoring", "More", plan_items)))
    care = render_careplan(plan, record, letterhead=LETTERHEAD, generated_at=WHEN)
    summary = render_summary(make_summary(), risk if risk is not None else SimpleNamespace(flags=()), record,
                             letterhead=LETTERHEAD, generated_at=WHEN)
    return [squash(" ".join(pages_text(pdf))) for pdf in (care, summary)]


@pytest.mark.parametrize("length", [5_000, 20_000, 100_000])
def test_a_name_too_long_for_a_page_is_cut_in_the_banner(length: int) -> None:
    record = make_record(given="B" * length, family="A" * (length // 10))
    for text in _both(record):
        assert "more characters not shown" in text
        assert "Allergies" in text.replace("ALLERGIES", "Allergies")


def test_a_long_mrn_and_hundreds_of_allergies_keep_the_banner_within_the_page() -> None:
    record = make_record()
    pid = record.patient.id
    allergies = [Allergy(f"al{i}", pid, substance=f"Substance {i} " + "X" * 300, clinical_status="active")
                 for i in range(200)]
    patient = replace(record.patient, family="M" * 3000,
                      identifiers=(Identifier("urn:mrn", "9" * 3000, "MR"),))
    record = PatientRecord.build(patient, [*record.entries(), *allergies])
    for text in _both(record):
        assert "more characters not shown" in text


def test_a_table_cell_too_tall_for_a_page_is_cut_and_marked() -> None:
    # A narrow column (about 20 mm) with 1,500 characters: several pages tall unbounded.
    rows = [["Latest", "9" * 3 + " " + " ".join(["12345"] * 250)], ["Next row", "short"]]
    table = st.data_table(["Item", "Value"], rows, [8.5, 1.0])
    pdf = build_pdf([table], ReportInfo("Test", Banner("Test Patient")))
    text = squash(" ".join(pages_text(pdf)))
    assert CUT in text and "Next row" in text


def test_a_care_plan_item_with_long_values_in_narrow_columns_renders() -> None:
    record = make_record()
    # Values the item's text does not repeat, so the PDF keeps them in their own narrow columns.
    target, latest, interval = (" ".join([word] * 400) for word in ("goal", "reading", "monthly"))
    items = (Item("Check potassium", "monitoring", target=target, latest=latest, interval=interval,
                  state="due"),)
    care, _summary = _both(record, items)
    assert CUT in care


def test_a_flag_with_many_long_pieces_of_evidence_renders() -> None:
    record = make_record()
    flag = Flag(id="many", title="T " * 300, severity="high", category="lab",
                evidence=tuple("Observation/o-a1c" for _ in range(60)), explanation="E " * 300,
                missing=tuple(f"input {i}" for i in range(200)), reference="R " * 600)
    _care, summary = _both(record, risk=SimpleNamespace(flags=(flag,)))
    assert CUT in summary
