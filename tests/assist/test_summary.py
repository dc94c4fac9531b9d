"""Summary: deterministic fallback, model prose verified sentence by sentence, marking or dropping,
the record-built part first, streaming, cancel and failure, JSON shape."""

from __future__ import annotations

import json
import threading

import pytest
from assist_fixtures import DEMO, ScriptedEngine, sample_record, sample_risk

from assistant.assist.coverage import coverage
from assistant.assist.facts import build_fact_sheet
from assistant.assist.generation import allowed_numbers, cleanup_sentence
from assistant.assist.summary import generate_summary
from assistant.assist.word_audit import ungrounded_words
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord


def assert_record_built(x, sheet) -> None:
    """A record-built sentence is not model text and is not put to the model checker: it says it is
    built from the record, cites facts of the sheet with their entries, and every number and date it
    writes is in a line it cites (the independent word audit)."""
    assert x.status == "deterministic" and x.unsupported == (), x.text
    lines = [sheet.fact(i) for i in x.fact_ids]
    assert lines and None not in lines and x.citations == sheet.refs_for(x.fact_ids), x.text
    values = [w for w in ungrounded_words(x.text, [f.text for f in lines]) if any(c.isdigit() for c in w)]
    assert values == [], (x.text, values)


def ids(sheet, *prefixes: str) -> str:
    return "".join(f"[{next(f.id for f in sheet.lines if f.text.startswith(p))}]" for p in prefixes)


def test_deterministic_without_engine():
    rec = sample_record()
    s = generate_summary(rec, sample_risk())
    assert s.source == "deterministic" and s.reason == "no model pack installed" and s.model == ""
    assert s.all_sentences[0] is s.synopsis and s.synopsis not in s.sentences
    assert s.synopsis.text == ("78-year-old woman with atrial fibrillation, type 2 diabetes mellitus and "
                               "essential hypertension; allergies: penicillin (anaphylaxis).")
    assert all(x.status == "deterministic" for x in s.all_sentences)
    texts = [x.text for x in s.all_sentences]
    assert texts[1] == "Allergy: Penicillin (allergy; Anaphylaxis, severe reaction, high criticality)."
    assert texts[2].startswith("Risk flags: Penicillin allergy (critical); INR above therapeutic range")
    af = next(t for t in texts if t.startswith("Atrial fibrillation"))
    assert "INR 3.8 on 2026-11-12 (high, rising)" in af and "warfarin sodium 5 mg" in af.lower()
    dm = next(t for t in texts if t.startswith("Type 2 diabetes"))
    assert "HbA1c 8.9 % on 2026-10-27 (high, rising)" in dm and "metformin hydrochloride 500 mg" in dm.lower()
    for x in s.all_sentences:
        assert x.citations and all(c == rec.patient.ref or rec.entry(c) for c in x.citations)
        assert_record_built(x, s.facts)


def test_deterministic_on_request_does_not_call_engine():
    engine = ScriptedEngine("Anything.")
    s = generate_summary(sample_record(), None, engine, use_model=False)
    assert s.source == "deterministic" and s.reason == "deterministic summary requested"
    assert engine.calls == []


def scripted(sheet) -> str:
    return (f"78-year-old woman; penicillin allergy (anaphylaxis). {ids(sheet, 'Patient', 'Allergy')}\n"
            f"Warfarin 5 mg for atrial fibrillation; INR 3.8 (2026-11-12), high. "
            f"{ids(sheet, 'Medication: Warfarin', 'INR')}\n"
            f"Diabetes with HbA1c 9.4% on metformin 100 mg. {ids(sheet, 'Active problem: Type 2', 'HbA1c')}\n"
            f"She is doing well.")


# What the checker says of the two false sentences of `scripted` (invented value, drug and dose;
# a judgement citing nothing).
DIABETES = {"not in F4, F12: 9.4", "not in F4, F12: metformin", "not in F4, F12: 100"}
WELL = {"cites no fact line", "not in the record: well"}


def test_model_prose_follows_the_record_built_text_marked_in_mark_mode():
    rec = sample_record()
    sheet = build_fact_sheet(rec, sample_risk())
    engine = ScriptedEngine(scripted(sheet))
    pieces: list[str] = []
    s = generate_summary(rec, sample_risk(), engine, on_text=pieces.append, unverified="mark")
    record_only = generate_summary(rec, sample_risk())
    assert s.source == "model" and s.model == "scripted-test-model 0" and not s.cancelled
    # The record-built part is all there, first and unchanged; the model only adds after it.
    assert s.record_built == record_only.all_sentences
    assert s.all_sentences[:len(s.record_built)] == s.record_built
    status = [(x.text.split(" ")[0], x.status) for x in s.model_sentences]
    assert status == [("78-year-old", "verified"), ("Warfarin", "verified"), ("Diabetes", "unverified"),
                      ("She", "unverified")]
    assert [x.unsupported for x in s.model_sentences[:2]] == [(), ()]
    assert DIABETES <= set(s.model_sentences[2].unsupported) and WELL <= set(s.model_sentences[3].unsupported)
    assert s.dropped == ()
    streamed = "".join(pieces)
    assert streamed.index("Essential hypertension") < streamed.index("9.4% on metformin 100 mg. [unverified: ")
    prompt = engine.calls[0]["messages"][1]["content"]
    assert "F1: Patient: 78-year-old woman" in prompt and "[F3]" in prompt
    assert coverage(build_fact_sheet(rec), s.all_sentences)["problems"] == (3, 3)


def test_unchecked_sentences_are_dropped_by_default():
    rec = sample_record()
    sheet = build_fact_sheet(rec, sample_risk())
    s = generate_summary(rec, sample_risk(), ScriptedEngine(scripted(sheet)))
    assert all(x.status != "unverified" for x in s.all_sentences)
    assert [d.text.split(" ")[0] for d in s.dropped] == ["Diabetes", "She"]
    assert DIABETES <= set(s.dropped[0].unsupported) and WELL <= set(s.dropped[1].unsupported)
    assert [x.status for x in s.model_sentences] == ["verified", "verified"]
    assert s.to_dict()["dropped"] == 2
    text = s.text()
    assert "2 model sentences not shown: not supported by the record" in text and "She is doing well" not in text
    assert "Not supported by the record — not checked:\nDiabetes" in s.text(show_dropped=True)


def test_model_copies_of_record_lines_are_not_repeated():
    rec = sample_record()
    sheet = build_fact_sheet(rec, sample_risk())
    copy = next(f for f in sheet.lines if f.section == "problem")
    s = generate_summary(rec, sample_risk(), ScriptedEngine(f"{copy.text}. [{copy.id}]\nShe has AF."))
    assert [x.text for x in s.model_sentences if x.text.startswith("Active problem")] == []


def test_cancel_returns_verified_so_far():
    rec = sample_record()
    sheet = build_fact_sheet(rec, sample_risk())
    text = scripted(sheet)
    cancel = threading.Event()
    first_break = text.index("\n") + 1
    engine = ScriptedEngine(text, piece=first_break + 5, stop_after=1)
    s = generate_summary(rec, sample_risk(), engine, cancel=cancel)
    assert s.cancelled and s.source == "model"
    assert [x.text.split(" ")[0] for x in s.model_sentences] == ["78-year-old"]
    assert s.record_built == generate_summary(rec, sample_risk()).all_sentences
    assert s.to_dict()["cancelled"] is True


def test_cancel_before_start_keeps_the_record_built_text():
    cancel = threading.Event()
    cancel.set()
    s = generate_summary(sample_record(), None, ScriptedEngine("Anything."), cancel=cancel)
    assert s.cancelled and s.model_sentences == ()
    assert s.all_sentences == generate_summary(sample_record()).all_sentences


def test_model_failure_falls_back_to_deterministic():
    s = generate_summary(sample_record(), None, ScriptedEngine("x", fail=True))
    assert s.source == "deterministic" and s.reason == "model failed (RuntimeError)"
    assert s.sentences and s.synopsis.status == "deterministic"


def test_looping_model_is_stopped():
    engine = ScriptedEngine("AF since 2019-09-23. " * 200, piece=30)
    s = generate_summary(sample_record(), None, engine)
    assert engine.stats.new_tokens < 40  # the stream was abandoned after a few repeats
    assert [x.text for x in s.model_sentences] == ["AF since 2019-09-23."] and s.dropped == ()


def test_budget_follows_context_length():
    rec = sample_record()
    big, small = ScriptedEngine("She has AF."), ScriptedEngine("She has AF.", context_length=700)
    s_big = generate_summary(rec, sample_risk(), big)
    s_small = generate_summary(rec, sample_risk(), small)

    def prompt_ids(engine):
        return [line.split(":")[0] for line in engine.calls[0]["messages"][1]["content"].splitlines()
                if line.startswith("F")]

    assert len(prompt_ids(small)) < len(prompt_ids(big))
    assert prompt_ids(small)[0] == "F1"
    # The result keeps the whole sheet, so every id stays resolvable.
    assert s_small.facts.ids == s_big.facts.ids and len(s_small.facts.ids) == len(prompt_ids(big))


def test_json_shape():
    s = generate_summary(sample_record(), sample_risk())
    d = json.loads(json.dumps(s.to_dict()))
    assert set(d) >= {"patient", "source", "model", "sentences", "timing"}
    assert d["patient"] == "p1" and d["source"] == "deterministic"
    first = d["sentences"][0]
    assert d["synopsis"] == first
    assert set(first) >= {"text", "citations", "status", "unsupported"}
    assert first["citations"][0] == "Patient/p1" and first["status"] == "deterministic"
    assert set(d["timing"]) >= {"ttft_s", "total_s", "tokens_per_s", "new_tokens"}


def test_allowed_numbers_and_cleanup():
    nums = allowed_numbers(build_fact_sheet(sample_record()))
    assert {"3.8", "8.9", "2026", "78", "1000", "1"} <= nums and "9.4" not in nums
    assert cleanup_sentence("**Synopsis:** 78-year-old woman.") == "78-year-old woman."
    assert cleanup_sentence("- 2. Atrial fibrillation.") == "Atrial fibrillation."


def _records():
    for path in sorted(DEMO.glob("*.json")):
        parsed = parse_file(path)
        yield PatientRecord.build(parsed.patients[0], parsed.entries)


def test_demo_deterministic_summaries_cover_everything():
    records = list(_records())
    if not records:
        pytest.skip("demo patients not present")
    for rec in records:
        s = generate_summary(rec)
        cov = coverage(build_fact_sheet(rec), s.all_sentences)
        assert all(found == total for found, total in cov.values()), (rec.patient.id, cov)
        for x in s.all_sentences:
            assert_record_built(x, s.facts)


def test_echoed_fact_lines_and_bare_words_are_not_shown_as_model_prose():
    # The tiny model echoes fact lines with their id or a colon before them, or writes one word;
    # none of it is prose, and none of it is shown as "written by the language model".
    from assistant.assist.facts import build_fact_sheet

    record, risk = sample_record(), sample_risk()
    sheet = build_fact_sheet(record, risk)
    line = sheet.lines[0]
    engine = ScriptedEngine(f": {line.text} [{line.id}].\n{line.id}: {line.text} [{line.id}].\nSodium.\n")
    s = generate_summary(record, risk, engine)
    assert s.model_sentences == () or all(line.text not in x.text for x in s.model_sentences)
    assert not any(x.text.strip(": .") in ("Sodium", line.text) for x in s.model_sentences)
