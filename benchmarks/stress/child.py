"""The process a kill -9 campaign kills: one operation in a loop, printing "ACK <id>" after each commit.

Run as `python -m benchmarks.stress.child OP DB OUTDIR`; OP is import, rekey, backup, restore or sign.
It prints READY once set up, then one ACK line for every write that returned (the caller's promise
that the write is durable), until it is killed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.services import careplans
from assistant.services.documents import draft_and_save_careplan
from assistant.services.importing import import_files
from assistant.store import maintenance
from assistant.store.database import Store

from .common import ADMIN, PASSWORD, demo_bundle, fresh_ids, say

MARK = "stress.mark"


def _import(store: Store, db: Path, out: Path) -> None:
    i = 0
    while True:
        bundle, patient = fresh_ids(demo_bundle(i, keep=15), f"k{out.name}-{i}")
        path = out / f"in-{i}.json"
        path.write_text(json.dumps(bundle), "utf-8")
        report = import_files(store, [path], workers=1)
        if report.failed:
            raise SystemExit(f"import failed: {report.failed[0].error}")
        say(f"ACK {patient}")
        i += 1


def _rekey(store: Store, db: Path, out: Path) -> None:
    i = 0
    while True:
        key_id = maintenance.rekey(store)
        say(f"ACK key:{key_id}")
        store.audit.record(MARK, detail=f"m{i}")
        say(f"ACK m{i}")
        i += 1


def _backup(store: Store, db: Path, out: Path) -> None:
    i = 0
    while True:
        maintenance.backup(store, out / f"backup-{i}.bak")
        say(f"ACK file:backup-{i}.bak")
        store.audit.record(MARK, detail=f"m{i}")
        say(f"ACK m{i}")
        i += 1


def _restore(store: Store, db: Path, out: Path) -> None:
    backup = out / "base.bak"
    maintenance.backup(store, backup)
    store.close()
    i = 0
    while True:
        restored = maintenance.restore(backup, db, ADMIN, PASSWORD, force=True)
        restored.audit.record(MARK, detail=f"m{i}")
        restored.close()
        say(f"ACK m{i}")
        i += 1


def _sign(store: Store, db: Path, out: Path) -> None:
    bundle, patient = fresh_ids(demo_bundle(2, keep=30), "sign")
    path = out / "sign.json"
    path.write_text(json.dumps(bundle), "utf-8")
    import_files(store, [path], workers=1)
    record = store.patients.load_record(patient)
    while True:
        doc = draft_and_save_careplan(store, record)
        careplans.sign(store, doc.id, password=PASSWORD)
        say(f"ACK doc:{doc.id}")


OPS = {"import": _import, "rekey": _rekey, "backup": _backup, "restore": _restore, "sign": _sign}


def main(argv: list[str]) -> None:
    op, db, out = argv[0], Path(argv[1]), Path(argv[2])
    store = Store.open(db, ADMIN, PASSWORD)
    say("READY")
    OPS[op](store, db, out)


if __name__ == "__main__":
    main(sys.argv[1:])
