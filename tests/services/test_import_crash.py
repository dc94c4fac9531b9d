"""A process killed in the middle of an import leaves whole files stored and nothing half-stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from assistant.records.fhir_read import MAPPED_TYPES
from assistant.store.database import Store
from support import FAST_KDF, PASSWORD


def test_kill_during_folder_import_leaves_only_whole_files(tmp_path: Path, shared_fhir: Path) -> None:
    db = tmp_path / "crash.db"
    Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)[0].close()
    env = {**os.environ, "ASSISTANT_DB": str(db), "ASSISTANT_USER": "admin", "ASSISTANT_PASSWORD": PASSWORD}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "import", str(shared_fhir)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # Wait until some files are committed, then kill the whole process group without warning.
    deadline = time.monotonic() + 120
    store = None
    try:
        while time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                store = Store.open(db, "admin", PASSWORD)
            except Exception:
                continue
            n = store.patients.count()
            store.close()
            store = None
            if n >= 3 or proc.poll() is not None:
                break
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    store = Store.open(db, "admin", PASSWORD)
    try:
        stored = Counter(dict(store.conn.execute(
            "SELECT patient_id, count(*) FROM entries GROUP BY patient_id").fetchall()))
        assert store.patients.count() >= 3
        # Every patient that landed has exactly the entries of its file: no half file.
        for f in shared_fhir.glob("*.json"):
            entries = json.loads(f.read_text("utf-8"))["entry"]
            pids = [e["resource"]["id"] for e in entries if e["resource"]["resourceType"] == "Patient"]
            if not pids:
                continue
            expected = sum(1 for e in entries if e["resource"]["resourceType"] in MAPPED_TYPES - {"Patient"})
            landed = store.conn.execute("SELECT 1 FROM patients WHERE id = ?", (pids[0],)).fetchone()
            assert stored.get(pids[0], 0) == (expected if landed else 0), f.name
        assert store.audit.verify().ok
    finally:
        store.close()
