"""kill -9 campaigns: a child doing import, rekey, backup, restore or sign is killed at a random moment,
then the database must open intact with every acknowledged write in it and no partial output file."""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

from assistant.store.database import Store
from assistant.store.maintenance import BACKUP_MAGIC
from assistant.store.restore_journal import displaced, free_number

from .child import MARK
from .common import ADMIN, PASSWORD, Figures, check_db, child_env, new_store

OPS = ("import", "rekey", "backup", "restore", "sign")
# How long after READY the kill may come: long enough for several writes, short for many runs.
WINDOW_S = 2.5


def _run_child(op: str, db: Path, out: Path, home: Path, delay: float) -> tuple[list[str], str]:
    """Start the child, wait for READY, kill it `delay` seconds later: (ACKed ids, stderr)."""
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.stress.child", op, str(db), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(home))
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    if first.strip() == "READY":
        time.sleep(delay)
    proc.kill()  # SIGKILL
    rest, err = proc.communicate(timeout=60)
    lines = (first + rest).splitlines()
    return [ln[4:] for ln in lines if ln.startswith("ACK ")], err


def _marks(store: Store) -> set[str]:
    rows = store.conn.execute("SELECT detail FROM audit WHERE action = ?", (MARK,)).fetchall()
    return {str(r[0]) for r in rows}


def _marks_in_displaced(db: Path, scratch: Path) -> set[str]:
    """Marks in the newest copy a restore moved aside (its files carry the restore's number)."""
    n = free_number(db) - 1
    if n < 0:
        return set()
    scratch.mkdir(exist_ok=True, mode=0o700)
    copy = scratch / "moved.db"
    for suffix in ("", "-wal"):
        src = Path(str(displaced(db, n)) + suffix)
        if src.exists():
            shutil.copy2(src, str(copy) + suffix)
    shutil.copy2(displaced(db.with_name(db.name + ".keys"), n), scratch / "moved.db.keys")
    with Store.open(copy, ADMIN, PASSWORD) as store:
        return _marks(store)


def _missing(op: str, acks: list[str], db: Path, out: Path, scratch: Path) -> tuple[int, int]:
    """(acknowledged writes not found, partial output files at a final name)."""
    if not acks:
        return 0, 0
    partial = 0
    with Store.open(db, ADMIN, PASSWORD) as store:
        patients = {str(r[0]) for r in store.conn.execute("SELECT id FROM patients")}
        docs = {str(r[0]) for r in store.conn.execute("SELECT id FROM documents WHERE status = 'signed'")}
        marks = _marks(store)
        keys = {str(r[0]).rpartition(" ")[2] for r in store.conn.execute(
            "SELECT detail FROM audit WHERE action = 'db.rekey'")}
    if op == "restore":  # a later restore may have moved the last mark aside: it is kept there
        last = acks[-1]
        return (0 if last in marks or last in _marks_in_displaced(db, scratch) else 1), 0
    lost = 0
    for ack in acks:
        kind, _, value = ack.rpartition(":")
        if kind == "file":
            continue
        if kind == "key":
            lost += value not in keys
        elif kind == "doc":
            lost += value not in docs
        elif op == "import":
            lost += ack not in patients
        else:
            lost += ack not in marks
    for bak in out.glob("backup-*.bak"):  # every file at a final name is a whole backup
        partial += not _whole_backup(bak)
    return lost, partial


def _whole_backup(path: Path) -> bool:
    """The magic, a key section that parses, then whole database pages (ciphertext, no plain header)."""
    data = path.read_bytes()
    if not data.startswith(BACKUP_MAGIC):
        return False
    at = len(BACKUP_MAGIC)
    (n,) = struct.unpack(">Q", data[at:at + 8])
    try:
        json.loads(data[at + 8:at + 8 + n])
    except ValueError:
        return False
    pages = data[at + 8 + n:]
    return len(pages) > 0 and len(pages) % 1024 == 0 and not pages.startswith(b"SQLite format 3")


def campaign(op: str, runs: int, work: Path, rng: random.Random) -> Figures:
    """`runs` kills of the `op` child, each on a fresh database."""
    lost = corrupt = tracebacks = partial = failures = acked = 0
    for n in range(runs):
        base = work / f"kill9-{op}" / f"run{n}"
        db, out = base / "db" / "app.db", base / "out"
        out.mkdir(parents=True, mode=0o700)
        new_store(db).close()
        acks, err = _run_child(op, db, out, base, rng.uniform(0.0, WINDOW_S))
        acked += len(acks)
        if "Traceback" in err:
            tracebacks += 1
            print(f"  {op} run {n}: child traceback\n{err[-1500:]}", file=sys.stderr)
        bad, audit_ok, problems = check_db(db)
        corrupt += bad
        if not audit_ok:
            failures += 1
            print(f"  {op} run {n}: audit verify failed: {problems[:3]}", file=sys.stderr)
        if not bad:
            n_lost, n_partial = _missing(op, acks, db, out, base / "scratch")
            lost, partial = lost + n_lost, partial + n_partial
    return Figures(f"kill9-{op}", runs, lost=lost, corrupt=corrupt, tracebacks=tracebacks, partial=partial,
                   failures=failures, note=f"{acked} acknowledged writes checked")
