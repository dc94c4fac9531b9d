"""The stored summary in the app: a second chart open shows it at once without calling the model,
a changed record (a note added) gets a new one, and Regenerate writes a new one and keeps it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from assist_fixtures import ScriptedEngine

from assistant.gui import services
from assistant.gui.summary_view import CHANGED_LINE
from assistant.records.domain import Note


@pytest.fixture
def engine(qtbot, signed_in) -> ScriptedEngine:
    """A scripted model in place of the pack (none is installed in the tests): it counts its calls."""
    window = signed_in
    qtbot.waitUntil(lambda: window.models.attempted and window.models.state == "none", timeout=10000)
    scripted = ScriptedEngine("The patient has a record of care.\n")
    info = services.PackInfo(Path("scripted"), scripted.name, scripted.version, "MIT", "test")
    window.models._loaded(services.EngineHandle(scripted, info, "cpu"))
    return scripted


def db(qtbot, window, fn):
    """Run `fn(store)` on the app's database thread and wait for its result."""
    out: list = []
    window.ctx.db.submit(fn, out.append, out.append)
    qtbot.waitUntil(lambda: bool(out), timeout=10000)
    assert not isinstance(out[0], BaseException), out[0]
    return out[0]


def stored_versions(qtbot, window, pid: str) -> int:
    return db(qtbot, window, lambda store: len(store.documents.list(pid, "summary")))


def open_and_wait(qtbot, gui, window, name: str):
    view = gui.open_patient(window, name)
    qtbot.waitUntil(lambda: view.overview.summary is not None, timeout=60000)
    return view


def test_second_open_shows_the_stored_summary_without_the_model_and_regenerate_replaces_it(
        qtbot, signed_in, gui, engine):
    window = signed_in
    view = open_and_wait(qtbot, gui, window, "Zachary")
    pid, first = view.patient_id, view.overview.summary
    assert first.source == "model" and not view.overview.reused and len(engine.calls) == 1
    qtbot.waitUntil(lambda: stored_versions(qtbot, window, pid) == 1, timeout=10000)
    window.workspace.close_patient()

    view = open_and_wait(qtbot, gui, window, "Zachary")
    overview = view.overview
    assert overview.reused and len(engine.calls) == 1 and not overview.generating
    assert overview.summary.sentences == first.sentences and overview.summary.model == "scripted-test-model 0"
    note = overview.stored.text()
    assert overview.stored.isVisible() and note.startswith("Generated ")
    assert "by scripted-test-model 0; the record has not changed since" in note
    assert "summary.reuse" in db(qtbot, window, lambda s: [e.action for e in s.audit.events(pid, limit=50)])
    # A note saved in the chart: the stored line no longer claims the record is unchanged.
    view._note_saved(Note(id="n-here", patient_id=pid, title="Call", date=datetime(2026, 11, 26, tzinfo=UTC), text="Well."))
    assert overview.stored.text() == CHANGED_LINE

    with qtbot.waitSignal(overview.summary_stored, timeout=60000):
        overview.regenerate.click()
    assert len(engine.calls) == 2 and not overview.reused and not overview.stored.isVisible()
    assert stored_versions(qtbot, window, pid) == 2


def test_a_changed_record_gets_a_new_summary(qtbot, signed_in, gui, engine):
    window = signed_in
    view = open_and_wait(qtbot, gui, window, "Zachary")
    pid = view.patient_id
    qtbot.waitUntil(lambda: stored_versions(qtbot, window, pid) == 1, timeout=10000)
    window.workspace.close_patient()
    db(qtbot, window, lambda store: store.patients.add_note(Note(
        id="n-stored-summary", patient_id=pid, title="Review", date=datetime(2026, 11, 25),
        text="Assessment: well. Plan: review in a year.")))

    view = open_and_wait(qtbot, gui, window, "Zachary")
    assert not view.overview.reused and len(engine.calls) == 2
    qtbot.waitUntil(lambda: stored_versions(qtbot, window, pid) == 2, timeout=10000)
