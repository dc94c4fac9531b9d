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
    first = summaries.summary_for(store, record)
    assert not first.reused and first.saved_at and "summary.save" in actions(store, pid)
    again = summaries.summary_for(store, store.patients.load_record(pid))
    assert again.reused and again.summary == first.summary and again.saved_at == first.saved_at
    assert "summary.reuse" in actions(store, pid)
    # On request: a new one, stored in the same series as a new version.
    assert not summaries.summary_for(store, record, regenerate=True).reused
    assert len(store.documents.list(pid, "summary")) == 2
    # A different pack: not the stored one.
    assert summaries.stored_summary(store, record, "other-pack 2", "drop") is None
    # A note added: the record changed, so the summary is made again and says so.
    store.patients.add_note(Note(id="n-new", patient_id=pid, title="Review", date=datetime(2026, 11, 25),
                                 text="Assessment: throat better. Plan: stop amoxicillin, start clarithromycin."))
    changed = store.patients.load_record(pid)
    assert summaries.record_version(changed) != summaries.record_version(record)
    fresh = summaries.summary_for(store, changed)
    assert not fresh.reused and any("clarithromycin" in x.text for x in fresh.summary.all_sentences)
    assert len(store.documents.list(pid, "summary")) == 3


def _pack(folder, name="tiny", version="1", weights=b"weights"):
    from assistant.llm.manifest import write_manifest

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.onnx").write_bytes(weights)
    facts = {"name": name, "version": version, "licence": "MIT", "source": "test", "parameters": 1,
             "quantization": "int8"}
    return write_manifest(folder, facts)


def test_pack_identity_names_the_manifest_so_a_replaced_pack_is_not_mistaken(tmp_path, chart):
    from types import SimpleNamespace

    first = _pack(tmp_path / "a")
    replaced = _pack(tmp_path / "b", weights=b"other weights")  # same name and version
    engine_a = SimpleNamespace(pack=SimpleNamespace(name="tiny", version="1", manifest=first))
    engine_b = SimpleNamespace(pack=SimpleNamespace(name="tiny", version="1", manifest=replaced))
    a, b = summaries.pack_identity(engine_a), summaries.pack_identity(engine_b)
    assert a.startswith("tiny 1 [") and a != b
    # Read from the folder's manifest alone, before any model loads: the same identity.
    assert summaries.pack_identity_at(tmp_path / "a") == a and summaries.pack_identity_at(tmp_path / "b") == b
    assert summaries.pack_identity_at(tmp_path / "missing") == "none" == summaries.pack_identity(None)
    store, pid = chart
    record = store.patients.load_record(pid)
    summaries.save_summary(store, record, summaries.summary_for(store, record).summary, a, "drop")
    assert summaries.stored_summary(store, record, a, "drop") is not None
    assert summaries.stored_summary(store, record, b, "drop") is None


def test_summary_pdf_export_reuses_the_stored_summary(chart):
    from assistant.services.documents import summary_for_output

    store, pid = chart
    first = summary_for_output(store, pid)
    assert first.pdf.startswith(b"%PDF") and "summary.reuse" not in actions(store, pid)
    summary_for_output(store, pid)
    assert actions(store, pid).count("summary.reuse") == 1 and len(store.documents.list(pid, "summary")) == 1



def test_stored_summary_is_not_reused_on_another_day(monkeypatch):
    # Flags and ages are evaluated as of today: yesterday's summary is made again.
    import datetime as real

    record = demo_record("03")
    key_today = summaries.cache_key(record, "none", "drop")

    class Tomorrow(real.date):
        @classmethod
        def today(cls) -> real.date:
            return real.date.fromordinal(real.date.today().toordinal() + 1)

    monkeypatch.setattr(summaries, "date", Tomorrow)
    assert summaries.cache_key(record, "none", "drop") != key_today
