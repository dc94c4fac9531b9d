"""A "no known allergies" statement is shown and carried as a statement, never as "none recorded"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from assist_fixtures import sample_record

from assistant.assist.deterministic import allergy_sentence, synopsis
from assistant.assist.facts import build_fact_sheet
from assistant.records.chart_entry import Author, build_allergy, no_known_allergies
from assistant.records.record import PatientRecord

WHO = Author("Dr Lee", datetime(2026, 5, 1, 9, 30, tzinfo=UTC))


def _without_allergies() -> PatientRecord:
    rec = sample_record()
    return PatientRecord.build(rec.patient, [e for e in rec.entries() if e not in rec.allergies])


def _with(record: PatientRecord, *extra: object) -> PatientRecord:
    return PatientRecord.build(record.patient, [*record.entries(), *extra])  # type: ignore[list-item]


def test_the_statement_reaches_the_fact_sheet_and_the_summary() -> None:
    bare = _without_allergies()
    assert "Allergies: none recorded" in build_fact_sheet(bare).text()
    nka = no_known_allergies(bare.patient.id, (), WHO)
    rec = _with(bare, nka)
    assert rec.no_known_allergies == nka and not rec.active_allergies
    sheet = build_fact_sheet(rec)
    line = next(f for f in sheet.lines if f.section == "allergy")
    assert line.text == "Allergies: no known allergies (recorded 2026-05-01)" and line.refs == (nka.ref,)
    assert "none recorded" not in sheet.text()
    assert "no known allergies" in synopsis(sheet).text and "no allergies recorded" not in synopsis(sheet).text
    sentence = allergy_sentence(sheet)
    assert sentence is not None and sentence.text == "No known allergies (as recorded)."


def test_a_later_allergy_or_an_error_ends_the_statement() -> None:
    bare = _without_allergies()
    nka = no_known_allergies(bare.patient.id, (), WHO)
    later = Author("Dr Lee", datetime(2026, 6, 1, tzinfo=UTC))
    penicillin = build_allergy(bare.patient.id, "Penicillin", later, "hives")
    assert _with(bare, nka, penicillin).no_known_allergies is None
    assert _with(bare, replace(nka, verification_status="entered-in-error")).no_known_allergies is None
    assert _with(bare, replace(nka, clinical_status="inactive")).no_known_allergies is None


def test_the_banner_says_when_and_by_whom(qtbot) -> None:  # type: ignore[no-untyped-def]
    from assistant.gui.banner import Banner

    bare = _without_allergies()
    banner = Banner()
    qtbot.addWidget(banner)
    banner.set_record(bare)
    assert banner.allergies.text() == "None recorded"
    banner.set_record(_with(bare, no_known_allergies(bare.patient.id, (), WHO)))
    assert banner.allergies.text() == "No known allergies (recorded 2026-05-01 by Dr Lee)"
    assert banner.allergies.objectName() == "allergyNone"
