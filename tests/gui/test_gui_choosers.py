"""The app's file choosers hide the database and never start in its folder (issue 15.1)."""

from __future__ import annotations

from pathlib import Path

from assistant.gui import choosers


def test_database_files_and_sqlite_sidecars_are_hidden(tmp_path: Path) -> None:
    db = tmp_path / "assistant.db"
    protected = (db,)
    for name in ("assistant.db", "assistant.db-wal", "assistant.db-shm", "assistant.db.keys",
                 "assistant.db.lock", "assistant.db.before-restore.2", "other.db-wal"):
        assert choosers.is_protected(tmp_path / name, protected), name
    assert not choosers.is_protected(tmp_path / "patient.json", protected)
    assert not choosers.is_protected(tmp_path / "sub" / "assistant.db", protected)


def test_choosers_never_start_in_the_database_folder(tmp_path: Path, monkeypatch, qtbot) -> None:
    data, docs = tmp_path / "data", tmp_path / "home" / "Documents"
    data.mkdir()
    docs.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_DB", str(data / "assistant.db"))
    dialog = choosers.SafeFileDialog(None, "FHIR files", data, "FHIR (*.json)")
    qtbot.addWidget(dialog)
    assert Path(dialog.directory().absolutePath()) != data
    assert dialog.testOption(dialog.Option.DontUseNativeDialog)
    assert isinstance(dialog.iconProvider(), choosers.StatOnlyIcons)
    assert choosers.start_folder(tmp_path, (data / "assistant.db",)) == str(tmp_path)
