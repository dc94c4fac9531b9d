"""Restore and rekey against other sessions, crashes between restore's renames, disabling revokes (issue 15)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import AuthenticationError, DatabaseError
from assistant.store import hold
from assistant.store.database import Store
from assistant.store.maintenance import backup, disable_account, rekey, restore
from assistant.store.restore_journal import KILL_AT_ENV, journal_path
from support import FAST_KDF, PASSWORD, ROOT

flock_only = pytest.mark.skipif(hold.fcntl is None, reason="the session lock needs flock")


def _restore_cli(db: Path, bak: Path, kill_at: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_DB": str(db), "ASSISTANT_USER": "admin",
           "ASSISTANT_PASSWORD": PASSWORD}
    if kill_at is not None:
        env[KILL_AT_ENV] = str(kill_at)
    return subprocess.run([sys.executable, "-m", "assistant", "db", "restore", str(bak), "--force"],
                          env=env, capture_output=True, text=True, timeout=120)


def _open_pair(db: Path, keys: Path, where: Path, user: str = "admin", pw: str = PASSWORD) -> Store:
    """Open a database file with a given key file by copying the pair under matching names."""
    where.mkdir(exist_ok=True)
    shutil.copy(db, where / "x.db")
    shutil.copy(keys, where / "x.db.keys")
    for suffix in ("-wal", "-shm"):
        if Path(str(db) + suffix).exists():
            shutil.copy(str(db) + suffix, str(where / "x.db") + suffix)
    return Store.open(where / "x.db", user, pw)


@pytest.mark.parametrize("step", range(6))
def test_restore_killed_before_each_rename_completes_on_rerun(tmp_path: Path, step: int) -> None:
    db, bak = tmp_path / "live.db", tmp_path / "b.cabak"
    store, _ = Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)
    backup(store, bak)
    store.audit.record("live.only", detail="written after the backup")
    store.close()
    killed = _restore_cli(db, bak, kill_at=step)
    assert killed.returncode == -9, killed.stderr[-1500:]
    assert journal_path(db).exists()
    rerun = _restore_cli(db, bak)
    assert rerun.returncode == 0, rerun.stderr[-1500:]
    assert not journal_path(db).exists()
    with Store.open(db, "admin", PASSWORD) as restored:
        assert "live.only" not in [e.action for e in restored.audit.events(limit=50)]
    # The displaced database still opens with its own, never-destroyed key file.
    old = _open_pair(db.with_name("live.db.before-restore"), db.with_name("live.db.keys.before-restore"),
                     tmp_path / "old")
    with old:
        assert "live.only" in [e.action for e in old.audit.events(limit=50)]


def test_a_crash_between_renames_is_finished_by_the_next_open(tmp_path: Path) -> None:
    db, bak = tmp_path / "live.db", tmp_path / "b.cabak"
    store, _ = Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)
    backup(store, bak)
    store.close()
    assert _restore_cli(db, bak, kill_at=4).returncode == -9  # live pair aside, staged pair not in
    assert not db.exists()
    Store.open(db, "admin", PASSWORD).close()
    assert not journal_path(db).exists()


def test_two_restores_in_a_row_keep_both_displaced_pairs(tmp_path: Path) -> None:
    db, bak = tmp_path / "live.db", tmp_path / "b.cabak"
    store, _ = Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)
    backup(store, bak)
    store.audit.record("first.live", detail="")
    store.close()
    restore(bak, db, "admin", PASSWORD, force=True).close()
    restore(bak, db, "admin", PASSWORD, force=True).close()
    with _open_pair(db.with_name("live.db.before-restore"), db.with_name("live.db.keys.before-restore"),
                    tmp_path / "first") as first:
        assert "first.live" in [e.action for e in first.audit.events(limit=50)]
    _open_pair(db.with_name("live.db.before-restore.1"), db.with_name("live.db.keys.before-restore.1"),
               tmp_path / "second").close()


@flock_only
def test_restore_is_refused_while_another_session_has_the_database_open(tmp_path: Path) -> None:
    db, bak = tmp_path / "live.db", tmp_path / "b.cabak"
    store, _ = Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)
    backup(store, bak)
    before = db.stat().st_ino
    with pytest.raises(DatabaseError, match="another session"):
        restore(bak, db, "admin", PASSWORD, force=True)
    assert db.stat().st_ino == before and not list(tmp_path.glob("*.before-restore*"))
    assert not list(tmp_path.glob("*.restoring*"))
    store.audit.record("still.mine", detail="")  # the open session goes on writing to the live file
    store.close()
    with Store.open(db, "admin", PASSWORD) as again:
        assert again.audit.events(limit=1)[0].action == "still.mine"


@flock_only
def test_rekey_is_refused_while_another_session_is_open(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    admin, _ = Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)
    other = Store.open(db, "admin", PASSWORD)
    with pytest.raises(DatabaseError, match="another session has this database open"):
        rekey(admin)
    other.audit.record("other.works", detail="")  # nothing happened to the other session
    other.close()
    rekey(admin)  # alone now: allowed
    admin.close()


def test_a_session_whose_key_was_rotated_is_told_so(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "live.db"
    admin, _ = Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)
    other = Store.open(db, "admin", PASSWORD)
    monkeypatch.setattr(hold, "fcntl", None)  # a rotation the lock did not stop (no flock here)
    rekey(admin)
    with pytest.raises(DatabaseError, match="database key was rotated by another session at .*sign in again"):
        other.audit.record("other.writes", detail="")
    other.close()
    admin.close()


def test_disabling_an_account_revokes_an_old_copy_of_the_key_file(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    store, _ = Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)
    store.accounts.add("clin", "clinician password", kdf=FAST_KDF)
    saved_keys = tmp_path / "keys-copy"
    shutil.copy(db.with_name("live.db.keys"), saved_keys)
    assert disable_account(store, "clin")
    store.close()
    with pytest.raises((AuthenticationError, DatabaseError)):
        _open_pair(db, saved_keys, tmp_path / "attack", "clin", "clinician password").close()
    Store.open(db, "admin", PASSWORD).close()  # the admin goes on with the live key file
