"""Import dialog: progress, per-file errors, cancel; the patient list refreshes after an import."""

from __future__ import annotations

import shutil

import pytest
from gui_support import SECOND, SMALL, shared_file
from PySide6.QtCore import Qt

from assistant.gui import import_dialog


@pytest.fixture
def folder(tmp_path, template_db):
    d = tmp_path / "incoming"
    d.mkdir()
    shutil.copy(shared_file(SMALL), d / "a_good.json")
    (d / "b_broken.json").write_text('{"resourceType": "Bundle", "entry": [', encoding="utf-8")
    (d / "c_not_fhir.json").write_text('{"resourceType": "Nonsense"}', encoding="utf-8")
    shutil.copy(shared_file(SECOND), d / "d_good.json")
    return d


def _rows(dialog):
    return dialog.results.objects()


def test_import_folder_with_progress_and_errors_per_file(qtbot, make_window, empty_db, folder, gui):
    window = make_window(empty_db)
    gui.sign_in(window)
    window.act_import.trigger()
    dialog = window.import_dialog
    dialog.set_paths([folder])
    seen = []
    dialog.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(dialog.imported, timeout=120000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        assert dialog.cancel_button.isEnabled() and not dialog.start_button.isEnabled()
    rows = _rows(dialog)
    assert [r.ok for r in rows] == [True, False, False, True]
    assert "b_broken.json" in rows[1].error and rows[1].error
    assert "Nonsense" in rows[2].error
    assert dialog.progress.value() == dialog.progress.maximum() == 4
    assert seen[-1] == 4 and len(seen) >= 2  # it moved file by file
    assert "Imported 2 of 4 files" in dialog.status.text() and "2 files failed" in dialog.status.text()
    panel = window.workspace.patients
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)
    dialog.close()


def test_cancel_stops_between_files_and_keeps_whole_files(qtbot, make_window, empty_db, folder, gui,
                                                         monkeypatch):
    from assistant.records import fhir_import

    window = make_window(empty_db)
    gui.sign_in(window)
    real = fhir_import.parse_many

    def slow(files, workers=None, cancelled=lambda: False):
        # One file at a time, slowly, so the cancel lands after the first file is stored.
        import time

        for outcome in real(files, workers=1, cancelled=cancelled):
            yield outcome
            time.sleep(0.3)

    monkeypatch.setattr(fhir_import, "parse_many", slow)
    window.act_import.trigger()
    dialog = window.import_dialog
    dialog.set_paths([folder])
    first = []
    dialog.results.modelReset.connect(lambda: first.append(1))
    dialog.start()
    qtbot.waitUntil(lambda: bool(first) and dialog.results.rowCount() >= 1, timeout=60000)
    with qtbot.waitSignal(dialog.imported, timeout=30000):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.task is None
    assert "Cancelled" in dialog.status.text()
    stored = dialog.results.rowCount()
    assert 1 <= stored < 4
    got = []
    window.ctx.db.submit(lambda s: s.patients.count(), got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert got[0] == sum(1 for r in _rows(dialog) if r.ok)


def test_no_fhir_files_is_an_error_not_a_crash(qtbot, make_window, empty_db, tmp_path, gui):
    window = make_window(empty_db)
    gui.sign_in(window)
    window.show_import()
    dialog = window.import_dialog
    (tmp_path / "no-files-here").mkdir()
    dialog.set_paths([tmp_path / "no-files-here"])
    dialog.start()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=10000)
    assert "no FHIR files" in dialog.status.text()


def test_import_paths_uses_db_thread_per_file(qtbot, signed_in, folder):
    """The worker stores through DbWorker.call, so the connection never leaves its thread."""
    calls = []
    db = signed_in.ctx.db
    real_call = db.call

    def spy(fn, timeout=None):
        calls.append(1)
        return real_call(fn, timeout)

    db.call = spy
    results = []
    from assistant.gui.tasks import run_task

    run_task(lambda c: import_dialog.import_paths(db, [folder], c, workers=1), on_result=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert len(calls) == 2 and len(results[0].failed) == 2


def test_a_bulk_export_with_observations_before_the_patient_imports_whole(qtbot, signed_in, tmp_path):
    """Bulk NDJSON exports come one file per resource type; the app retries a file whose patient
    arrives in a later file of the same run, as the CLI does (issue 15 item 14)."""
    import json

    from assistant.gui.tasks import run_task

    folder = tmp_path / "bulk"
    folder.mkdir()
    obs = {"resourceType": "Observation", "id": "bulk-obs-1", "status": "final",
           "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}]},
           "subject": {"reference": "Patient/bulk-pat-1"}, "effectiveDateTime": "2026-11-01T09:00:00Z",
           "valueQuantity": {"value": 4.4, "unit": "mmol/L"}}
    pat = {"resourceType": "Patient", "id": "bulk-pat-1", "name": [{"family": "Bulkimport", "given": ["Ada"]}],
           "gender": "female", "birthDate": "1960-02-03"}
    (folder / "1_Observation.ndjson").write_text(json.dumps(obs) + "\n", encoding="utf-8")
    (folder / "2_Patient.ndjson").write_text(json.dumps(pat) + "\n", encoding="utf-8")
    results = []
    run_task(lambda c: import_dialog.import_paths(signed_in.ctx.db, [folder], c, workers=1),
             on_result=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    report = results[0]
    assert [f.ok for f in report.files] == [True, True], [f.error for f in report.files]
    assert report.entries_new == 1
