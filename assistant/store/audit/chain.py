"""The audit rows themselves: the hash that links each row to the one before, and the row types."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..types import Row, as_int, as_text

GENESIS = "0" * 64
ROW_COLUMNS = "seq, ts, user, action, patient_id, detail, prev_hash, hash, signer, sig"
# Who signed a row: the author's own key, the system key, or nobody (rows from before signing).
SIGNER_USER, SIGNER_SYSTEM, UNSIGNED = "user", "system", ""
# The author of rows written with the printed recovery key: no person's key can sign them.
RECOVERY_AUTHOR = "recovery"


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
    """The verdict: ok only without problems; notes say what holds but proves less."""

    ok: bool
    rows: int
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredRow:
    """One row as read back for verification (values unconverted where the hash needs them raw)."""

    seq: int
    ts: object
    user: object
    action: object
    patient: object
    detail: object
    prev_hash: object
    hash: object
    signer: object
    sig: object

    @classmethod
    def from_row(cls, r: Row) -> StoredRow:
        return cls(as_int(r[0]), *r[1:10])

    def recomputed(self) -> str:
        return digest(self.prev_hash, self.seq, self.ts, self.user, self.action, self.patient,
                      self.detail)

    @property
    def user_text(self) -> str:
        return self.user if isinstance(self.user, str) else repr(self.user)


def digest(prev: object, seq: int, ts: object, user: object, action: object, patient: object,
           detail: object) -> str:
    # Values as read back, not converted: a row edited to another type fails the check, as before.
    payload = json.dumps([prev, seq, ts, user, action, patient, detail], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def event(r: Row) -> AuditEvent:
    return AuditEvent(as_int(r[0]), as_text(r[1]), as_text(r[2]), as_text(r[3]), as_text(r[4]),
                      as_text(r[5]), as_text(r[6]))
