"""PDF reports (reportlab): render what the caller hands over, as PDF bytes.

The GUI and other callers use these two functions (Qt-free, safe on any worker thread; each returns
the PDF bytes and writes nothing to disk). They evaluate, draft and read nothing themselves: for
store-backed export and print (latest plan, signer's display name, flags, audit) see
`assistant.services.documents`; to put the PDF on a QPrinter, `raster.page_images`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

# Typing only: `import assistant.reports` stays cheap (the GUI imports it to ask whether reports
# are available); reportlab and the care-plan model load with the first report.
if TYPE_CHECKING:
    from assistant.assist.careplan.document import CarePlanDocument
    from assistant.assist.result import Summary
    from assistant.clinical.flags import RiskReport
    from assistant.json_types import JSONObject
    from assistant.records.record import PatientRecord

    from .layout import Letterhead


def render_careplan_pdf(doc: CarePlanDocument | JSONObject, record: PatientRecord, *,
                        status: str = "draft", version: int | None = None,
                        signed_by: str | None = None, signed_at: str | None = None,
                        document_id: str = "", signer_name: str = "", signer_role: str = "",
                        letterhead: Letterhead | None = None, generated_at: datetime | None = None,
                        cancel: Callable[[], bool] | None = None) -> bytes:
    """A care plan (CarePlanDocument or its dict) as PDF. `signed_by` is the account name; pass
    `signer_name`/`signer_role` to print the display name and role instead."""
    from assistant.assist.careplan.document import CarePlanDocument

    from .careplan_pdf import Signature, render_careplan

    plan = CarePlanDocument.from_dict(doc) if isinstance(doc, dict) else doc
    signature = (Signature(signer_name or signed_by or "", signer_role, signed_at or "")
                 if status != "draft" and (signed_by or signer_name) else None)
    return render_careplan(plan, record, document_id=document_id, version=version, status=status,
                           signature=signature, letterhead=letterhead, generated_at=generated_at,
                           cancel=cancel)


def render_summary_pdf(summary: Summary, record: PatientRecord, *, risk: RiskReport | None,
                       document_id: str = "", letterhead: Letterhead | None = None,
                       generated_at: datetime | None = None,
                       cancel: Callable[[], bool] | None = None) -> bytes:
    """A summary with the flags table of `risk` as PDF (no flags without a risk report)."""
    from .summary_pdf import render_summary

    return render_summary(summary, risk, record, letterhead=letterhead, document_id=document_id,
                          generated_at=generated_at, cancel=cancel)


__all__ = ["render_careplan_pdf", "render_summary_pdf"]
