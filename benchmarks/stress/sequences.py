"""Fixed sequences: the two-process WAL case, restore cut between its renames, two restores in a row,
restore refused while another session is open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.store import maintenance
from assistant.store.database import Store
from assistant.store.restore_journal import KILL_AT_ENV, journal_path

from .common import ADMIN, PASSWORD, Figures, check_db, child_env, new_store

# The app opens the database, something in its own process opens and closes the database's files
# (dropping SQLite's POSIX locks), another process opens and closes it, the app writes, says so,
# and is killed before any clean close.
WAL_APP = r"""
import os, signal, subprocess, sys
from assistant.store.database import Store
db, pw = sys.argv[1], sys.argv[2]
store = Store.open(db, "admin", pw)
store.audit.record("stress.before")
for suffix in ("", "-wal", "-shm"):
    os.close(os.open(db + suffix, os.O_RDONLY))
other = "from assistant.store.database import Store; import sys; Store.open(sys.argv[1], 'admin', sys.argv[2]).close()"
subprocess.run([sys.executable, "-c", other, db, pw], check=True)
store.audit.record("stress.after")
print("ACK stress.after", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def wal(runs: int, work: Path) -> Figures:
    lost = corrupt = tracebacks = 0
    for n in range(runs):
        db = work / "wal" / f"run{n}" / "app.db"
        new_store(db).close()
        proc = subprocess.run([sys.executable, "-c", WAL_APP, str(db), PASSWORD], capture_output=True,
                              text=True, env=child_env(db.parent), timeout=120)
        tracebacks += "Traceback" in proc.stderr
        bad, audit_ok, _ = check_db(db)
        corrupt += bad or not audit_ok
        if not bad:
            with Store.open(db, ADMIN, PASSWORD) as store:
                acts = {str(r[0]) for r in store.conn.execute("SELECT action FROM audit")}
            lost += "ACK stress.after" in proc.stdout and "stress.after" not in acts
    return Figures("wal-two-process", runs, lost=lost, corrupt=corrupt, tracebacks=tracebacks)


RESTORE_CHILD = ("import sys; from pathlib import Path; from assistant.store import maintenance; "
                 "maintenance.restore(Path(sys.argv[1]), Path(sys.argv[2]), 'admin', sys.argv[3], force=True)")


def restore(work: Path) -> Figures:
    """Kill at each rename (then reopen), two restores in a row, and a restore with a session open."""
    root = work / "restore-seq"
    failures = corrupt = tracebacks = runs = 0
    for kill_at in range(6):  # swap_in makes six renames
        db = root / f"kill{kill_at}" / "app.db"
        with new_store(db) as store:
            maintenance.backup(store, db.parent / "b.bak")
        env = {**child_env(db.parent), KILL_AT_ENV: str(kill_at)}
        proc = subprocess.run([sys.executable, "-c", RESTORE_CHILD, str(db.parent / "b.bak"), str(db), PASSWORD],
                              capture_output=True, text=True, env=env, timeout=120)
        runs += 1
        tracebacks += "Traceback" in proc.stderr
        failures += proc.returncode != -9
        bad, audit_ok, _ = check_db(db)  # opening finishes the journalled renames
        corrupt += bad
        failures += not audit_ok or journal_path(db).exists()
    db = root / "twice" / "app.db"
    with new_store(db) as store:
        maintenance.backup(store, db.parent / "b.bak")
    for _ in range(2):
        maintenance.restore(db.parent / "b.bak", db, ADMIN, PASSWORD, force=True).close()
        runs += 1
    bad, audit_ok, _ = check_db(db)
    corrupt += bad
    failures += not audit_ok or not (db.parent / "app.db.before-restore.1").exists()
    with Store.open(db, ADMIN, PASSWORD) as other:  # another session holds the database
        before = os.stat(db).st_ino
        runs += 1
        try:
            maintenance.restore(db.parent / "b.bak", db, ADMIN, PASSWORD, force=True).close()
            failures += 1
        except Exception as e:  # noqa: BLE001 - the refusal is what we want
            failures += "another session" not in str(e)
        failures += os.stat(db).st_ino != before
        other.audit.record("stress.after-refusal")
    return Figures("restore-sequences", runs, corrupt=corrupt, tracebacks=tracebacks, failures=failures,
                   note="kill at each of 6 renames + reopen, two restores, refused while open")
