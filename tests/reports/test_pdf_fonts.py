"""Every font a report PDF names is embedded in it (archival PDFs must be self-contained); a part
that fails, or an absurdly long text, costs only that part of the document."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_report_builders import LETTERHEAD, WHEN, make_plan, make_record, make_risk, make_summary

from assistant.reports.careplan_pdf import render_careplan
from assistant.reports.summary_pdf import render_summary


def _pdfs() -> dict[str, bytes]:
    record = make_record(given="张伟")  # the CJK fallback face too
    return {
        "careplan": render_careplan(make_plan(record), record, document_id="c" * 32, version=1,
                                    status="draft", letterhead=LETTERHEAD, generated_at=WHEN),
        "summary": render_summary(make_summary(), make_risk(), record, letterhead=LETTERHEAD,
                                  document_id="d" * 32, generated_at=WHEN),
    }


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Each font resource of every page: its base name and whether a font file is embedded."""
    out: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            out[str(font["/BaseFont"])] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return out


@pytest.mark.parametrize("kind", ["careplan", "summary"])
def test_every_font_is_embedded(kind: str) -> None:
    fonts = _fonts(_pdfs()[kind])
    assert fonts, "no fonts found"
    assert not [name for name, embedded in fonts.items() if not embedded], fonts
    assert not any("Helvetica" in name for name in fonts)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_reports_every_font_embedded(tmp_path: Path) -> None:
    for kind, pdf in _pdfs().items():
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(pdf)
        lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert lines, kind
        # columns: name type encoding emb sub uni object ID; "emb" is the fourth from the end
        not_embedded = [ln.split()[0] for ln in lines if ln.split()[-5] != "yes"]
        assert not not_embedded, (kind, not_embedded)


def test_a_failing_part_costs_that_part_only() -> None:
    from assistant.reports import styles as st
    from assistant.reports.fonts import clip

    def broken() -> list:
        raise ArithmeticError("a value no rule foresaw")

    (note,) = st.guarded("Risk flags", broken)
    assert "Risk flags: this part could not be printed (ArithmeticError)" in note.text
    assert clip("x" * 2000, 100).endswith("[1,900 more characters not shown]")
