"""A full disk or a lock held by another session is said as such, with whether the data are intact,
never as a corrupt file or SQLite's "cannot rollback - no transaction is active"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlcipher3

from assistant.cli import records as cli_records
from assistant.errors import database_failure
from assistant.services.importing import import_files
from assistant.store.database import Store
from support import PASSWORD, run_cli


def _bundles(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        pid = f"{i:08d}-2222-4333-8444-555555555555"
        notes = [{"resourceType": "Observation", "id": f"o{i}-{j}", "status": "final",
                  "code": {"text": "Note " + "x" * 2000}, "subject": {"reference": f"urn:uuid:{pid}"},
                  "valueString": "y" * 4000} for j in range(20)]
        doc = {"resourceType": "Bundle", "type": "collection", "entry": [
            {"fullUrl": f"urn:uuid:{r['id']}", "resource": r}
            for r in [{"resourceType": "Patient", "id": pid, "name": [{"family": f"Full{i}"}]}, *notes]]}
        path = folder / f"{i:02d}.json"
        path.write_text(json.dumps(doc), "utf-8")
        paths.append(path)
    return paths


def test_full_disk_mid_import_stops_and_says_the_database_is_intact(tmp_path: Path, store) -> None:
    files = _bundles(tmp_path / "in", 6)
    assert import_files(store, files[:1], workers=1).files[0].ok
    # SQLite's page limit gives the same SQLITE_FULL a full disk gives, without filling one.
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 8}")
    report = import_files(store, files[1:], workers=1)
    line = report.summary_line()
    assert "cannot rollback" not in line and "no transaction" not in line
    assert "disk holding the database is full" in line and "intact" in line
    assert report.failed[-1].why == "full" and len(report.files) < len(files) - 1
    stored = len(report.files) - len(report.failed)
    assert store.patients.count() == 1 + stored  # whole files only
    assert store.conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 20 * (1 + stored)


def test_import_waiting_on_another_sessions_lock_says_so(tmp_path: Path, make_store) -> None:
    store = make_store()
    other = Store.open(store.path, "admin", PASSWORD)
    files = _bundles(tmp_path / "in", 2)
    store.conn.execute("PRAGMA busy_timeout = 100")
    other.conn.execute("BEGIN IMMEDIATE")
    try:
        report = import_files(store, files, workers=1)
    finally:
        other.conn.execute("ROLLBACK")
        other.close()
    assert len(report.failed) == 2
    assert "another session held the database locked" in report.summary_line()
    assert all("locked by another session" in f.error for f in report.failed)


@pytest.mark.parametrize("message", ["database or disk is full", "database is locked"])
def test_open_with_a_full_disk_or_a_lock_is_not_called_corrupt(message: str) -> None:
    text = database_failure("/x/db", sqlcipher3.OperationalError(message)).message
    assert "corrupt" not in text and "restore from a backup" not in text
    assert ("full" in text and "intact" in text) if "full" in message else "another session" in text


def test_cli_says_disk_full_for_an_unexplained_sqlite_error(capsys, monkeypatch, cli_env) -> None:
    def full(args):
        raise sqlcipher3.OperationalError("database or disk is full")

    monkeypatch.setattr(cli_records, "open_store", full)
    code, _, err = run_cli(capsys, "patients")
    assert code == 4 and "full" in err and "intact" in err and "restore from a backup" not in err
