"""PDF reports (reportlab) and printing helpers.

The GUI and other callers use these two functions (Qt-free, safe on any worker thread; each returns
the PDF bytes and writes nothing to disk). For store-backed export and print (latest plan, signer's
display name, audit) see `print_support`; to put the PDF on a QPrinter, `print_support.page_images`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any


def render_careplan_pdf(doc: Any, record: Any, *, status: str = "draft", version: int | None = None,
                        signed_by: str | None = None, signed_at: str | None = None,
                        document_id: str = "", signer_name: str = "", signer_role: str = "",
                        letterhead: Any = None, generated_at: datetime | None = None,
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


def render_summary_pdf(summary: Any, record: Any, *, risk: Any = None, document_id: str = "",
                       letterhead: Any = None, generated_at: datetime | None = None,
                       cancel: Callable[[], bool] | None = None) -> bytes:
    """A summary with its flags table as PDF; the flags are evaluated from the record when `risk`
    is not given."""
    from assistant.services.documents import evaluate_risk

    from .summary_pdf import render_summary

    if risk is None:
        risk = evaluate_risk(record)
    return render_summary(summary, risk, record, letterhead=letterhead, document_id=document_id,
                          generated_at=generated_at, cancel=cancel)


__all__ = ["render_careplan_pdf", "render_summary_pdf"]
