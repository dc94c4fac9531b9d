"""End to end: sign in, import, search, open, stream a summary, follow a citation, draft, edit, sign, export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gui_support import LARGEST, PASSWORD, shared_file
from PySide6.QtCore import Qt, QUrl


def run_clinician_journey(qtbot, window, gui, folder: Path, out: Path, timeout: int = 60000) -> None:
    gui.sign_in(window)
    # Import with the dialog.
    window.act_import.trigger()
    dialog = window.import_dialog
    dialog.set_paths([folder])
    with qtbot.waitSignal(dialog.imported, timeout=120000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert all(r.ok for r in dialog.results.objects())
    dialog.close()
    # Search as you type and open with Enter.
    panel = window.workspace.patients
    window.focus_search()
    qtbot.keyClicks(panel.search, "beatr")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    with qtbot.waitSignal(window.workspace.patient_opened, timeout=10000):
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    view = window.workspace.view
    assert view.banner.name.text().startswith("Beatriz")
    # The summary streams in (text arrives before the cited version replaces it), then is cited.
    overview = view.overview
    chunks: list[str] = []
    overview.generating_changed.connect(lambda on: chunks.append(f"<{on}>"))
    qtbot.waitUntil(lambda: overview.summary is not None, timeout=timeout)
    assert overview._streamed > 0
    refs = [r for r in overview.citation_refs() if view.record.entry(r) is not None]
    assert refs
    overview.browser.anchorClicked.emit(QUrl(f"cite:{refs[0]}"))
    assert view.current_key() != "overview"
    # Draft, edit, sign and export the care plan.
    plan = view.careplan
    view.show_tab("careplan")
    qtbot.waitUntil(lambda: plan.generate.isEnabled(), timeout=10000)
    qtbot.mouseClick(plan.generate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: plan.doc is not None and plan.stack.currentWidget() is plan.editor,
                    timeout=timeout)
    editor = plan.editor
    row = next(r for r in range(editor.plan.rowCount()) if not editor.plan.is_header(r))
    editor.plan.setData(editor.plan.index(row, 0), "Reviewed and agreed with the patient.")
    # Model text the verifier did not check blocks signing: the clinician deletes it.
    for r in reversed(range(editor.plan.rowCount())):
        item = editor.plan.item_at(r)
        if item is not None and item.status == "unverified":
            editor.plan.remove_item(r)
    qtbot.mouseClick(plan.sign, Qt.MouseButton.LeftButton)  # saves the edit, then shows what is signed
    qtbot.waitUntil(lambda: plan.sign_dialog is not None and plan.sign_dialog.isVisible(), timeout=10000)
    plan.sign_dialog.confirm.setChecked(True)  # the signer confirms what is shown
    qtbot.keyClicks(plan.sign_dialog.password, PASSWORD)  # the password again, to sign
    qtbot.mouseClick(plan.sign_dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: plan.doc.status == "signed", timeout=10000)
    texts = [i["text"] for s in plan.doc.data["sections"] for i in s["items"]]
    assert "Reviewed and agreed with the patient." in texts
    window.output.ask_path = lambda default: out
    window.output.export()
    qtbot.waitUntil(lambda: window.output.last_export == out and not window.output.busy, timeout=60000)
    assert out.read_bytes().startswith(b"%PDF")


@pytest.fixture
def incoming(tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "record.json").write_bytes(shared_file(LARGEST).read_bytes())
    return folder


def test_clinician_journey_without_a_model(qtbot, make_window, empty_db, gui, incoming, tmp_path):
    window = make_window(empty_db)
    run_clinician_journey(qtbot, window, gui, incoming, tmp_path / "plan.pdf")
    assert window.workspace.view.overview.summary.source == "deterministic"


@pytest.mark.slow
def test_clinician_journey_with_the_model_pack(qtbot, make_window, empty_db, gui, incoming, tmp_path,
                                              monkeypatch):
    from assistant.config import bundled_pack_dir

    pack = Path(os.environ.get("ASSISTANT_TEST_PACK", bundled_pack_dir()))
    if not (pack / "manifest.json").exists():
        pytest.skip("no model pack (make model)")
    monkeypatch.setenv("ASSISTANT_MODEL", str(pack))
    window = make_window(empty_db)
    run_clinician_journey(qtbot, window, gui, incoming, tmp_path / "plan.pdf", timeout=300000)
    assert window.models.state == "loaded"
    summary = window.workspace.view.overview.summary
    assert summary.source == "model"
    assert "tokens/s" in window.status.speed.text() and "—" not in window.status.speed.text()
