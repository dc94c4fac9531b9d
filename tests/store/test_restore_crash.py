"""A restore killed at any point: the next open finishes it without a false tamper alarm, and a journal
torn before the first rename never locks the database out (issue 15, `make stress` findings)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import DatabaseError
from assistant.store.database import Store
from assistant.store.maintenance import backup
from assistant.store.restore_journal import KILL_AT_ENV, journal_path, staged_path
from support import FAST_KDF, PASSWORD, ROOT

CLIN_PW = "clinician password 1"
RESTORE = ("import sys; from pathlib import Path; from assistant.store import maintenance; "
           "maintenance.restore(Path(sys.argv[1]), Path(sys.argv[2]), 'admin', sys.argv[3], force=True)")


def _live_with_backup(tmp_path: Path) -> tuple[Path, Path]:
    """A database with a clinician, a backup of it, then rows written (and witnessed) after it."""
    db, bak = tmp_path / "live.db", tmp_path / "b.cabak"
    store, _ = Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)
    store.accounts.add("drjones", CLIN_PW, "clinician", kdf=FAST_KDF)
    backup(store, bak)
    for i in range(3):
        store.audit.record("after.backup", detail=str(i))
    store.close()
    return db, bak


def _killed_restore(db: Path, bak: Path, kill_at: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), KILL_AT_ENV: str(kill_at)}
    proc = subprocess.run([sys.executable, "-c", RESTORE, str(bak), str(db), PASSWORD], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr[-1500:]
    assert journal_path(db).exists()


@pytest.mark.parametrize("kill_at", [0, 3, 5])
def test_a_restore_finished_at_open_is_no_tamper_alarm(tmp_path: Path, kill_at: int) -> None:
    db, bak = _live_with_backup(tmp_path)
    _killed_restore(db, bak, kill_at)
    # Whoever opens next (here a clinician, who may not restart a witness) finishes the renames.
    with Store.open(db, "drjones", CLIN_PW) as clin:
        check = clin.audit.verify()
        assert check.ok, check.problems
        actions = [e.action for e in clin.audit.events(limit=10)]
        assert "after.backup" not in actions and "db.restore" in actions
        clin.audit.record("chart.open", "p1", "after the restore")
    assert not journal_path(db).exists()
    with Store.open(db, "admin", PASSWORD) as admin:
        check = admin.audit.verify()
        assert check.ok, check.problems


@pytest.mark.parametrize("torn", [b"", b'{"n": ', b"\x00" * 32])
def test_a_journal_torn_before_the_first_rename_reads_as_not_started(tmp_path: Path, torn: bytes) -> None:
    db, bak = _live_with_backup(tmp_path)
    # What a kill while the journal was written left behind (an older version wrote it in place):
    # the staged pair is there, the journal is torn, and no rename has run.
    staged = staged_path(db)
    staged.write_bytes(b"staged copy")
    staged.with_name(staged.name + ".keys").write_bytes(b"{}")
    journal_path(db).write_bytes(torn)
    with Store.open(db, "admin", PASSWORD) as store:
        assert [e.action for e in store.audit.events(limit=1)] == ["after.backup"]
        assert store.audit.verify().ok
    assert not journal_path(db).exists() and not staged.exists()
    assert not list(tmp_path.glob("*.before-restore*"))


def test_a_torn_journal_after_files_moved_is_left_for_a_person(tmp_path: Path) -> None:
    db, bak = _live_with_backup(tmp_path)
    _killed_restore(db, bak, 4)  # the live pair is aside, the staged pair not yet in
    journal_path(db).write_bytes(b"")
    with pytest.raises(DatabaseError, match="already moved"):
        Store.open(db, "admin", PASSWORD)
    assert db.with_name("live.db.before-restore").exists()  # nothing was touched


def test_the_journal_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    db, bak = _live_with_backup(tmp_path)
    _killed_restore(db, bak, 0)
    assert b'"n"' in journal_path(db).read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert journal_path(db).stat().st_mode & 0o077 == 0
