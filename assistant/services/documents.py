"""Qt-free export and print support: gather a report's inputs from the store, render, audit, rasterise."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.errors import BadInputError
from assistant.reports.careplan_pdf import Signature

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


def audit_output(store: Any, rendered: Rendered, action: str, how: str = "pdf") -> None:
    """Record an export or print ('export' | 'print') as '<kind>.<action>' with the document id."""
    store.audit.record(f"{rendered.kind}.{action}", rendered.patient_id, rendered.audit_detail(how))


# --- care plans -------------------------------------------------------------------------------
def latest_careplan(store: Any, patient_id: str) -> Any | None:
    """The newest care-plan version that is not superseded (the store lists newest first)."""
    docs = store.documents.list(patient_id, "careplan")
    current = [d for d in docs if d.status != "superseded"]
    return (current or docs or [None])[0]


def signature_for(store: Any, doc: Any) -> Signature | None:
    """The signer's display name and role for a signed document (None for a draft)."""
    if not getattr(doc, "signed_by", None):
        return None
    account = next((u for u in store.accounts.list() if u.name == doc.signed_by), None)
    if account is None:  # an account removed since: the stored name is all we have
        return Signature(doc.signed_by, "", doc.signed_at or "")
    return Signature(account.display_name or account.name, ROLE_LABELS.get(account.role, account.role),
                     doc.signed_at or "")


def evaluate_risk(record: Any) -> Any:
    from assistant.clinical.flags import evaluate

    return evaluate(record)


def draft_and_save_careplan(store: Any, record: Any) -> Any:
    """Draft a deterministic care plan, save it as an unsigned draft; returns the StoredDocument."""
    from assistant.assist.careplan.drafting import draft_careplan
    from assistant.services import careplans

    # risk=None: the drafter evaluates the flags itself, against the plan's own as-of date.
    plan = draft_careplan(record, None, None, use_model=False)
    return careplans.save_draft(store, plan)


def careplan_for_output(store: Any, patient_id: str, document_id: str | None = None, *,
                        record: Any = None, draft_if_missing: bool = True, letterhead: Any = None,
                        cancel: Callable[[], bool] | None = None) -> Rendered:
    """Render a stored care plan (the given one, else the latest; drafting one if there is none).

    Uses the store, so it runs on the thread that owns the database connection."""
    from assistant.assist.careplan.document import CarePlanDocument
    from assistant.reports.careplan_pdf import render_careplan

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
def generate_summary(record: Any, risk: Any = None, engine: Any = None) -> Any:
    """A fresh summary (deterministic unless an engine is given), unverified sentences marked or
    dropped as the site's `summary.unverified` setting says."""
    from assistant.assist.summary import generate_summary as generate
    from assistant.config import load_settings

    return generate(record, risk, engine, use_model=engine is not None,
                    unverified=str(load_settings()["summary.unverified"]))


def load_engine(args: Any = None) -> Any | None:
    """The installed model pack's engine (None without a pack, or with `--no-model` where the
    command has that option), as `assistant summarize` picks it."""
    from assistant.assist.generation import load_engine as load

    if getattr(args, "no_model", False):
        return None
    return load(getattr(args, "model", None))


def summary_for_output(store: Any, patient_id: str, *, record: Any = None, summary: Any = None,
                       risk: Any = None, engine: Any = None, letterhead: Any = None,
                       cancel: Callable[[], bool] | None = None) -> Rendered:
    """Render a summary (the given one, else a fresh one) with its flags; a new document id names it
    in the footer and the audit log."""
    from assistant.reports.summary_pdf import render_summary

    record = record if record is not None else store.patients.load_record(patient_id)
    risk = risk if risk is not None else evaluate_risk(record)
    summary = summary if summary is not None else generate_summary(record, risk, engine)
    doc_id = uuid.uuid4().hex
    pdf = render_summary(summary, risk, record, letterhead=letterhead, document_id=doc_id,
                         cancel=cancel)
    return Rendered("summary", pdf, patient_id, doc_id)


# --- rasterising for a printer ------------------------------------------------------------------
@dataclass(frozen=True)
class PageImage:
    """One page as packed 8-bit RGB rows (stride 3 * width), ready for QImage.Format_RGB888."""

    width: int
    height: int
    rgb: bytes
    dpi: int


def page_count(pdf: bytes) -> int:
    # Page dictionaries are never compressed in the PDFs we write, so counting them is reliable.
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def page_images(pdf: bytes, dpi: int = 300, cancel: Callable[[], bool] | None = None) -> Iterator[PageImage]:
    """Rasterise the PDF page by page with pypdfium2 (for QPrinter, which cannot take a PDF)."""
    import pypdfium2 as pdfium  # Apache-2.0 / BSD-3-Clause; imported when printing, not at start-up

    doc = pdfium.PdfDocument(pdf)
    try:
        for i in range(len(doc)):
            if cancel is not None and cancel():
                return
            bitmap = doc[i].render(scale=dpi / 72, rev_byteorder=True)  # RGB, not BGR
            image = bitmap.to_pil().convert("RGB")
            yield PageImage(image.width, image.height, image.tobytes(), dpi)
    finally:
        doc.close()
