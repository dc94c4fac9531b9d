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


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_import_leaves_no_worker_processes(tmp_path: Path, shared_fhir: Path) -> None:
    # kill -9 of the importing process alone (not its group) left four parse workers, about 150 MB,
    # running for good (issue 15, item 4).
    if not sys.platform.startswith("linux"):
        import pytest

        pytest.skip("parent-death signals are Linux's")
    db = tmp_path / "orphans.db"
    Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)[0].close()
    env = {**os.environ, "ASSISTANT_DB": str(db), "ASSISTANT_USER": "admin", "ASSISTANT_PASSWORD": PASSWORD}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "import", str(shared_fhir)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        children = _descendants(proc.pid)
        if len(children) >= 2:  # the pool is up (a forkserver and workers, or workers)
            break
        time.sleep(0.05)
    assert children, "the import started no worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(p) for p in children):
        time.sleep(0.2)
    left = [p for p in children if _alive(p)]
    for p in left:  # do not leave them behind for the next test either
        os.kill(p, signal.SIGKILL)
    assert left == [], f"{len(left)} worker process(es) outlived the killed import"
