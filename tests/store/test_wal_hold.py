"""A session whose SQLite locks are dropped in its own process keeps every acknowledged write (issue 15.1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.store.database import Store
from support import FAST_KDF, PASSWORD, ROOT

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX lock semantics of Linux")

# The app: a session with the database open; something in its own process opens and closes the
# database's files (what Qt's file chooser did); another process opens and closes the database;
# the app writes, says so, and is killed with SIGKILL before any clean close.
APP = r"""
import os, signal, subprocess, sys, time
from pathlib import Path
from assistant.store.database import Store

db, mode = Path(sys.argv[1]), sys.argv[2]
store = Store.open(db, "admin", sys.argv[3])
store.audit.record("test.before", detail="written before the chooser")
wal_before = os.stat(str(db) + "-wal").st_ino
if mode == "raw":
    for suffix in ("", "-wal", "-shm"):
        os.close(os.open(str(db) + suffix, os.O_RDONLY))
else:
    from PySide6.QtWidgets import QApplication
    from assistant.gui.choosers import SafeFileDialog
    app = QApplication([])
    dialog = SafeFileDialog(None, "FHIR files", None, "FHIR (*.json);;All files (*)")
    dialog.setDirectory(str(db.parent))  # the worst case: the user walks into the database's folder
    dialog.show()
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        app.processEvents()
    dialog.close()
other = "from assistant.store.database import Store; import sys; Store.open(sys.argv[1], 'admin', sys.argv[2]).close()"
subprocess.run([sys.executable, "-c", other, str(db), sys.argv[3]], check=True)
wal_kept = os.path.exists(str(db) + "-wal") and os.stat(str(db) + "-wal").st_ino == wal_before
store.audit.record("test.after", detail="written after the other process closed")
print("saved", "wal-kept" if wal_kept else "wal-replaced", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _run_app(tmp_path: Path, mode: str) -> str:
    db = tmp_path / "data" / "app.db"
    Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)[0].close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "ASSISTANT_DB": str(db), "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", APP, str(db), mode, PASSWORD], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert proc.stdout.startswith("saved"), proc.stderr[-2000:]
    with Store.open(db, "admin", PASSWORD) as store:
        actions = [e.action for e in store.audit.events(limit=20)]
        assert store.audit.verify().ok
    assert "test.before" in actions
    assert "test.after" in actions, "an acknowledged write was lost"
    return proc.stdout


def test_write_after_the_locks_were_dropped_in_process_survives_kill9(tmp_path: Path) -> None:
    _run_app(tmp_path, "raw")


def test_the_app_chooser_in_the_database_folder_keeps_sqlites_locks(tmp_path: Path) -> None:
    out = _run_app(tmp_path, "qt")
    # The chooser opened none of the database's files: the other process saw the app still there.
    assert "wal-kept" in out
