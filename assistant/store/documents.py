"""The app's own versioned documents (care plans...): drafts are editable, signed versions read-only."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from assistant.errors import BadInputError


@dataclass(frozen=True)
class StoredDocument:
    id: str
    patient_id: str
    kind: str
    series: str  # all versions of one document share a series id
    version: int
    status: str  # draft, signed, superseded
    data: dict[str, Any]
    created: str
    created_by: str
    signed_by: str | None = None
    signed_at: str | None = None
    supersedes: str | None = None


_COLS = ("id, patient_id, kind, series, version, status, data, created, created_by, signed_by, "
         "signed_at, supersedes")


def _row(r: Any) -> StoredDocument:
    return StoredDocument(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8], r[9],
                          r[10], r[11])


class DocumentsMixin:
    conn: Any
    account: Any

    def save_document(self, patient_id: str, kind: str, data: dict[str, Any],
                      series: str | None = None) -> StoredDocument:
        """Save a new draft version (of `series`, or of a new series). Older drafts stay as history."""
        from .database import utcnow

        with self.transaction():  # type: ignore[attr-defined]
            version = 1
            supersedes = None
            if series:
                last = self.conn.execute("SELECT id, version FROM documents WHERE series = ? "
                                         "ORDER BY version DESC LIMIT 1", (series,)).fetchone()
                if last:
                    supersedes, version = last[0], last[1] + 1
            series = series or uuid.uuid4().hex
            doc_id = uuid.uuid4().hex
            self.conn.execute(f"INSERT INTO documents({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                              (doc_id, patient_id, kind, series, version, "draft",
                               json.dumps(data, ensure_ascii=False), utcnow(), self.account.name,
                               None, None, supersedes))
            if supersedes:
                self.conn.execute("UPDATE documents SET status = 'superseded' WHERE id = ? AND "
                                  "status IN ('signed', 'draft')", (supersedes,))
            self.audit(f"{kind}.save", patient_id, f"{doc_id} v{version}")  # type: ignore[attr-defined]
        return self.get_document(doc_id)

    def update_draft(self, doc_id: str, data: dict[str, Any]) -> StoredDocument:
        doc = self.get_document(doc_id)
        if doc.status != "draft":
            raise BadInputError(f"document {doc_id} is {doc.status}; edit a new version instead")
        with self.transaction():  # type: ignore[attr-defined]
            self.conn.execute("UPDATE documents SET data = ? WHERE id = ?",
                              (json.dumps(data, ensure_ascii=False), doc_id))
            self.audit(f"{doc.kind}.edit", doc.patient_id, doc_id)  # type: ignore[attr-defined]
        return self.get_document(doc_id)

    def sign_document(self, doc_id: str) -> StoredDocument:
        from .database import utcnow

        doc = self.get_document(doc_id)
        if doc.status != "draft":
            raise BadInputError(f"document {doc_id} is {doc.status}; only a draft can be signed")
        with self.transaction():  # type: ignore[attr-defined]
            self.conn.execute("UPDATE documents SET status = 'signed', signed_by = ?, signed_at = ? "
                              "WHERE id = ?", (self.account.name, utcnow(), doc_id))
            self.audit(f"{doc.kind}.sign", doc.patient_id, doc_id)  # type: ignore[attr-defined]
        return self.get_document(doc_id)

    def get_document(self, doc_id: str) -> StoredDocument:
        r = self.conn.execute(f"SELECT {_COLS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if r is None:
            raise BadInputError(f"no document {doc_id!r}")
        return _row(r)

    def list_documents(self, patient_id: str, kind: str | None = None) -> list[StoredDocument]:
        sql = f"SELECT {_COLS} FROM documents WHERE patient_id = ?"
        args: list[Any] = [patient_id]
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        return [_row(r) for r in self.conn.execute(sql + " ORDER BY created DESC, version DESC", args)]
