"""A backup's temporary files are private while it runs, and a killed backup's are cleared by the next
backup (issue 15, `make stress` permissions finding)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import BadInputError
from assistant.store import hold, maintenance
from assistant.store.database import Store
from support import PASSWORD, ROOT

flock_only = pytest.mark.skipif(hold.fcntl is None, reason="telling a running backup apart needs flock")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_partial_files_are_private_even_under_a_permissive_umask(tmp_path: Path, store: Store,
                                                                    monkeypatch) -> None:
    seen: dict[str, int] = {}
    real_backup = store.conn.backup

    def spy(target) -> None:  # noqa: ANN001 - a sqlcipher connection
        real_backup(target)
        target.execute("CREATE TABLE IF NOT EXISTS spy(x)")  # the target's WAL exists now
        for p in tmp_path.iterdir():
            if ".partial" in p.name:
                seen[p.name] = _mode(p)

    monkeypatch.setattr(store.conn, "backup", spy)
    old = os.umask(0o022)
    try:
        maintenance.backup(store, tmp_path / "b.cabak")
    finally:
        os.umask(old)
    assert all(mode & 0o077 == 0 for mode in seen.values()), seen
    assert {"b.cabak.partial", "b.cabak.partial-db", "b.cabak.partial-db-wal"} <= set(seen)
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]
    assert _mode(tmp_path / "b.cabak") & 0o077 == 0


KILLED = """
import os, signal, sys
from pathlib import Path
from assistant.store import maintenance
from assistant.store.database import Store
os.umask(0o022)  # a permissive umask: only the app's own care keeps the files private
store = Store.open(Path(sys.argv[1]), "admin", sys.argv[2])
def die(target):
    os.kill(os.getpid(), signal.SIGKILL)
store.conn.backup = die
maintenance.backup(store, Path(sys.argv[3]))
"""


def _killed_backup(db: Path, dest: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", KILLED, str(db), PASSWORD, str(dest)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr[-1500:]


def test_a_killed_backup_leaves_private_files_that_the_next_backup_clears(tmp_path: Path,
                                                                         store: Store) -> None:
    out = tmp_path / "out"
    out.mkdir()
    store.close()
    _killed_backup(store.path, out / "one.cabak")
    left = sorted(p.name for p in out.iterdir())
    assert "one.cabak.partial-db" in left and not (out / "one.cabak").exists()
    assert all(_mode(out / name) & 0o077 == 0 for name in left), left
    with Store.open(store.path, "admin", PASSWORD) as again:
        maintenance.backup(again, out / "one.cabak")  # the same name
        assert sorted(p.name for p in out.iterdir()) == ["one.cabak"]
        cleanup = [e for e in again.audit.events(limit=10) if e.action == "db.backup.cleanup"]
        assert cleanup and "interrupted backup" in cleanup[0].detail


@flock_only
def test_the_next_backup_to_another_name_clears_them_too_but_never_a_running_one(tmp_path: Path,
                                                                                store: Store) -> None:
    store.close()
    _killed_backup(store.path, tmp_path / "dead.cabak")
    running = tmp_path / "busy.cabak.partial"
    Path(str(running) + "-db").write_bytes(b"in progress")
    fd = os.open(running, os.O_RDWR | os.O_CREAT, 0o600)
    hold.fcntl.flock(fd, hold.fcntl.LOCK_EX)  # another process's backup, still running
    try:
        with Store.open(store.path, "admin", PASSWORD) as again:
            maintenance.backup(again, tmp_path / "new.cabak")
            with pytest.raises(BadInputError, match="another backup"):
                maintenance.backup(again, tmp_path / "busy.cabak")
    finally:
        os.close(fd)
    names = {p.name for p in tmp_path.iterdir() if ".cabak" in p.name}
    assert names == {"new.cabak", "busy.cabak.partial", "busy.cabak.partial-db"}
