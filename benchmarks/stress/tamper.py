"""Audit tamper: an account holder with SQL access deletes their own rows and re-chains, alters a row,
forges another user's row, or truncates the tail; `audit verify` must catch each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.store.audit.chain import digest
from assistant.store.audit.signing import Signer, load_system_signer, user_signer
from assistant.store.database import Store

from .common import ADMIN, FAST_KDF, PASSWORD, Figures, new_store

CLIN, CLIN_PW = "drjones", "clinician password 1"
Row = tuple[object, ...]


def audit_rows(store: Store) -> list[Row]:
    return list(store.conn.execute("SELECT seq, ts, user, action, patient_id, detail, signer, sig FROM audit "
                                   "ORDER BY seq"))


def rewrite_log(store: Store, rows: list[Row], signers: dict[str, Signer]) -> None:
    """What an attacker with SQL access and their own key does: drop the guards, replace the log
    with `rows` renumbered from 1, re-chained and re-signed with whatever keys they hold (the
    other rows keep the signatures they had). tests/store/test_audit_signing.py uses it too."""
    conn = store.conn
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    conn.execute("DELETE FROM audit")
    prev = "0" * 64
    for seq, (_old, ts, user, action, patient, detail, kind, old_sig) in enumerate(rows, 1):
        h = digest(prev, seq, ts, user, action, patient, detail)
        signer = signers.get(str(user)) or signers.get(str(kind))
        kind, sig = (signer.kind, signer.sign(h)) if signer else (kind, old_sig)
        conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (seq, ts, user, action, patient, detail, prev, h, kind, sig))
        prev = h
    conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{len(rows)}:{prev}",))


def _delete_own(store: Store, keys: dict[str, Signer]) -> None:
    rewrite_log(store, [r for r in audit_rows(store) if not (r[2] == CLIN and r[3] == "chart.open")], keys)


def _alter(store: Store, keys: dict[str, Signer]) -> None:
    rows = audit_rows(store)
    n = next(i for i, r in enumerate(rows) if r[3] == "admin.work")
    rows[n] = (*rows[n][:5], "changed", *rows[n][6:])
    rewrite_log(store, rows, keys)


def _forge(store: Store, keys: dict[str, Signer]) -> None:
    rows = audit_rows(store)
    rewrite_log(store, [*rows, (0, rows[-1][1], ADMIN, "user.disable", "", "x", "user", "")],
             dict(keys, admin=keys[CLIN]))


def _truncate(store: Store, keys: dict[str, Signer]) -> None:
    rewrite_log(store, audit_rows(store)[:-2], keys)


TAMPERS: dict[str, Callable[[Store, dict[str, Signer]], None]] = {
    "delete-own-and-rechain": _delete_own, "alter-row": _alter, "forge-row": _forge, "truncate-tail": _truncate}


def campaign(work: Path) -> Figures:
    undetected = []
    for name, tamper in TAMPERS.items():
        db = work / "tamper" / name / "app.db"
        with new_store(db) as admin:
            admin.accounts.add(CLIN, CLIN_PW, "clinician", kdf=FAST_KDF)
            admin.audit.record("admin.work", detail="one")
        with Store.open(db, CLIN, CLIN_PW) as clin:
            for i in range(4):
                clin.audit.record("chart.open", f"p{i}", "gui")
        with Store.open(db, ADMIN, PASSWORD) as admin:
            admin.audit.record("admin.later")
        clin = Store.open(db, CLIN, CLIN_PW)
        system = load_system_signer(clin.conn)
        keys = {CLIN: user_signer(clin.keyring.signing[CLIN]), **({"system": system} if system else {})}
        tamper(clin, keys)
        clin.conn.close()  # killed: no witness line at close
        with Store.open(db, ADMIN, PASSWORD) as admin:
            if admin.audit.verify().ok:
                undetected.append(name)
    return Figures("audit-tamper", len(TAMPERS), failures=len(undetected),
                   note=f"{len(TAMPERS) - len(undetected)} of {len(TAMPERS)} tampers detected"
                   + (f"; undetected: {', '.join(undetected)}" if undetected else ""))
