"""The stored summary: one per record version, model pack and unverified setting, encrypted in the
store, shown again at once until the record or the pack changes or the clinician asks for a new one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
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
    """What a stored summary was made from: record version, pack identity ('none' for no model),
    setting, and the day. The flags and ages in a summary are evaluated as of today (a vaccine
    becomes overdue, a value becomes old without the record changing), so a summary is reused on
    the day it was made and made again on the next."""
    return f"{record_version(record)}|{pack or 'none'}|{unverified}|{date.today().isoformat()}"


@dataclass(frozen=True)
class Outcome:
    """A summary to show: the stored one (`reused`) or a fresh one, and when it was made (UTC ISO
    time of its save; '' for a fresh one that was not kept, a cancelled one)."""

    summary: Summary
    reused: bool
    saved_at: str = ""


def _latest(store: Store, patient_id: str) -> StoredDocument | None:
    docs = store.documents.list(patient_id, KIND)
    return docs[0] if docs else None


def stored_outcome(store: Store, record: PatientRecord, pack: str, unverified: str) -> Outcome | None:
    """The stored summary made from this very record with this pack and setting, with when it was
    made, else None. Audited."""
    from assistant.assist.result import Summary

    doc = _latest(store, record.patient.id)
    if doc is None or doc.data.get("key") != cache_key(record, pack, unverified):
        return None
    stored = doc.data.get("summary")
    if not isinstance(stored, dict):
        return None
    store.audit.record("summary.reuse", record.patient.id, doc.id)
    return Outcome(Summary.from_stored(stored), True, doc.created)


def stored_summary(store: Store, record: PatientRecord, pack: str, unverified: str) -> Summary | None:
    """The stored summary made from this very record with this pack and setting, else None. Audited."""
    found = stored_outcome(store, record, pack, unverified)
    return found.summary if found else None


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


def manifest_digest(manifest: Mapping[str, object]) -> str:
    """SHA-256 of the manifest's canonical JSON: it lists every file's hash, so a pack rebuilt or
    replaced under the same name and version has another digest."""
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _identity(name: str, version: str, manifest: object) -> str:
    digest = manifest_digest(manifest) if isinstance(manifest, Mapping) else "no manifest"
    return f"{f'{name} {version}'.strip() or 'unnamed pack'} [{digest}]"


def pack_identity(engine: object | None) -> str:
    """The model pack an engine runs, as a stored summary records it: name, version and manifest
    digest; 'none' without a model."""
    if engine is None:
        return "none"
    pack = getattr(engine, "pack", engine)
    name = str(getattr(pack, "name", "") or type(engine).__name__)
    return _identity(name, str(getattr(pack, "version", "")), getattr(pack, "manifest", None))


def pack_identity_at(folder: str | Path) -> str:
    """The identity `pack_identity` gives the engine of the pack in `folder`, read from its
    manifest alone (no model file is read), so a stored summary can be found before the model has
    loaded; 'none' when there is no readable pack there."""
    from assistant.llm.manifest import ManifestError, read_manifest

    try:
        manifest = read_manifest(Path(folder).expanduser())
    except ManifestError:
        return "none"
    return _identity(str(manifest["name"]), str(manifest["version"]), manifest)


def summary_for(store: Store, record: PatientRecord, risk: RiskReport | None = None, engine: Engine | None = None,
                *, regenerate: bool = False) -> Outcome:
    """The stored summary when the record, pack and setting are unchanged (and no new one was asked
    for), else a fresh one, stored. The flags are evaluated here when `risk` is not given, and only
    when a new summary is written: a summary without them would leave out what they say."""
    from assistant.config import load_settings
    from assistant.services.assist import evaluate_risk, generate_summary

    pack, mode = pack_identity(engine), str(load_settings()["summary.unverified"])
    if not regenerate:
        stored = stored_outcome(store, record, pack, mode)
        if stored is not None:
            return stored
    summary = generate_summary(record, risk if risk is not None else evaluate_risk(record), engine)
    doc = save_summary(store, record, summary, pack, mode)
    return Outcome(summary, False, doc.created if doc else "")
