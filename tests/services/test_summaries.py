"""The stored summary: reused while record and pack are unchanged, regenerated when a note is added,
when the pack differs or on request; a Summary round-trips through its stored form."""

from __future__ import annotations

from datetime import datetime

import pytest
from assist_fixtures import ScriptedEngine
from careplan_support import DEMO, demo_record

from assistant.assist.result import Summary
from assistant.records.domain import Note
from assistant.records.fhir_import import parse_file
from assistant.services import summaries


@pytest.fixture
def chart(store):
    (path,) = sorted(DEMO.glob("05_*.json"))
    store.patients.import_parsed(parse_file(path))
    pid = demo_record("05").patient.id
    return store, pid


def actions(store, pid: str) -> list[str]:
    return [e.action for e in store.audit.events(pid, limit=100)]


def test_summary_round_trips_through_its_stored_form():
    rec = demo_record("05")
    from assistant.assist.summary import generate_summary

    summary = generate_summary(rec, None, ScriptedEngine("She has a penicillin allergy.\nShe is doing well."),
                               unverified="drop")
    back = Summary.from_stored(summary.to_stored())
    assert back == summary and back.dropped == summary.dropped and back.facts.lines == summary.facts.lines
    assert back.text(show_dropped=True) == summary.text(show_dropped=True)


def test_stored_summary_reused_until_the_record_or_pack_changes(chart):
    store, pid = chart
    record = store.patients.load_record(pid)
    first, reused = summaries.summary_for(store, record)
    assert not reused and "summary.save" in actions(store, pid)
    again, reused = summaries.summary_for(store, store.patients.load_record(pid))
    assert reused and again == first and "summary.reuse" in actions(store, pid)
    # On request: a new one, stored in the same series as a new version.
    _, reused = summaries.summary_for(store, record, regenerate=True)
    assert not reused and len(store.documents.list(pid, "summary")) == 2
    # A different pack: not the stored one.
    assert summaries.stored_summary(store, record, "other-pack 2", "drop") is None
    # A note added: the record changed, so the summary is made again and says so.
    store.patients.add_note(Note(id="n-new", patient_id=pid, title="Review", date=datetime(2026, 11, 25),
                                 text="Assessment: throat better. Plan: stop amoxicillin, start clarithromycin."))
    changed = store.patients.load_record(pid)
    assert summaries.record_version(changed) != summaries.record_version(record)
    fresh, reused = summaries.summary_for(store, changed)
    assert not reused and any("clarithromycin" in x.text for x in fresh.all_sentences)
    assert len(store.documents.list(pid, "summary")) == 3
