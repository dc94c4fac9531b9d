"""The settings' knowledge view: the built-in pack listed and verified, a tampered pack refused with the
file named, a signed one installed, an installed one that no longer verifies, roll back; admin only."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from PySide6.QtCore import Qt

from assistant.clinical.knowledge import clear_caches, knowledge_version
from assistant.clinical.knowledge_pack import build_manifest, public_key_text, sign, write_manifest
from assistant.config import resources_dir
from assistant.store.types import Account

ADMIN = Account("admin", "admin")
CLINICIAN = Account("doc", "clinician")


@pytest.fixture
def make_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A publisher key the site trusts, an empty packs folder, and signed copies of the built-in pack."""
    key = Ed25519PrivateKey.generate()
    key_file = tmp_path / "publisher.pem"
    key_file.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    monkeypatch.delenv("ASSISTANT_KNOWLEDGE_DIR", raising=False)
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_KEYS", public_key_text(key.public_key()))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_PACKS", str(tmp_path / "packs"))
    clear_caches()

    def make(version: str) -> Path:
        folder = tmp_path / f"pack-{version}"
        shutil.copytree(resources_dir() / "knowledge", folder)
        write_manifest(folder, build_manifest(folder, "site", version))
        sign(folder, key_file)
        return folder

    yield make
    clear_caches()  # the next test reads the built-in tables again


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-2] ^= 1
    path.write_bytes(bytes(data))


def _click(qtbot: Any, view: Any, button: Any) -> None:
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.task is None, timeout=15000)


def _rows(view: Any) -> list[tuple[str, ...]]:
    t = view.table
    return [tuple(t.item(r, c).text() for c in range(t.columnCount())) for r in range(t.rowCount())]


def test_knowledge_view_verify_install_tamper_and_rollback(qtbot, make_pack, settings, tmp_path):
    from assistant.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, "", None, ADMIN)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.knowledge)
    view = dialog.knowledge
    builtin = knowledge_version()
    assert builtin.startswith("builtin ")
    assert _rows(view) == [("builtin", builtin.split()[1], _rows(view)[0][2], _rows(view)[0][3],
                            "built-in", "active")]
    assert f"Active: <b>{builtin}</b>" in view.active.text() and "built-in" in view.active.text()
    assert not view.rollback_button.isEnabled()  # nothing to roll back to
    _click(qtbot, view, view.verify_button)
    assert view.result.text().startswith(f"OK: {builtin}") and "match the manifest" in view.result.text()
    dialog.grab().save(str(tmp_path / "knowledge-view.png"))

    tampered = make_pack("2026.2.0")
    _flip_byte(tampered / "units.csv")  # one byte in one table
    view.ask_folder = lambda: str(tampered)
    _click(qtbot, view, view.install_button)
    assert view.result.objectName() == "error"
    assert "Refused; the current pack stays in use" in view.result.text()
    assert "units.csv was altered" in view.result.text()
    assert knowledge_version() == builtin and len(_rows(view)) == 1
    dialog.grab().save(str(tmp_path / "knowledge-refused.png"))

    changed: list[str] = []
    view.changed.connect(changed.append)
    good = make_pack("2026.3.0")
    view.install(good / "manifest.json")  # the manifest picked stands for its folder
    qtbot.waitUntil(lambda: view.task is None, timeout=15000)
    assert view.result.text().startswith("Installed site 2026.3.0"), view.result.text()
    assert changed == ["site 2026.3.0"] and knowledge_version() == "site 2026.3.0"
    rows = _rows(view)
    assert [r[:2] for r in rows] == [("builtin", builtin.split()[1]), ("site", "2026.3.0")]
    assert rows[1][4].startswith("signed by ") and rows[1][5] == "active" and rows[0][5] == ""
    assert view.rollback_button.isEnabled()
    qtbot.wait(20)  # the label's new height is laid out on the next turn
    dialog.grab().save(str(tmp_path / "knowledge-installed.png"))

    installed = next((tmp_path / "packs").glob("site-2026.3.0"))
    _flip_byte(installed / "interactions.csv")  # altered after it was installed
    _click(qtbot, view, view.verify_button)
    assert view.result.text().startswith("Verification failed")
    assert "interactions.csv was altered" in view.result.text()

    _click(qtbot, view, view.rollback_button)
    assert view.result.text().startswith(f"Rolled back: {builtin}"), view.result.text()
    assert knowledge_version() == builtin and changed[-1] == builtin
    assert not view.rollback_button.isEnabled()
    dialog.close()


def test_clinician_sees_the_packs_but_cannot_change_them(qtbot, settings):
    from assistant.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, "", None, CLINICIAN)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.knowledge)
    view = dialog.knowledge
    assert view.verify_button.isEnabled() and _rows(view)[0][0] == "builtin"
    assert not view.install_button.isEnabled() and "administrators only" in view.install_button.toolTip()
    assert not view.rollback_button.isEnabled()
    dialog.close()
