"""Reports from the store: a patient's care-plan and summary PDFs, with signer and audit row."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from assistant.assist.careplan.document import CarePlanDocument
from assistant.errors import BadInputError
from assistant.records.record import PatientRecord
from assistant.reports import render_summary_pdf
from assistant.reports.careplan_pdf import Signature, render_careplan
from assistant.reports.layout import Letterhead
from assistant.services.assist import evaluate_risk
from assistant.services.summaries import summary_for

if TYPE_CHECKING:
    from assistant.assist.result import Summary
    from assistant.clinical.flags import RiskReport
    from assistant.llm.engine import Engine
    from assistant.store.database import Store
    from assistant.store.documents import StoredDocument

ROLE_LABELS = {"clinician": "Clinician", "admin": "Administrator", "nurse": "Nurse"}


@dataclass(frozen=True)
class Rendered:
    """A finished report: the PDF bytes and what the audit log and the file name may say about it."""

    kind: str  # careplan | summary
    pdf: bytes
    patient_id: str
    document_id: str
    version: int | None = None
    status: str = ""  # draft, signed, superseded ('' for a summary)

    @property
    def filename(self) -> str:
        """A default file name without patient identifiers, e.g. 'care-plan-v3-draft.pdf'."""
        if self.kind == "careplan":
            v = f"-v{self.version}" if self.version is not None else ""
            return f"care-plan{v}{'-draft' if self.status == 'draft' else ''}.pdf"
        return f"summary-{datetime.now():%Y%m%d-%H%M}.pdf"

    def audit_detail(self, how: str = "pdf") -> str:
        v = f" v{self.version}" if self.version is not None else ""
        return f"{self.document_id}{v} {how}"


def audit_output(store: Store, rendered: Rendered, action: str, how: str = "pdf") -> None:
    """Record an export or print ('export' | 'print') as '<kind>.<action>' with the document id."""
    store.audit.record(f"{rendered.kind}.{action}", rendered.patient_id, rendered.audit_detail(how))


@contextmanager
def audited_output(store: Store, action: str, patient_id: str, detail: str) -> Iterator[None]:
    """Intent before output, result after: '<action>.started', then '<action>' or '<action>.failed'.
    A process killed while writing leaves the intent row, so no file leaves without a trace."""
    store.audit.record(f"{action}.started", patient_id, detail)
    try:
        yield
    except BaseException as e:
        store.audit.record(f"{action}.failed", patient_id, f"{detail}: {type(e).__name__}")
        raise
    store.audit.record(action, patient_id, detail)


# --- care plans -------------------------------------------------------------------------------
def latest_careplan(store: Store, patient_id: str) -> StoredDocument | None:
    """The newest care-plan version that is not superseded (the store lists newest first)."""
    docs = store.documents.list(patient_id, "careplan")
    current = [d for d in docs if d.status != "superseded"]
    return (current or docs)[0] if docs else None


def signature_for(store: Store, doc: StoredDocument) -> Signature | None:
    """The signer's display name and role for a signed document (None for a draft)."""
    if not doc.signed_by:
        return None
    account = next((u for u in store.accounts.list() if u.name == doc.signed_by), None)
    if account is None:  # an account removed since: the stored name is all we have
        return Signature(doc.signed_by, "", doc.signed_at or "")
    return Signature(account.display_name or account.name, ROLE_LABELS.get(account.role, account.role),
                     doc.signed_at or "")


def draft_and_save_careplan(store: Store, record: PatientRecord) -> StoredDocument:
    """Draft a deterministic care plan, save it as an unsigned draft; returns the StoredDocument."""
    from assistant.assist.careplan.drafting import draft_careplan
    from assistant.services import careplans

    # risk=None: the drafter evaluates the flags itself, against the plan's own as-of date.
    plan = draft_careplan(record, None, None, use_model=False)
    return careplans.save_draft(store, plan)


def careplan_for_output(store: Store, patient_id: str, document_id: str | None = None, *,
                        record: PatientRecord | None = None, draft_if_missing: bool = True,
                        letterhead: Letterhead | None = None,
                        cancel: Callable[[], bool] | None = None) -> Rendered:
    """Render a stored care plan (the given one, else the latest; drafting one if there is none).

    Uses the store, so it runs on the thread that owns the database connection."""
    record = record if record is not None else store.patients.load_record(patient_id)
    doc = store.documents.get(document_id) if document_id else latest_careplan(store, patient_id)
    if doc is None:
        if not draft_if_missing:
            raise BadInputError("this patient has no care plan yet: draft one first")
        doc = draft_and_save_careplan(store, record)
    if doc.kind != "careplan" or doc.patient_id != patient_id:
        raise BadInputError(f"document {doc.id} is not a care plan of this patient")
    pdf = render_careplan(CarePlanDocument.from_dict(doc.data), record, document_id=doc.id,
                         version=doc.version, status=doc.status, signature=signature_for(store, doc),
                         letterhead=letterhead, cancel=cancel)
    return Rendered("careplan", pdf, patient_id, doc.id, doc.version, doc.status)


# --- summaries --------------------------------------------------------------------------------
def summary_pdf(summary: Summary, record: PatientRecord, *, risk: RiskReport | None = None,
                document_id: str = "", letterhead: Letterhead | None = None,
                generated_at: datetime | None = None,
                cancel: Callable[[], bool] | None = None) -> bytes:
    """A summary with its flags table as PDF; the flags are evaluated from the record when `risk`
    is not given."""
    if risk is None:
        risk = evaluate_risk(record)
    return render_summary_pdf(summary, record, risk=risk, document_id=document_id,
                              letterhead=letterhead, generated_at=generated_at, cancel=cancel)


def summary_for_output(store: Store, patient_id: str, *, record: PatientRecord | None = None,
                       summary: Summary | None = None, risk: RiskReport | None = None,
                       engine: Engine | None = None, letterhead: Letterhead | None = None,
                       cancel: Callable[[], bool] | None = None, fallback_note: str = "") -> Rendered:
    """Render a summary (the given one, else the stored one while the record and pack are unchanged,
    else a fresh one, stored) with its flags; a new document id names it in the footer and the
    audit log. `fallback_note` says on the page why an installed model pack was not used."""
    record = record if record is not None else store.patients.load_record(patient_id)
    risk = risk if risk is not None else evaluate_risk(record)
    summary = summary if summary is not None else summary_for(store, record, risk, engine).summary
    if fallback_note and summary.source != "model":  # why there is no model text, on the page
        summary = replace(summary, reason=fallback_note)
    doc_id = uuid.uuid4().hex
    pdf = summary_pdf(summary, record, risk=risk, document_id=doc_id, letterhead=letterhead,
                      cancel=cancel)
    return Rendered("summary", pdf, patient_id, doc_id)
