"""The stored summary: one per record version, model pack and unverified setting, encrypted in the
store, shown again at once until the record or the pack changes or the clinician asks for a new one."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from assistant.records.record import PatientRecord
from assistant.records.serde import to_jsonable
from assistant.store.database import Store
from assistant.store.documents import StoredDocument

if TYPE_CHECKING:
    from assistant.assist.result import Summary
    from assistant.clinical.flags import RiskReport
    from assistant.llm.engine import Engine

KIND = "summary"


def record_version(record: PatientRecord) -> str:
    """SHA-256 of the record's serialised patient and entries: any added or changed entry changes it."""
    data = [to_jsonable(record.patient), *(to_jsonable(e) for e in record.entries())]
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(record: PatientRecord, pack: str, unverified: str) -> str:
    """What a stored summary was made from: record version, pack identity ('none' for no model), setting."""
    return f"{record_version(record)}|{pack or 'none'}|{unverified}"


def _latest(store: Store, patient_id: str) -> StoredDocument | None:
    docs = store.documents.list(patient_id, KIND)
    return docs[0] if docs else None


def stored_summary(store: Store, record: PatientRecord, pack: str, unverified: str) -> Summary | None:
    """The stored summary made from this very record with this pack and setting, else None. Audited."""
    from assistant.assist.result import Summary

    doc = _latest(store, record.patient.id)
    if doc is None or doc.data.get("key") != cache_key(record, pack, unverified):
        return None
    store.audit.record("summary.reuse", record.patient.id, doc.id)
    stored = doc.data.get("summary")
    return Summary.from_stored(stored) if isinstance(stored, dict) else None


def save_summary(store: Store, record: PatientRecord, summary: Summary, pack: str,
                 unverified: str) -> StoredDocument | None:
    """Store a finished summary as the patient's current one (a stopped one is not kept); the
    previous one becomes history. The store audits the save."""
    if summary.cancelled:
        return None
    latest = _latest(store, record.patient.id)
    data: dict[str, object] = {"key": cache_key(record, pack, unverified), "summary": summary.to_stored()}
    return store.documents.save(record.patient.id, KIND, data,
                                series=latest.series if latest else None)


def pack_identity(engine: object | None) -> str:
    """The model pack's name and version as the summary records it; 'none' without a model."""
    if engine is None:
        return "none"
    from assistant.assist.generation import model_label

    return model_label(engine) or "unnamed pack"


def summary_for(store: Store, record: PatientRecord, risk: RiskReport | None = None, engine: Engine | None = None,
                *, regenerate: bool = False) -> tuple[Summary, bool]:
    """The stored summary when the record, pack and setting are unchanged (and no new one was asked
    for), else a fresh one, stored. Returns the summary and whether it was reused."""
    from assistant.config import load_settings
    from assistant.services.assist import generate_summary

    pack, mode = pack_identity(engine), str(load_settings()["summary.unverified"])
    if not regenerate:
        stored = stored_summary(store, record, pack, mode)
        if stored is not None:
            return stored, True
    summary = generate_summary(record, risk, engine)
    save_summary(store, record, summary, pack, mode)
    return summary, False
