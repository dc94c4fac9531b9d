"""Tamper-evident audit log: append-only rows, each hashing its predecessor, verified end to end."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .types import Row, StoreContext, as_int, as_text, utcnow

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    ts: str
    user: str
    action: str
    patient_id: str
    detail: str
    hash: str

    def to_dict(self) -> dict[str, object]:
        return {"seq": self.seq, "ts": self.ts, "user": self.user, "action": self.action,
                "patient": self.patient_id, "detail": self.detail}


@dataclass(frozen=True)
class AuditCheck:
    ok: bool
    rows: int
    problems: tuple[str, ...] = ()


def _digest(prev: object, seq: int, ts: object, user: object, action: object, patient: object,
            detail: object) -> str:
    # Values as read back, not converted: a row edited to another type fails the check, as before.
    payload = json.dumps([prev, seq, ts, user, action, patient, detail], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _event(r: Row) -> AuditEvent:
    return AuditEvent(as_int(r[0]), as_text(r[1]), as_text(r[2]), as_text(r[3]), as_text(r[4]),
                      as_text(r[5]), as_text(r[6]))


class AuditLog:
    """`store.audit`: append events as the signed-in account, list them, verify the chain."""

    def __init__(self, ctx: StoreContext) -> None:
        self._ctx = ctx

    def record(self, action: str, patient_id: str = "", detail: str = "") -> None:
        """Append one event (who, what, which chart, when). Joins the caller's transaction if any."""
        user = self._ctx.account.name
        with self._ctx.transaction() as conn:
            row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (as_int(row[0]) + 1, row[1]) if row else (1, GENESIS)
            ts = utcnow()
            h = _digest(prev, seq, ts, user, action, patient_id, detail)
            conn.execute("INSERT INTO audit(seq, ts, user, action, patient_id, detail, prev_hash, hash)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (seq, ts, user, action, patient_id, detail, prev, h))
            # The head is kept apart from the rows so that deleting the newest rows is caught too.
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('audit_head', ?)",
                         (f"{seq}:{h}",))

    def events(self, patient_id: str | None = None, limit: int = 100, user: str | None = None) -> list[AuditEvent]:
        """The newest events first, of one chart or of all, of one account or of all."""
        sql = "SELECT seq, ts, user, action, patient_id, detail, hash FROM audit"
        where = [(c, v) for c, v in (("patient_id", patient_id), ("user", user)) if v]
        args: tuple[object, ...] = tuple(v for _, v in where)
        if where:
            sql += " WHERE " + " AND ".join(f"{c} = ?" for c, _ in where)
        sql += " ORDER BY seq DESC LIMIT ?"
        rows = self._ctx.conn.execute(sql, (*args, limit)).fetchall()
        return [_event(r) for r in rows]

    def verify(self) -> AuditCheck:
        """Recompute the chain; report every edited, inserted, reordered or deleted row."""
        conn = self._ctx.conn
        problems: list[str] = []
        prev: object = GENESIS
        expected_seq, n = 1, 0
        rows = conn.execute("SELECT seq, ts, user, action, patient_id, detail, prev_hash, hash "
                            "FROM audit ORDER BY seq")
        for seq_value, ts, user, action, patient, detail, prev_hash, h in rows:
            seq = as_int(seq_value)  # INTEGER PRIMARY KEY: SQLite keeps it an integer
            n += 1
            if seq != expected_seq:
                problems.append(f"row {expected_seq}..{seq - 1} missing (deleted)")
            if prev_hash != prev:
                problems.append(f"row {seq}: link to the previous row broken")
            if _digest(prev_hash, seq, ts, user, action, patient, detail) != h:
                problems.append(f"row {seq}: contents changed after it was written")
            prev, expected_seq = h, seq + 1
        head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
        if head is not None and n:
            head_seq, head_hash = as_text(head[0]).split(":", 1)
            if int(head_seq) != expected_seq - 1 or head_hash != prev:
                problems.append(f"newest rows missing: the log ends at row {expected_seq - 1} but "
                                f"row {head_seq} was written")
        elif head is not None and not n:
            problems.append("all rows deleted")
        return AuditCheck(not problems, n, tuple(problems))
