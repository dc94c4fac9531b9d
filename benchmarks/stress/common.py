"""Shared pieces of the stress campaigns: the figures line, a fast throwaway database, the checks."""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
DEMO = sorted((ROOT / "resources" / "demo").glob("*.json"))
ADMIN = "admin"
PASSWORD = "stress password 1"
# Cheap Argon2 parameters: the campaigns open databases thousands of times; the real cost adds nothing.
FAST_KDF = {"name": "argon2id", "time_cost": 1, "memory_kib": 1024, "parallelism": 1}


@dataclass(frozen=True)
class Figures:
    """One campaign's counts; `ok` is False when any target is missed."""

    name: str
    runs: int
    lost: int = 0
    corrupt: int = 0
    tracebacks: int = 0
    orphans: int = 0
    failures: int = 0
    partial: int = 0
    note: str = ""

    @property
    def ok(self) -> bool:
        return not (self.lost or self.corrupt or self.tracebacks or self.orphans or self.failures
                    or self.partial)

    def line(self) -> str:
        parts = [f"{self.runs} runs", f"{self.lost} lost acknowledged writes", f"{self.corrupt} corrupt",
                 f"{self.tracebacks} tracebacks"]
        if self.orphans:
            parts.append(f"{self.orphans} orphan entries")
        if self.partial:
            parts.append(f"{self.partial} partial output files")
        parts.append(f"{self.failures} failures")
        text = f"{self.name}: " + ", ".join(parts)
        return text + (f"; {self.note}" if self.note else "") + ("" if self.ok else "  <-- TARGET MISSED")


def child_env(home: Path) -> dict[str, str]:
    """The environment for a child process: this checkout's `assistant`, no display, its own HOME."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
            "PYTHONUNBUFFERED": "1"}


def new_store(db: Path) -> Store:
    """Create a fresh database with one admin (fast KDF); returns the open store."""
    db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Store.create(db, ADMIN, PASSWORD, kdf=FAST_KDF)[0]


def check_db(db: Path) -> tuple[bool, bool, list[str]]:
    """Open the database as the admin (finishing any interrupted restore or rekey): (corrupt, audit_ok,
    problems). A database that does not open at all counts as corrupt."""
    try:
        store = Store.open(db, ADMIN, PASSWORD)
    except Exception as e:  # noqa: BLE001 - any failure to open is the finding
        return True, False, [f"open: {type(e).__name__}: {e}"]
    try:
        rows = store.conn.execute("PRAGMA integrity_check").fetchall()
        corrupt = [r[0] for r in rows] != ["ok"]
        check = store.audit.verify()
        return corrupt, check.ok, list(check.problems)
    finally:
        store.close()


def orphan_entries(store: Store) -> int:
    """Entries whose patient is not stored."""
    row = store.conn.execute("SELECT count(*) FROM entries WHERE patient_id NOT IN (SELECT id FROM patients)"
                             ).fetchone()
    return int(row[0])


def bad_modes(root: Path) -> list[str]:
    """Files under `root` readable or writable by group or others."""
    found = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode) and mode & 0o077:
                found.append(f"{path.relative_to(root)} {oct(mode & 0o777)}")
    return found


def demo_bundle(index: int, keep: int | None = None) -> dict[str, object]:
    """A demo bundle (the patient first, then at most `keep` entries)."""
    data = json.loads(DEMO[index % len(DEMO)].read_text("utf-8"))
    if keep is not None:
        data["entry"] = data["entry"][: keep + 1]
    return data


def fresh_ids(bundle: dict[str, object], tag: str) -> tuple[dict[str, object], str]:
    """The bundle with every resource id replaced by a new one derived from `tag` (references follow);
    returns (bundle, new patient id)."""
    text = json.dumps(bundle)
    entries = bundle.get("entry")
    assert isinstance(entries, list)
    ids = [e["resource"]["id"] for e in entries if isinstance(e, dict) and "id" in e.get("resource", {})]
    patient = ""
    for n, old in enumerate(ids):
        new = f"{tag}-{n:04d}"
        text = text.replace(old, new)
        patient = patient or new
    return json.loads(text), patient


def say(text: str) -> None:
    print(text, flush=True)
    sys.stdout.flush()
