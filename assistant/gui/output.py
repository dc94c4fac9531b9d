"""Export to PDF and print, off the main thread: the reports package when present, Qt's text layout otherwise."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from . import services
from .tasks import Task, run_task


def _write_private(path: Path, data: bytes) -> None:
    # The export is the user's deliberate copy; still, only its owner may read it.
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _html_document(html: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultStyleSheet("body { font-size: 10pt; } h2 { color: #1f3b5c; } h3 { margin-top: 12px; }")
    doc.setHtml(html)
    return doc


def html_to_pdf(html: str, path: Path) -> None:
    """Lay out HTML and write an A4 PDF (QPainter on a PDF device is allowed off the GUI thread)."""
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter)
    writer.setTitle("Clinician Assistant")
    doc = _html_document(html)
    doc.print_(writer)
    del writer  # flushes the file
    os.chmod(path, 0o600)


def print_html(html: str, printer: QPrinter) -> None:
    _html_document(html).print_(printer)


def export_pdf(*, path: Path, html: str, render: Callable[[], bytes] | None,
               on_done: Callable[[Path, str], None], on_error: Callable[[BaseException], None],
               context: Any) -> Task:
    """`render()` (assistant.reports) when given and available, else Qt's layout of `html`.

    `on_done(path, how)` says which renderer made the file.
    """
    def work(_c: Any) -> str:
        if render is not None:
            try:
                _write_private(path, render())
                return "reports"
            except services.ServiceUnavailable:
                pass
        html_to_pdf(html, path)
        return "qt"

    return run_task(work, name="export-pdf", on_result=lambda how: on_done(path, how), on_error=on_error,
                    context=context)


def print_document(*, html: str, printer: QPrinter, on_done: Callable[[], None],
                   on_error: Callable[[BaseException], None], context: Any) -> Task:
    """Lay out and send to the printer on a worker; the dialog that chose the printer ran before."""
    return run_task(lambda _c: print_html(html, printer), name="print", on_result=lambda _r: on_done(),
                    on_error=on_error, context=context)
