"""Care-plan PDF: banner on every page, Page X of Y, DRAFT only on drafts, signature, Unicode, long tables."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report_builders import (
    CJK,
    LETTERHEAD,
    NAME,
    WHEN,
    make_plan,
    make_record,
    pages_text,
    squash,
)

from assistant.reports.careplan_pdf import Signature, render_careplan
from assistant.reports.layout import Letterhead, ReportCancelled

DOC_ID = "9f1c2b3a4d5e6f708192a3b4c5d6e7f8"
SIGNER = Signature("Dr Ana Novak", "Clinician", "2026-11-21T09:30:00+00:00")


def _draft(problems: int = 3, **kw) -> bytes:
    record = make_record(problems=problems)
    return render_careplan(make_plan(record), record, document_id=DOC_ID, version=2, status="draft",
                           letterhead=kw.pop("letterhead", LETTERHEAD), generated_at=WHEN, **kw)


def _signed(problems: int = 3) -> bytes:
    record = make_record(problems=problems)
    return render_careplan(make_plan(record), record, document_id=DOC_ID, version=3, status="signed",
                           signature=SIGNER, letterhead=LETTERHEAD, generated_at=WHEN)


@pytest.fixture(scope="module")
def long_draft() -> list[str]:
    return [squash(t) for t in pages_text(_draft(problems=60))]


def test_sixty_problems_flow_over_pages_with_repeated_headers(long_draft):
    assert len(long_draft) >= 3
    for i, text in enumerate(long_draft, 1):
        # The banner (name, MRN, allergies) and the page numbers are on every page.
        assert NAME in text and "MRN-778899" in text, i
        assert "ALLERGIES: Penicillin" in text, i
        assert f"Page {i} of {len(long_draft)}" in text, i
        assert DOC_ID in text and "Version 2" in text, i
    problems = [i for i, t in enumerate(long_draft) if re.search(r"Problem number \d+ \[\d+\]", t)]
    assert len(problems) >= 2, "60 problems should need more than one page"
    for i in problems:
        assert "Problem Since" in long_draft[i], f"table header not repeated on page {i + 1}"
    sources = [i for i, t in enumerate(long_draft) if re.search(r"\d+ Problem \d+ \w+ \d{4} Problem number", t)]
    assert len(sources) >= 2, "60 endnotes should need more than one page"
    for i in sources:
        assert "# Entry type Date Value" in long_draft[i], f"endnote header not repeated on page {i + 1}"
    every = " ".join(long_draft)
    assert all(f"Problem number {n} " in every for n in range(60))


def test_draft_has_a_watermark_on_every_page_and_no_signature(long_draft):
    for text in long_draft:
        assert "DRAFT" in text
    every = " ".join(long_draft)
    assert "Signed by" not in every
    assert "DRAFT: not signed" in every


def test_signed_plan_has_a_signature_block_and_no_watermark():
    pages = [squash(t) for t in pages_text(_signed(problems=40))]
    assert len(pages) >= 2
    every = " ".join(pages)
    assert "DRAFT" not in every
    assert "Signed by Dr Ana Novak" in every
    assert "Role Clinician" in every
    assert "21 Nov 2026" in every
    for i, text in enumerate(pages, 1):
        assert NAME in text and f"Page {i} of {len(pages)}" in text


def test_unicode_names_round_trip_through_pypdf():
    text = squash(" ".join(pages_text(_draft())))
    assert NAME in text
    assert CJK in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_unicode_names_round_trip_through_pdftotext():
    record = make_record(given="伟", family="张")
    pdf = render_careplan(make_plan(record), record, letterhead=LETTERHEAD, generated_at=WHEN)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert re.search(r"伟\s*张", text)  # given then family, as the banner prints it
    assert "Zoë Müller-Łukasiewicz" in text  # in the patient section


def test_sections_endnotes_and_marks():
    text = squash(" ".join(pages_text(_draft())))
    for title in ("Problems addressed", "Goals", "Interventions", "Medications", "Monitoring",
                  "Follow-up", "Your care plan (for the patient)", "Guidelines followed",
                  "Sources from the record"):
        assert title in text, title
    # Targets and the patient's latest values with dates; fact-sheet markers are not printed.
    assert "< 7.0 %" in text and "8.9 % on 12 Sep 2026" in text
    assert "[F3]" not in text
    assert "Above target" in text
    # The endnotes resolve citations to entry type, date and value.
    assert re.search(r"Observation 12 Sep 2026 HbA1c: 8\.9 %", text)
    assert "Medication 1 Jan 2020 Levothyroxine" in text
    # Unverified text is visibly marked with the words the record does not support.
    assert "UNVERIFIED Metformin 1 g twice daily" in text
    assert "Not found in the record: Metformin; 1 g" in text


def test_letterhead_logo_and_metadata(tmp_path: Path):
    from PIL import Image
    from pypdf import PdfReader

    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 80), (29, 78, 137)).save(logo)
    pdf = _draft(letterhead=Letterhead("Riverside Health Centre", "1 River Road", str(logo)))
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    xobjects = first["/Resources"].get("/XObject", {})
    assert any(x.get_object()["/Subtype"] == "/Image" for x in xobjects.values())
    text = squash(first.extract_text())
    assert "Riverside Health Centre" in text and "1 River Road" in text
    meta = reader.metadata
    assert meta.title == "Care plan"
    assert meta.subject == "Patient care plan (draft)"
    assert meta.author == "Riverside Health Centre"
    # No patient identifiers in the metadata (it shows in file browsers and print queues).
    for value in (meta.title, meta.subject, meta.author):
        assert "Müller" not in value and "MRN" not in value


def test_signed_plan_author_is_the_signer():
    from pypdf import PdfReader

    meta = PdfReader(io.BytesIO(_signed())).metadata
    assert meta.author == "Dr Ana Novak"
    assert meta.subject == "Patient care plan (signed)"


def test_missing_logo_and_empty_settings_still_render():
    pdf = _draft(letterhead=Letterhead("", "", "/no/such/logo.png"))
    assert pdf.startswith(b"%PDF") and "Page 1 of" in pages_text(pdf)[0]


def test_no_allergies_banner_says_none_recorded():
    record = make_record(allergies=False)
    pdf = render_careplan(make_plan(record), record, letterhead=LETTERHEAD, generated_at=WHEN)
    text = squash(pages_text(pdf)[0])
    assert "Allergies: none recorded" in text and "ALLERGIES" not in text


def test_cancel_stops_the_layout():
    record = make_record(problems=60)
    with pytest.raises(ReportCancelled):
        render_careplan(make_plan(record), record, letterhead=LETTERHEAD, cancel=lambda: True)


def test_public_api_takes_the_stored_dict_and_meta():
    from assistant.reports import render_careplan_pdf

    record = make_record()
    data = make_plan(record).to_dict()
    pdf = render_careplan_pdf(data, record, status="signed", version=4, signed_by="anovak",
                              signed_at="2026-11-21T09:30:00+00:00", letterhead=LETTERHEAD)
    text = squash(" ".join(pages_text(pdf)))
    assert "Signed by anovak" in text and "DRAFT" not in text and "Version 4" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")
def test_page_one_renders_to_png(tmp_path: Path):
    pdf_path = tmp_path / "plan.pdf"
    pdf_path.write_bytes(_draft(problems=12))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
                    str(tmp_path / "page1")], check=True)
    png = (tmp_path / "page1.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(tmp_path / "page1.png") as im:
        assert abs(im.width - 496) <= 1 and abs(im.height - 702) <= 1  # A4 at 60 dpi
        # Not blank: the letterhead, banner and table put plenty of ink on the page.
        assert sum(1 for n in im.convert("L").histogram() if n) > 20


def test_sample_script_writes_the_demo_patients_plan(tmp_path: Path):
    from assistant.services.sample import DEFAULT_PATIENT, DEMO_DIR, write_sample

    if not (DEMO_DIR / DEFAULT_PATIENT).is_file():
        pytest.skip("demo bundles not present")
    written = write_sample(tmp_path, dpi=30)
    pdf = written[0].read_bytes()
    pages = [squash(t) for t in pages_text(pdf)]
    assert all(NAME in p and "ALLERGIES: Penicillin" in p and "DRAFT" in p for p in pages)
    if shutil.which("pdftoppm"):
        assert written[1].name == "sample-careplan.png" and written[1].stat().st_size > 1000


def test_banner_says_when_the_patient_has_died():
    from dataclasses import replace
    from datetime import UTC, datetime

    record = make_record()
    record = record.with_patient(replace(record.patient, deceased=True,
                                         deceased_date=datetime(2024, 2, 3, tzinfo=UTC)))
    pdf = render_careplan(make_plan(record), record, letterhead=LETTERHEAD, generated_at=WHEN)
    assert "Born 8 Apr 1992 (31 y), deceased 3 Feb 2024" in squash(pages_text(pdf)[0])


def test_cached_paragraph_draws_after_a_refused_split():
    # A table cell that did not fit at the foot of a page: reportlab's split refuses (orphan
    # control) and drops the paragraph's broken lines; the next wrap must rebuild them so that the
    # page can be drawn (four care-plan PDFs of the shared records failed here).
    from io import BytesIO

    from reportlab.pdfgen.canvas import Canvas

    from assistant.reports.styles import para

    p = para("A line of care-plan text that wraps over several lines in a narrow column. " * 3)
    p.wrap(120, 1000)
    assert p.split(120, 5) == []
    p.wrap(120, 1000)
    p.drawOn(Canvas(BytesIO()), 0, 0)
