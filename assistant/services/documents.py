"""Reports from the store: care plan, summary, patient handout and medication list PDFs, audited."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from assistant.assist.careplan.document import CarePlanDocument
from assistant.config import Settings, load_settings
from assistant.errors import BadInputError
from assistant.records.record import PatientRecord
from assistant.reports import render_summary_pdf
from assistant.reports.careplan_pdf import Signature, render_careplan
from assistant.reports.handout_pdf import render_handout
from assistant.reports.handout_text import build_handout
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


# File names say which document, which day and which plan version: "careplan_AS1959_2026-12-05_v3.pdf".
FILE_KINDS = {"careplan": "careplan", "summary": "summary", "handout": "handout",
              "medlist": "medications"}


def patient_short(record: PatientRecord) -> str:
    """Initials and birth year ('AS1959'): enough to tell one clinic day's files apart, but neither
    the name nor the MRN, because the file lands in a folder (or mail, or print queue) that people
    outside the chart can list; the document itself carries the full banner."""
    p = record.patient
    words = [*p.given[:1], *p.family.replace("-", " ").split()[:1]]
    letters = ""
    for w in words:
        folded = unicodedata.normalize("NFKD", w.replace("Ł", "L").replace("ł", "l"))
        first = next((ch for ch in folded if ch.isascii() and ch.isalpha()), "")
        letters += first.upper()
    return (letters or "X") + (str(p.birth_date.year) if p.birth_date else "")


def export_filename(kind: str, short: str, on: date | None = None, version: int | None = None,
                    status: str = "") -> str:
    """'careplan_AS1959_2026-12-05_v3.pdf'; an unsigned plan (and its handout) ends in '-draft'."""
    parts = [FILE_KINDS.get(kind, kind)] + ([short] if short else [])
    parts.append((on or date.today()).isoformat())
    if version is not None:
        parts.append(f"v{version}" + ("-draft" if status == "draft" else ""))
    return "_".join(parts) + ".pdf"


@dataclass(frozen=True)
class Rendered:
    """A finished report: the PDF bytes and what the audit log and the file name may say about it."""

    kind: str  # careplan | summary | handout | medlist
    pdf: bytes
    patient_id: str
    document_id: str
    version: int | None = None
    status: str = ""  # draft, signed, superseded ('' for a summary)
    short: str = ""  # patient_short() of the record, for the file name
    made: date = field(default_factory=date.today)

    @property
    def filename(self) -> str:
        """A default file name without the name or MRN: document, patient short form, date, version."""
        return export_filename(self.kind, self.short, self.made, self.version, self.status)

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
    return Signature(account.shown_name, ROLE_LABELS.get(account.role, account.role),
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
    return Rendered("careplan", pdf, patient_id, doc.id, doc.version, doc.status,
                    patient_short(record))


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
    return Rendered("summary", pdf, patient_id, doc_id, short=patient_short(record))


# --- documents for the patient ------------------------------------------------------------------
def handout_pdf(data: CarePlanDocument, record: PatientRecord, *, status: str = "draft",
                settings: Settings | None = None, lang: str | None = None,
                cancel: Callable[[], bool] | None = None) -> bytes:
    """The patient handout of a plan (store-free: the GUI calls it on a worker thread); the clinic
    name and phone come from the site settings."""
    settings = settings if settings is not None else load_settings()
    handout = build_handout(data, record, status=status, clinic=settings["organisation.name"],
                            phone=settings["organisation.phone"], lang=lang)
    return render_handout(handout, cancel=cancel)


def handout_for_output(store: Store, patient_id: str, *, record: PatientRecord | None = None,
                       settings: Settings | None = None, lang: str | None = None,
                       cancel: Callable[[], bool] | None = None) -> Rendered:
    """The handout of the latest stored plan (drafting one if there is none), named by its version."""
    record = record if record is not None else store.patients.load_record(patient_id)
    doc = latest_careplan(store, patient_id) or draft_and_save_careplan(store, record)
    pdf = handout_pdf(CarePlanDocument.from_dict(doc.data), record, status=doc.status,
                      settings=settings, lang=lang, cancel=cancel)
    return Rendered("handout", pdf, patient_id, doc.id, doc.version, doc.status, patient_short(record))


def medlist_pdf(record: PatientRecord, *, document_id: str = "", settings: Settings | None = None,
                lang: str | None = None, cancel: Callable[[], bool] | None = None) -> bytes:
    from assistant.reports.medlist_pdf import render_medlist

    return render_medlist(record, lang=lang, document_id=document_id,
                          letterhead=Letterhead.from_settings(settings), cancel=cancel)


def medlist_for_output(store: Store, patient_id: str, *, record: PatientRecord | None = None,
                       settings: Settings | None = None, lang: str | None = None,
                       cancel: Callable[[], bool] | None = None) -> Rendered:
    """The current medication list from the chart as it is now (no plan needed)."""
    record = record if record is not None else store.patients.load_record(patient_id)
    doc_id = uuid.uuid4().hex
    pdf = medlist_pdf(record, document_id=doc_id, settings=settings, lang=lang, cancel=cancel)
    return Rendered("medlist", pdf, patient_id, doc_id, short=patient_short(record))
