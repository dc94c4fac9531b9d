"""Printing through QPrinter paints the same PDF the export writes, one printer page per PDF page."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report_builders import LETTERHEAD, WHEN, make_plan, make_record

pytestmark = pytest.mark.gui


def test_print_pdf_on_a_qprinter(qapp, tmp_path: Path):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    from assistant.gui.output import print_pdf
    from assistant.reports.careplan_pdf import render_careplan
    from assistant.reports.raster import page_count

    record = make_record(problems=60)
    pdf = render_careplan(make_plan(record), record, letterhead=LETTERHEAD, generated_at=WHEN)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a file stands in for the printer
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    printer.setResolution(72)  # keeps the test fast; real printers get up to 300 dpi
    seen: list[int] = []
    pages = print_pdf(pdf, printer, job_name="Care plan", on_page=seen.append)
    assert pages == page_count(pdf) >= 3
    assert seen == list(range(1, pages + 1))
    assert len(PdfReader(str(out)).pages) == pages
    assert printer.docName() == "Care plan"


def test_a_print_job_cancelled_part_way_is_aborted(qtbot, tmp_path: Path, monkeypatch):
    from PySide6.QtPrintSupport import QPrinter

    from assistant.gui import output, services
    from assistant.gui.tasks import Task
    from assistant.reports.careplan_pdf import render_careplan

    class SpyPrinter(QPrinter):
        aborted = 0

        def abort(self) -> bool:
            self.aborted += 1
            return super().abort()

    record = make_record(problems=60)
    pdf = render_careplan(make_plan(record), record, letterhead=LETTERHEAD, generated_at=WHEN)
    printer = SpyPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(72)
    painted: list[int] = []
    real_pages = services.pdf_pages

    def pages(pdf: bytes, dpi: int, cancel=None):
        for page in real_pages(pdf, dpi, cancel):
            yield page
            painted.append(1)
            task.cancel()  # the clinician presses Cancel while the first page is on its way

    monkeypatch.setattr(services, "pdf_pages", pages)
    outcome: list[str] = []
    task = Task(output.print_job(lambda _cancel: pdf, printer, "Clinician Assistant care plan"),
                on_result=lambda how: outcome.append(how), on_error=lambda e: outcome.append(repr(e)),
                on_cancelled=lambda: outcome.append("cancelled"))
    with qtbot.waitSignal(task.finished, timeout=30000):
        task.start()
    assert outcome == ["cancelled"]
    assert painted == [1] and printer.aborted == 1  # no further page, and the spooled part dropped
    assert printer.docName() == "Clinician Assistant care plan"
