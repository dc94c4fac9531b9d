"""Settings dialog (pack, device, idle minutes, licence; site-locked values), keyboard shortcuts, status bar."""

from __future__ import annotations

import json
import tomllib

from PySide6.QtCore import Qt

from assistant.gui.settings_dialog import SettingsDialog
from assistant.gui.user_settings import dump_toml


def _fake_pack(folder):
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"name": "tiny-test-model", "version": "3",
                                                      "licence": "Apache-2.0", "source": "unit test",
                                                      "files": {}}), encoding="utf-8")
    (folder / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n", encoding="utf-8")
    return folder


def test_settings_save_to_user_file_and_apply(qtbot, signed_in, isolated_settings):
    window = signed_in
    pack = _fake_pack(isolated_settings / "pack")
    window.act_settings.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.pack.setText(str(pack))
    dialog.pack.editingFinished.emit()
    assert "tiny-test-model" in dialog.pack_info.text() and "Apache-2.0" in dialog.pack_info.text()
    assert "Apache License" in dialog.licence.toPlainText()
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    dialog.idle.setValue(7)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    saved = tomllib.loads((isolated_settings / "user" / "settings.toml").read_text(encoding="utf-8"))
    assert saved["models"]["device"] == "cpu" and saved["models"]["pack_dir"] == str(pack)
    assert saved["session"]["idle_lock_minutes"] == 7
    assert window.session.idle.timeout_ms() == 7 * 60_000
    assert window.settings["models.device"] == "cpu"
    # A changed pack reloads the model; this fake one has no weights, so the app says so and
    # goes on with deterministic text.
    qtbot.waitUntil(lambda: window.models.state == "none", timeout=10000)
    assert "deterministic" in window.status.model.text()


def test_missing_pack_is_explained_in_settings(qtbot, signed_in, isolated_settings):
    dialog = SettingsDialog(signed_in.settings, signed_in.models.message, signed_in)
    qtbot.addWidget(dialog)
    assert "No usable pack" in dialog.pack_info.text()
    assert "deterministic text" in dialog.pack_info.text()


def test_site_locked_settings_are_read_only(qtbot, signed_in, isolated_settings, monkeypatch):
    site = isolated_settings / "site" / "site.toml"
    site.parent.mkdir(parents=True, exist_ok=True)
    site.write_text('locked = ["models.device"]\n\n[models]\ndevice = "cpu"\n', encoding="utf-8")
    from assistant.config import load_settings

    settings = load_settings()
    dialog = SettingsDialog(settings, "", signed_in)
    qtbot.addWidget(dialog)
    assert not dialog.device.isEnabled() and "site" in dialog.device.toolTip()
    assert dialog.idle.isEnabled()
    assert "models.device" not in dialog.values()


def test_dump_toml_round_trips():
    flat = {"models.device": "cpu", "session.idle_lock_minutes": 5, "models.pack_dir": 'C:\\packs\\"x"'}
    parsed = tomllib.loads(dump_toml(flat))
    assert parsed == {"models": {"device": "cpu", "pack_dir": 'C:\\packs\\"x"'},
                      "session": {"idle_lock_minutes": 5}}


def test_ctrl_f_shows_the_list_and_focuses_search(qtbot, signed_in, gui):
    window = signed_in
    view = gui.open_patient(window, "Zachary")
    assert not window.workspace.sidebar_visible()  # the chart gets the width
    view.show_tab("notes")
    view.notes.editor.setFocus()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(view.notes.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.sidebar_visible()
    assert window.workspace.patients.search.hasFocus()
    window.act_patients.trigger()
    assert not window.workspace.sidebar_visible()


def test_nothing_to_export_says_so(qtbot, signed_in):
    signed_in.output.export()
    assert "Nothing to print or export yet" in signed_in.status.message.text()
    signed_in.output.print()
    assert "Nothing to print or export yet" in signed_in.status.message.text()


def test_window_title_never_names_the_patient(qtbot, signed_in, gui):
    gui.open_patient(signed_in, "Zachary")
    assert signed_in.windowTitle() == "Clinician Assistant"
