"""Stored care plans' life cycle: save a draft, load, edit, sign, start a new version, list versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.assist.careplan.document import CarePlanDocument, mark_edits
from assistant.assist.careplan.drafting import Cancel, draft_careplan
from assistant.assist.careplan.review import (
    Unchecked,
    refusal_message,
    unchecked_items,
    with_current_notes,
)
from assistant.errors import AuthenticationError, BadInputError
from assistant.store.keyring import Keyring

if TYPE_CHECKING:
    from assistant.clinical.flags import RiskReport
    from assistant.llm.engine import Engine
    from assistant.records.record import PatientRecord
    from assistant.store.database import Store
    from assistant.store.documents import StoredDocument

KIND = "careplan"  # the stored documents' kind (and the prefix of their audit actions)


def draft(record: PatientRecord, risk: RiskReport | None, engine: Engine | None, *, cancel: Cancel = None,
          on_text: Callable[[str], None] | None = None) -> CarePlanDocument:
    """A new draft (nothing stored) as the site wants it: model sentences the checker cannot support
    left out with a note, or kept marked in place (`careplan.unverified`); the app and the CLI both
    draft through here."""
    from assistant.config import load_settings

    keep = load_settings()["careplan.unverified"] == "mark"
    return draft_careplan(record, risk, engine, use_model=engine is not None, cancel=cancel,
                          on_text=on_text, keep_unchecked=keep)


class UncheckedTextError(BadInputError):
    """Signing refused: the plan still holds model text the verifier did not check."""

    def __init__(self, items: list[Unchecked]) -> None:
        super().__init__(refusal_message(items))
        self.items = tuple(items)


def _check(stored: StoredDocument, patient_id: str | None = None) -> StoredDocument:
    if stored.kind != KIND:
        raise BadInputError(f"document {stored.id} is a {stored.kind}, not a care plan")
    if patient_id is not None and stored.patient_id != patient_id:
        raise BadInputError(f"document {stored.id} belongs to another patient")
    return stored


def save_draft(store: Store, doc: CarePlanDocument, series: str | None = None) -> StoredDocument:
    """Store `doc` as a new draft (version n+1 of `series`, superseding the previous version)."""
    if series:
        previous = [d for d in store.documents.list(doc.patient_id, KIND) if d.series == series]
        if not previous:
            raise BadInputError(f"no care plan series {series} for this patient")
    return store.documents.save(doc.patient_id, KIND, with_current_notes(doc).to_dict(), series=series)


def load(store: Store, doc_id: str) -> tuple[StoredDocument, CarePlanDocument]:
    stored = _check(store.documents.get(doc_id))
    return stored, CarePlanDocument.from_dict(stored.data)


def edit(store: Store, doc_id: str, doc: CarePlanDocument) -> StoredDocument:
    """Replace a draft's content with the clinician's version; changed items are marked "edited".
    A signed or superseded version is read-only: edit a new version instead."""
    stored, before = load(store, doc_id)
    if doc.patient_id != stored.patient_id:
        raise BadInputError("the edited plan is for another patient")
    return store.documents.update_draft(doc_id, with_current_notes(mark_edits(before, doc)).to_dict())


def reauthenticate(store: Store, password: str) -> None:
    """Check `password` against the signed-in account's key slot as it is on disk now (a password
    changed, or an account disabled, since sign-in counts). AuthenticationError if it does not open it."""
    name = store.account.name
    try:
        Keyring.load(store.keyring.path).unlock(name, password.encode())
    except AuthenticationError:
        raise AuthenticationError("wrong password: nothing was signed") from None


def sign(store: Store, doc_id: str, *, password: str) -> StoredDocument:
    """Sign a draft as the signed-in account, who gives their password again (re-authentication at
    signature); that version becomes read-only. Refused (and audited) while the plan holds unchecked
    model text (UncheckedTextError naming each item) or for a wrong password (AuthenticationError)."""
    stored, doc = load(store, doc_id)
    if stored.status != "draft":
        return store.documents.sign(doc_id)  # refuses with the stored status
    blocking = unchecked_items(doc)
    if blocking:
        # Counts only in the audit row: the sentences themselves are patient data.
        store.audit.record(f"{KIND}.sign_refused", stored.patient_id,
                           f"{doc_id}: {len(blocking)} unchecked model item(s)")
        raise UncheckedTextError(blocking)
    try:
        reauthenticate(store, password)
    except AuthenticationError:
        store.audit.record("auth.failed", detail=f"{store.account.name}: re-authentication to sign")
        store.audit.record(f"{KIND}.sign_refused", stored.patient_id, f"{doc_id}: wrong password")
        raise
    current = with_current_notes(doc)
    if current != doc:  # the page-1 notes describe the content as signed
        store.documents.update_draft(doc_id, current.to_dict())
    return store.documents.sign(doc_id)


def new_version(store: Store, doc_id: str, doc: CarePlanDocument | None = None) -> StoredDocument:
    """Start version n+1 of a plan (from `doc`, or a copy of the given version), superseding it."""
    stored, current = load(store, doc_id)
    base = doc if doc is not None else current
    if doc is not None:
        base = mark_edits(current, doc)
    return store.documents.save(stored.patient_id, KIND, with_current_notes(base).to_dict(),
                                series=stored.series)


def versions(store: Store, patient_id: str) -> list[StoredDocument]:
    """Every stored care-plan version of a patient, newest first."""
    return [d for d in store.documents.list(patient_id, KIND)]


def latest(store: Store, patient_id: str) -> StoredDocument | None:
    """The current version: the newest draft or signed one that nothing superseded."""
    return next((d for d in versions(store, patient_id) if d.status != "superseded"), None)
