"""Output before audit: intent rows before writing (they survive kill -9), search and rekey rows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.records.fhir_import import parse_file
from assistant.store import maintenance
from assistant.store.database import Store
from support import FAST_KDF, PASSWORD

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"

# Runs one command in a child whose file writer writes the file and then kills the process with
# SIGKILL, before any result row could be written.
_CHILD = """
import os, signal, sys
import assistant.fileio as fileio
from assistant.store import maintenance
real_write, real_claim = fileio.write_private, maintenance._claim
def write_then_die(path, data, *a, **k):
    real_write(path, data, *a, **k)
    os.kill(os.getpid(), signal.SIGKILL)
import assistant.cli.export as export, assistant.cli.records as records, assistant.cli.careplans as cps
export.write_private = records.write_private = cps.write_private = write_then_die
class DieAfter:
    def __init__(self, *a, **k): self.cm = real_claim(*a, **k)  # the backup's output, renamed at exit
    def __enter__(self): return self.cm.__enter__()
    def __exit__(self, *exc):
        self.cm.__exit__(*exc)
        os.kill(os.getpid(), signal.SIGKILL)
maintenance._claim = DieAfter
from assistant.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, str]:
    store, _ = Store.create(tmp_path / "t.db", "admin", PASSWORD, kdf=FAST_KDF)
    store.patients.import_parsed(parse_file(sorted(DEMO.glob("*.json"))[0]))
    pid = store.patients.list()[0].id
    store.close()
    return tmp_path / "t.db", pid


def _killed(db: Path, *args: str) -> list[str]:
    env = dict(os.environ, ASSISTANT_DB=str(db), ASSISTANT_USER="admin", ASSISTANT_PASSWORD=PASSWORD,
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.run([sys.executable, "-c", _CHILD, *args], env=env, capture_output=True, timeout=300)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    with Store.open(db, "admin", PASSWORD) as store:
        return [e.action for e in reversed(store.audit.events(limit=1000))]


def test_a_pdf_export_killed_after_writing_leaves_its_intent_row(db: tuple[Path, str], tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    actions = _killed(db[0], "export", db[1], "--format", "pdf", "--document", "careplan", "--out", str(out))
    assert out.exists()
    assert actions[-1] == "careplan.export.started"


def test_a_fhir_export_killed_after_writing_leaves_its_intent_row(db: tuple[Path, str], tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    actions = _killed(db[0], "export", db[1], "--out", str(out))
    assert out.exists() and actions[-1] == "chart.export.started"


def test_a_backup_killed_after_writing_leaves_its_intent_row(db: tuple[Path, str], tmp_path: Path) -> None:
    actions = _killed(db[0], "db", "backup", str(tmp_path / "b.cab"))
    assert (tmp_path / "b.cab").exists()
    assert actions[-1] == "db.backup.started"


def test_a_completed_export_writes_intent_then_result(db: tuple[Path, str], tmp_path: Path) -> None:
    path, pid = db
    with Store.open(path, "admin", PASSWORD) as store:
        maintenance.backup(store, tmp_path / "b.cab")
        actions = [e.action for e in reversed(store.audit.events(limit=5))]
    assert actions[-2:] == ["db.backup.started", "db.backup"]


def test_search_that_shows_note_snippets_is_audited_per_patient(db: tuple[Path, str]) -> None:
    path, pid = db
    with Store.open(path, "admin", PASSWORD) as store:
        word = next(w for w in store.conn.execute("SELECT text FROM search WHERE kind <> 'patient'")
                    .fetchone()[0].split() if len(w) > 5 and w.isalpha())
        rows = store.patients.list(word)
        shown = {r.id for r in rows if r.snippet}
        events = [e for e in store.audit.events(limit=50) if e.action == "search.snippets"]
    assert shown and {e.patient_id for e in events} == shown
    assert all(word in e.detail for e in events)


def test_a_rekey_finished_at_open_is_audited(db: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = db
    store = Store.open(path, "admin", PASSWORD)
    saves = []
    real_save = store.keyring.save

    def save_once() -> None:  # the second save (after the database took the new key) never happens
        if saves:
            raise KeyboardInterrupt
        saves.append(1)
        real_save()

    monkeypatch.setattr(store.keyring, "save", save_once)
    with pytest.raises(KeyboardInterrupt):
        maintenance.rekey(store)
    store.conn.close()
    with Store.open(path, "admin", PASSWORD) as reopened:
        actions = [e.action for e in reopened.audit.events(limit=3)]
        assert "db.rekey.completed" in actions
        assert reopened.audit.verify().ok
