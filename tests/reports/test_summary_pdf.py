"""Summary PDF: citations as numbered endnotes, unverified sentences marked, flags table, generation details."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from types import SimpleNamespace

from test_report_builders import (
    CJK,
    LETTERHEAD,
    NAME,
    WHEN,
    make_record,
    make_risk,
    make_summary,
    pages_text,
    squash,
)

from assistant.reports.summary_pdf import generation_details, render_summary


def _text(summary=None, risk=None, **kw) -> list[str]:
    record = make_record(**kw)
    pdf = render_summary(summary or make_summary(), risk if risk is not None else make_risk(), record,
                         letterhead=LETTERHEAD, document_id="d" * 32, generated_at=WHEN)
    return [squash(t) for t in pages_text(pdf)]


def test_citations_become_numbered_endnotes():
    text = " ".join(_text())
    # First-cited first: the HbA1c observation is [1], levothyroxine [2].
    assert "HbA1c is above target at 8.9 %. [1]" in text
    assert "She takes levothyroxine daily. [2]" in text
    assert re.search(r"Citations # Entry type Date Value 1 Observation 12 Sep 2026 HbA1c: 8\.9 %", text)  # the short test name (loinc_display.csv)
    assert "2 Medication 1 Jan 2020 Levothyroxine 50 microgram tablet 50 microgram daily (active)" in text


def test_unverified_sentences_are_marked_with_their_unsupported_words():
    text = " ".join(_text())
    assert "UNVERIFIED She was started on insulin glargine in 2019." in text
    assert "Not found in the record: insulin glargine; 2019" in text


def test_flags_table_sorted_by_severity_with_evidence_and_reference():
    text = " ".join(_text())
    assert "Risk flags Severity Flag Evidence Reference" in text
    critical = text.index("CRITICAL Penicillin allergy on record")
    moderate = text.index("MODERATE HbA1c above target")
    assert critical < moderate
    assert "Missing inputs: renal function" in text
    assert "Local allergy policy 2024" in text
    # Evidence is resolved through the same endnotes as the sentences.
    assert re.search(r"\[3\] Penicillin: Anaphylaxis", text)
    assert "3 Allergy" in text


def test_generation_details_and_banner():
    pages = _text()
    text = " ".join(pages)
    assert "How this summary was generated" in text and "Text from the record (no language model)" in text
    for i, page in enumerate(pages, 1):
        assert NAME in page and "MRN-778899" in page and f"Page {i} of {len(pages)}" in page
        assert "DRAFT" not in page


def test_model_summary_names_the_pack_and_timing():
    summary = replace(make_summary(), source="model", model="qwen2.5-0.5b-instruct-int4 1.2.0",
                      timing={"ttft_s": 0.85, "tokens_per_s": 14.12, "new_tokens": 212.0, "total_s": 3.25})
    rows = dict(map(tuple, generation_details(summary)))
    # Says what was checked and what was not, never "prose by the model" over unchecked text.
    assert rows["Text"] == ("from the record; 1 sentence by the language model qwen2.5-0.5b-instruct-int4 "
                            "1.2.0, each checked against the entries it cites; 1 model sentence not checked "
                            "(marked)")
    assert rows["Timing"] == "total 3.25 s, first token 0.85 s, 212 tokens at 14.1 tokens/s"
    assert rows["Sentences"] == "3, of which 1 unverified"


def test_labels_say_what_was_checked_and_count_what_was_left_out():
    from assistant.assist.result import Summary
    from assistant.assist.verify import Sentence

    summary = Summary(patient_id="p1", source="model", model="tiny 1", reason="",
                      synopsis=Sentence("34-year-old woman.", ("AllergyIntolerance/a1",), status="deterministic"),
                      sentences=(Sentence("HbA1c is 8.9 %.", ("Observation/o-a1c",), status="verified"),),
                      facts=None, dropped=(Sentence("She is doing well.", status="unverified"),))  # type: ignore[arg-type]
    text = " ".join(_text(summary=summary))
    assert "From the record 34-year-old woman. [1]" in text
    assert ("Written by the language model (tiny 1); each sentence checked against the entries it cites "
            "HbA1c is 8.9 %. [2]") in text
    assert "1 model sentence not shown: not supported by the record" in text and "doing well" not in text
    assert "From the record, with model sentences checked against the entries they cite" in text


def test_no_flags_and_a_cjk_name():
    pages = _text(risk=SimpleNamespace(flags=()), given="伟", family="张")
    text = " ".join(pages)
    assert "No risk flags were raised" in text
    assert re.search(r"伟\s*张", text) and CJK[0] in text


def test_real_summary_result_shape():
    """The assist package's Summary (synopsis is a Sentence, timing a dict) renders as well."""
    from assistant.assist.result import Summary
    from assistant.assist.verify import Sentence

    summary = Summary(patient_id="p-unicode", source="deterministic", model="", reason="no model pack",
                      synopsis=Sentence("34-year-old woman with a penicillin allergy.",
                                        citations=("AllergyIntolerance/a1",)),
                      sentences=(Sentence("HbA1c 8.9 % [F3].", citations=("Observation/o-a1c",)),),
                      facts=None, timing={"total_s": 0.01})  # type: ignore[arg-type]
    text = " ".join(_text(summary=summary))
    assert "34-year-old woman with a penicillin allergy. [1]" in text
    assert "HbA1c 8.9 %. [2]" in text and "[F3]" not in text
    assert "Why deterministic no model pack" in text


def test_summary_service_evaluates_flags_when_not_given(monkeypatch):
    from pypdf import PdfReader

    from assistant.services import documents
    from assistant.services.documents import summary_pdf

    seen = []
    monkeypatch.setattr(documents, "evaluate_risk", lambda record: seen.append(record) or make_risk())
    record = make_record()
    pdf = summary_pdf(make_summary(), record, letterhead=LETTERHEAD)
    assert seen == [record]
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == "Patient summary" and NAME not in (meta.subject or "")
    assert "CRITICAL Penicillin allergy on record" in squash(" ".join(pages_text(pdf)))


def test_public_api_renders_the_flags_it_is_given_and_evaluates_none(monkeypatch):
    from assistant.reports import render_summary_pdf
    from assistant.services import documents

    def no_evaluation(record):
        raise AssertionError("reports must not evaluate flags")

    monkeypatch.setattr(documents, "evaluate_risk", no_evaluation)
    record = make_record()
    given = squash(" ".join(pages_text(render_summary_pdf(make_summary(), record, risk=make_risk(),
                                                          letterhead=LETTERHEAD))))
    assert "CRITICAL Penicillin allergy on record" in given
    none = squash(" ".join(pages_text(render_summary_pdf(make_summary(), record, risk=None,
                                                         letterhead=LETTERHEAD))))
    assert "No risk flags were raised from the record." in none


def test_the_patient_citation_names_the_demographics_not_a_missing_entry():
    # The synopsis cites the patient (age, sex); the endnote said "not found in the record".
    from assistant.reports.citations import Endnotes

    record = make_record()
    kind, _, value = Endnotes(record).describe(f"Patient/{record.patient.id}")
    assert kind == "Patient" and "not found" not in value and record.patient.sex in value
    assert Endnotes(record).describe("Observation/none")[2] == "not found in the record"


def test_header_claims_no_check_when_no_model_sentence_is_on_the_page():
    # The default pack's sentences are usually all left out: the header must not say "with model
    # sentences checked" over a page that holds none.
    from assistant.assist.verify import Sentence

    base = make_summary(unverified=False)
    only_record = replace(base, source="model", model="tiny 1",
                          sentences=tuple(s for s in base.sentences if s.status == "deterministic"),
                          dropped=(Sentence("She is doing well.", status="unverified"),))
    text = " ".join(_text(summary=only_record))
    assert "with model sentences checked" not in text and "From the record" in text
    assert "with model sentences checked" in " ".join(_text(summary=replace(base, source="model", model="tiny 1")))
