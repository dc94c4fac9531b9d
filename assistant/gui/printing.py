"""Print a report's PDF bytes on a QPrinter (the same document the export writes), page by page."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

from assistant.errors import AssistantError
from assistant.reports.raster import page_images

MAX_DPI = 300  # enough for text on paper; higher only makes spooling slower


def print_pdf(pdf: bytes, printer: QPrinter, *, job_name: str = "Clinician Assistant report",
              cancel: Callable[[], bool] | None = None,
              on_page: Callable[[int], None] | None = None) -> int:
    """Rasterise `pdf` and paint each page, fitted to the paper, on `printer`; returns pages printed.

    Safe on a worker thread (QPainter on a printer device is). `job_name` is what the print queue
    shows to everyone on the network: never put a patient's name in it.
    """
    printer.setDocName(job_name)
    printer.setFullPage(True)  # the PDF carries its own margins
    dpi = max(72, min(printer.resolution(), MAX_DPI))
    painter = QPainter()
    if not painter.begin(printer):
        raise AssistantError("could not start printing: check that the printer is available")
    pages = 0
    try:
        for page in page_images(pdf, dpi, cancel):
            if pages:
                printer.newPage()
            image = QImage(page.rgb, page.width, page.height, 3 * page.width, QImage.Format.Format_RGB888)
            paper = printer.paperRect(QPrinter.Unit.DevicePixel)
            scale = min(paper.width() / page.width, paper.height() / page.height)
            w, h = page.width * scale, page.height * scale
            target = QRectF((paper.width() - w) / 2, (paper.height() - h) / 2, w, h)
            painter.drawImage(target, image)
            pages += 1
            if on_page is not None:
                on_page(pages)
        if cancel is not None and cancel():
            printer.abort()  # drop the part already spooled rather than print half a plan
    finally:
        painter.end()
    return pages
