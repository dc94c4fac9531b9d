"""The app's own versioned documents (care plans...): drafts are editable, signed versions read-only."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from assistant.errors import BadInputError

from .audit import AuditLog
from .types import JSONObject, Row, StoreContext, as_int, as_text, as_text_or_none, utcnow


@dataclass(frozen=True)
class StoredDocument:
    id: str
    patient_id: str
    kind: str
    series: str  # all versions of one document share a series id
    version: int
    status: str  # draft, signed, superseded
    data: JSONObject
    created: str
    created_by: str
    signed_by: str | None = None
    signed_at: str | None = None
    supersedes: str | None = None
    # The accounts' display names as they are now ("" when the account has none or is gone): for
    # people reading the document; the logins above stay the record of who did it.
    created_by_name: str = ""
    signed_by_name: str = ""

    @property
    def by(self) -> str:
        """Who signed it, else who made it: the display name where the account has one."""
        if self.signed_by:
            return self.signed_by_name or self.signed_by
        return self.created_by_name or self.created_by


_COLS = ("id, patient_id, kind, series, version, status, data, created, created_by, signed_by, "
         "signed_at, supersedes")
# A document's own authors only (not a list of accounts, which clinicians may not read: access.py).
_SELECT = (f"SELECT {', '.join('d.' + c.strip() for c in _COLS.split(','))}, cu.display_name, su.display_name "
           "FROM documents d LEFT JOIN users cu ON cu.name = d.created_by "
           "LEFT JOIN users su ON su.name = d.signed_by")


def _row(r: Row) -> StoredDocument:
    return StoredDocument(as_text(r[0]), as_text(r[1]), as_text(r[2]), as_text(r[3]), as_int(r[4]),
                          as_text(r[5]), json.loads(as_text(r[6])), as_text(r[7]), as_text(r[8]),
                          as_text_or_none(r[9]), as_text_or_none(r[10]), as_text_or_none(r[11]),
                          as_text_or_none(r[12]) or "", as_text_or_none(r[13]) or "")


class Documents:
    """`store.documents`: save versions, edit drafts, sign, read back; every change is audited."""

    def __init__(self, ctx: StoreContext, audit: AuditLog) -> None:
        self._ctx = ctx
        self._audit = audit

    def save(self, patient_id: str, kind: str, data: JSONObject,
             series: str | None = None) -> StoredDocument:
        """Save a new draft version (of `series`, or of a new series). Older drafts stay as history."""
        with self._ctx.transaction() as conn:
            version = 1
            supersedes = None
            if series:
                last = conn.execute("SELECT id, version FROM documents WHERE series = ? "
                                    "ORDER BY version DESC LIMIT 1", (series,)).fetchone()
                if last:
                    supersedes, version = as_text(last[0]), as_int(last[1]) + 1
            series = series or uuid.uuid4().hex
            doc_id = uuid.uuid4().hex
            conn.execute(f"INSERT INTO documents({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                         (doc_id, patient_id, kind, series, version, "draft",
                          json.dumps(data, ensure_ascii=False), utcnow(), self._ctx.account.name,
                          None, None, supersedes))
            if supersedes:
                conn.execute("UPDATE documents SET status = 'superseded' WHERE id = ? AND "
                             "status IN ('signed', 'draft')", (supersedes,))
            self._audit.record(f"{kind}.save", patient_id, f"{doc_id} v{version}")
        return self.get(doc_id)

    def update_draft(self, doc_id: str, data: JSONObject) -> StoredDocument:
        doc = self.get(doc_id)
        if doc.status != "draft":
            raise BadInputError(f"document {doc_id} is {doc.status}; edit a new version instead")
        with self._ctx.transaction() as conn:
            conn.execute("UPDATE documents SET data = ? WHERE id = ?",
                         (json.dumps(data, ensure_ascii=False), doc_id))
            self._audit.record(f"{doc.kind}.edit", doc.patient_id, doc_id)
        return self.get(doc_id)

    def sign(self, doc_id: str) -> StoredDocument:
        """Sign a draft as the signed-in account; the version becomes read-only."""
        doc = self.get(doc_id)
        if doc.status != "draft":
            raise BadInputError(f"document {doc_id} is {doc.status}; only a draft can be signed")
        with self._ctx.transaction() as conn:
            conn.execute("UPDATE documents SET status = 'signed', signed_by = ?, signed_at = ? "
                         "WHERE id = ?", (self._ctx.account.name, utcnow(), doc_id))
            self._audit.record(f"{doc.kind}.sign", doc.patient_id, doc_id)
        return self.get(doc_id)

    def get(self, doc_id: str) -> StoredDocument:
        r = self._ctx.conn.execute(f"{_SELECT} WHERE d.id = ?", (doc_id,)).fetchone()
        if r is None:
            raise BadInputError(f"no document {doc_id!r}")
        return _row(r)

    # Last in the class: below it, `list` would name this method rather than the type.
    def list(self, patient_id: str, kind: str | None = None) -> list[StoredDocument]:
        """A patient's documents (of one kind, if given), newest first."""
        sql = f"{_SELECT} WHERE d.patient_id = ?"
        args: list[object] = [patient_id]
        if kind:
            sql += " AND d.kind = ?"
            args.append(kind)
        return [_row(r) for r in self._ctx.conn.execute(sql + " ORDER BY d.created DESC, d.version DESC", args)]
