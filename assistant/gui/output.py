"""PDF export and printing jobs for worker threads: assistant.reports' PDF, Qt's text layout as fallback."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from assistant.errors import AssistantError
from assistant.fileio import write_private

from . import services
from .tasks import Cancelled, TaskControl

Render = Callable[[threading.Event], bytes]


def _document(html: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultStyleSheet("body { font-size: 10pt; } h2 { color: #1f3b5c; } h3 { margin-top: 12px; }")
    doc.setHtml(html)
    return doc


def html_pdf(html: str) -> bytes:
    """Qt's layout of `html` as A4 PDF bytes (QPainter on a PDF device is allowed off the GUI thread)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter)
    writer.setTitle("Clinician Assistant")
    _document(html).print_(writer)
    del writer
    buffer.close()
    return bytes(data.data())


def export_job(render: Render | None, html: str, path: Path) -> Callable[[TaskControl], str]:
    """Returns which renderer made the file: 'reports' or 'qt' (when the reports package is absent)."""
    def work(c: TaskControl) -> str:
        how = "qt"
        if render is not None:
            pdf, how = render(c.cancel_event), "reports"
        else:
            pdf = html_pdf(html)
        c.check()
        write_private(path, pdf)
        return how

    return work


def _paint_pages(pages: Any, printer: QPrinter, c: TaskControl) -> int:
    painter = QPainter()
    n = 0
    try:
        for page in pages:
            c.check()
            image = QImage(page.rgb, page.width, page.height, page.width * 3, QImage.Format.Format_RGB888)
            if n == 0:
                if not painter.begin(printer):
                    raise AssistantError("the printer could not be opened; check it in the print dialog")
            elif not printer.newPage():
                raise AssistantError("the printer refused a new page")
            target = QRectF(painter.viewport())
            size = image.size().scaled(target.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(target.topLeft(), size.toSizeF()), image)
            n += 1
    finally:
        if painter.isActive():
            painter.end()
    return n


def print_job(render: Render | None, html: str, printer: QPrinter) -> Callable[[TaskControl], str]:
    """The same PDF as the export, rasterised page by page onto the printer; else Qt's text layout."""
    def work(c: TaskControl) -> str:
        if render is not None:
            pdf = render(c.cancel_event)
            c.check()
            try:
                dpi = max(150, min(printer.resolution(), 300))
                if _paint_pages(services.pdf_pages(pdf, dpi, c.cancel_event), printer, c):
                    return "reports"
            except Cancelled:
                raise
            except AssistantError:
                pass  # no rasteriser installed: Qt lays the same content out itself
        _document(html).print_(printer)
        return "qt"

    return work
