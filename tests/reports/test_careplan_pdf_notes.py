"""Care-plan PDF page 1: notes computed from the plan as printed; no unchecked text in the patient's part."""

from __future__ import annotations

from dataclasses import replace

from test_report_builders import LETTERHEAD, WHEN, make_plan, make_record, pages_text, squash

from assistant.assist.careplan.document import Item
from assistant.reports.careplan_pdf import render_careplan

STALE = "2 model sentence(s) in the rationale not supported by the chart: marked unverified"


def _page_one(plan, record) -> str:
    pdf = render_careplan(plan, record, letterhead=LETTERHEAD, generated_at=WHEN)
    return squash(pages_text(pdf)[0])


def test_page_one_notes_are_recomputed_from_the_content() -> None:
    record = make_record()
    plan = make_plan(record)
    # Drafted with two unchecked sentences, which the clinician then deleted: the stored note is stale.
    plan = replace(plan, warnings=(STALE, "no language model: rationale and patient section are "
                                          "deterministic text"))
    text = _page_one(plan, record)
    assert "marked unverified" not in text and "2 model sentence" not in text
    assert "no language model" in text  # a drafting note is kept
    # The one unchecked medication item left in the plan is counted where it is.
    assert "1 model sentence in “Medications” is not checked against the record" in text


def test_unchecked_text_never_prints_in_the_patient_section() -> None:
    record = make_record()
    plan = make_plan(record)
    patient = plan.section("patient")
    bad = Item("My name is Sarah Johnson, and I am a registered dietitian.", "text", status="unverified",
               issues=("letter or first-person text",))
    plan = plan.with_section(replace(patient, items=(bad,) + patient.items))
    text = squash(" ".join(pages_text(render_careplan(plan, record, letterhead=LETTERHEAD,
                                                      generated_at=WHEN))))
    assert "Sarah Johnson" not in text
    assert "1 model sentence for the patient section left out" in text
    assert "take your tablets every day" in text


def test_a_paragraph_pushed_whole_to_the_next_page_still_draws() -> None:
    # reportlab's split deletes a paragraph's broken lines when not even one line fits; the wrap
    # cache must not then skip breaking them again (the care-plan export failed with AttributeError).
    import io

    from reportlab.pdfgen.canvas import Canvas

    from assistant.reports.styles import para

    p = para("A long sentence for the patient. " * 20)
    p.wrap(300, 800)
    assert p.split(300, 2) == []
    p.wrap(300, 800)
    p.drawOn(Canvas(io.BytesIO()), 0, 0)
