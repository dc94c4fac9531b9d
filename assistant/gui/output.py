"""PDF export and printing jobs for worker threads: the reports' PDF to a file, or page by page to a printer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

from assistant.errors import AssistantError
from assistant.fileio import write_private

from . import services
from .tasks import TaskControl

Render = Callable[[threading.Event], bytes]

MAX_DPI = 300  # enough for text on paper; higher only makes spooling slower
# What made the output, as the audit log names it ("pdf reports"); Qt's own text layout was once
# the alternative, so existing logs tell the two apart by this word.
RENDERER = "reports"


def export_job(render: Render, path: Path) -> Callable[[TaskControl], str]:
    """Render the PDF and write it (owner-only); returns the renderer's name for the audit log."""
    def work(c: TaskControl) -> str:
        pdf = render(c.cancel_event)
        c.check()
        write_private(path, pdf)
        return RENDERER

    return work


def print_pdf(pdf: bytes, printer: QPrinter, *, job_name: str,
              cancel: Callable[[], bool] | None = None,
              on_page: Callable[[int], None] | None = None) -> int:
    """Rasterise `pdf` and paint each page, fitted to the paper, on `printer`; returns pages painted.

    Safe on a worker thread (QPainter on a printer device is). `job_name` is what the print queue
    shows to everyone on the network: never put a patient's name in it. A cancel (or an error)
    part-way aborts the job, so that no half-printed plan comes out of the printer.
    """
    printer.setDocName(job_name)
    printer.setFullPage(True)  # the PDF carries its own margins
    dpi = max(72, min(printer.resolution(), MAX_DPI))
    painter = QPainter()
    if not painter.begin(printer):
        raise AssistantError("the printer could not be opened; check it in the print dialog")
    pages = 0
    try:
        for page in services.pdf_pages(pdf, dpi, cancel):
            if pages and not printer.newPage():
                raise AssistantError("the printer refused a new page")
            image = QImage(page.rgb, page.width, page.height, 3 * page.width, QImage.Format.Format_RGB888)
            paper = printer.paperRect(QPrinter.Unit.DevicePixel)
            scale = min(paper.width() / page.width, paper.height() / page.height)
            w, h = page.width * scale, page.height * scale
            painter.drawImage(QRectF((paper.width() - w) / 2, (paper.height() - h) / 2, w, h), image)
            pages += 1
            if on_page is not None:
                on_page(pages)
        if cancel is not None and cancel():
            printer.abort()  # drop the part already spooled
    except BaseException:
        printer.abort()
        raise
    finally:
        painter.end()
    return pages


def print_job(render: Render, printer: QPrinter, job_name: str) -> Callable[[TaskControl], str]:
    """The same PDF as the export, painted on the printer; a cancel aborts the print job."""
    def work(c: TaskControl) -> str:
        pdf = render(c.cancel_event)
        c.check()
        print_pdf(pdf, printer, job_name=job_name, cancel=c.cancelled)
        c.check()  # cancelled part-way: the job was aborted, and the task reports the cancel
        return RENDERER

    return work
