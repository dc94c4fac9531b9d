"""The app's de-identified export: an admin runs it on the demo database (no source identifier in any
exported byte, audited); a clinician cannot; the database's folder is refused; the flags name the pack."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from gui_support import FAST_KDF
from PySide6.QtCore import Qt

from assistant.demo import (
    DEMO_ADMIN,
    DEMO_ADMIN_PASSWORD,
    DEMO_CLINICIAN,
    DEMO_CLINICIAN_PASSWORD,
    create_demo_database,
    demo_files,
)


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "db" / "clinical.db"
    create_demo_database(path, kdf=FAST_KDF)  # type: ignore[arg-type]
    return path


def _dialog(qtbot: Any, window: Any) -> Any:
    from assistant.gui.deidentify_dialog import DeidentifyDialog

    window.act_deidentify.trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(DeidentifyDialog)), timeout=5000)
    return next(d for d in window.findChildren(DeidentifyDialog) if d.isVisible())


def _source_identifiers(bundle: Path) -> set[str]:
    """Names, identifiers, phones, e-mails, address lines, city, ZIP and birth date of the source."""
    raw = json.loads(bundle.read_text(encoding="utf-8"))
    patient = next(e["resource"] for e in raw["entry"] if e["resource"]["resourceType"] == "Patient")
    found: set[str] = {patient["id"], patient.get("birthDate", "")}
    found.update(i["value"] for i in patient.get("identifier", []))
    for name in patient.get("name", []):
        found.update([name.get("family", ""), *name.get("given", [])])
    found.update(t["value"] for t in patient.get("telecom", []))
    for a in patient.get("address", []):
        found.update([*a.get("line", []), a.get("city", ""), a.get("postalCode", "")])
    return {f for f in found if len(f) >= 3}


def _exported_text(folder: Path) -> str:
    """Every file the export wrote, with each attachment decoded (base64 hides nothing from the scan)."""
    text = ""
    for path in sorted(folder.iterdir()):
        body = path.read_text(encoding="utf-8")
        text += "\n" + body
        if path.suffix == ".json" and "entry" in body:
            for entry in json.loads(body).get("entry", []):
                for content in entry["resource"].get("content", []):
                    text += "\n" + base64.b64decode(content["attachment"]["data"]).decode("utf-8")
    return text


def test_admin_exports_every_demo_patient_without_identifiers(qtbot, make_window, gui, demo_db, tmp_path):
    from assistant.gui.deidentify_dialog import DeidentifyDialog

    window = make_window(demo_db)
    gui.sign_in(window, DEMO_ADMIN, DEMO_ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: window.workspace.patients.model.rowCount() == 5, timeout=10000)
    assert window.act_deidentify.isEnabled() and window.act_deidentify.isVisible()
    view = gui.open_patient(window, "Sampleton")
    # The flags say which knowledge pack made them, as the PDF footers do.
    flags = view.overview.flags
    qtbot.waitUntil(lambda: flags.knowledge.isVisible(), timeout=30000)
    assert re.fullmatch(r"Knowledge: builtin \d+\.\d+\.\d+", flags.knowledge.text())
    window.grab().save(str(tmp_path / "flags-footer.png"))
    dialog = _dialog(qtbot, window)
    assert "Sampleton" in dialog.one.text() and dialog.one.isChecked()
    # Never beside the database.
    dialog.folder.setText(str(demo_db.parent))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "database's folder" in dialog.error.text() and dialog.task is None
    out = tmp_path / "export"
    dialog.ask_folder = lambda: str(out)
    qtbot.mouseClick(dialog.browse, Qt.MouseButton.LeftButton)
    assert dialog.folder.text() == str(out)
    dialog.everyone.setChecked(True)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.exported is not None, timeout=60000)
    assert dialog.exported.report.patients == 5 and not dialog.error.isVisible()
    files = sorted(out.glob("*.json"))
    assert len([f for f in files if "report" not in f.name]) == 5
    assert (out / "deidentification-report.txt").is_file()
    assert "Removed or generalised, by kind:" in dialog.report.toPlainText()
    assert "5 patient(s)" in dialog.where.text() and str(out) in dialog.where.text()
    dialog.grab().save(str(tmp_path / "deidentify-dialog.png"))
    exported = _exported_text(out)
    leaks, checked = [], 0
    for source in demo_files():
        for ident in _source_identifiers(source):
            checked += 1
            if ident in exported and re.search(rf"(?<![\w.]){re.escape(ident)}(?![\w])", exported):
                leaks.append(ident[:3] + "...")  # never a whole identifier in a test log
    assert checked > 40 and not leaks
    audited: list[Any] = []
    window.ctx.db.submit(lambda s: [e for e in s.audit.events(limit=100)
                                    if e.action == "chart.export.deidentified"], audited.extend)
    qtbot.waitUntil(lambda: len(audited) == 6, timeout=10000)  # one per patient, one for the export
    dialog.close()
    qtbot.waitUntil(lambda: not window.findChildren(DeidentifyDialog), timeout=5000)


def test_clinician_cannot_export(qtbot, make_window, gui, demo_db, tmp_path):
    from assistant.gui.deidentify_dialog import open_for

    window = make_window(demo_db)
    gui.sign_in(window, DEMO_CLINICIAN, DEMO_CLINICIAN_PASSWORD)
    assert not window.act_deidentify.isEnabled()
    assert "administrators only" in window.act_deidentify.toolTip()
    assert window.act_print.isEnabled()  # the other actions are on for a clinician
    dialog = open_for(window)  # were it opened anyway: the button is off, and the store refuses
    assert not dialog.export_button.isEnabled()
    dialog.folder.setText(str(tmp_path / "out"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.task is None and dialog.error.isVisible(), timeout=10000)
    assert "not an admin" in dialog.error.text()
    dialog.grab().save(str(tmp_path / "deidentify-clinician.png"))
    assert not any((tmp_path / "out").glob("*.json"))
    dialog.close()


def test_cancel_stops_the_export(qtbot, make_window, gui, demo_db, tmp_path):
    from assistant.gui import deidentify_dialog

    window = make_window(demo_db)
    gui.sign_in(window, DEMO_ADMIN, DEMO_ADMIN_PASSWORD)
    dialog = deidentify_dialog.open_for(window)
    assert dialog.everyone.isChecked() and not dialog.one.isEnabled()  # no chart open
    dialog.folder.setText(str(tmp_path / "out"))
    dialog.start()
    assert dialog.cancel_button.isVisible()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.task is None, timeout=30000)
    assert "cancelled" in dialog.error.text() and dialog.exported is None
    assert not (tmp_path / "out" / "deidentification-report.txt").exists()
    assert dialog.export_button.isEnabled()
    dialog.close()
