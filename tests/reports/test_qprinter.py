"""Printing through QPrinter paints the same PDF the export writes, one printer page per PDF page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_report_builders import LETTERHEAD, WHEN, make_plan, make_record

pytestmark = pytest.mark.gui


def _rasteriser() -> bool:
    try:
        import pypdfium2  # noqa: F401
        return True
    except ImportError:
        return shutil.which("pdftoppm") is not None


@pytest.mark.skipif(not _rasteriser(), reason="neither pypdfium2 nor pdftoppm installed")
def test_print_pdf_on_a_qprinter(qapp, tmp_path: Path):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    from assistant.gui.printing import print_pdf
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
