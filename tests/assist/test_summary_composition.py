"""What every summary states from the record (allergies, problems, medicines, latest note), cited,
and what happens to the model's true and false sentences on top of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from assist_fixtures import ScriptedEngine
from careplan_support import demo_record, synthea_records

from assistant.assist.coverage import coverage
from assistant.assist.facts import build_fact_sheet
from assistant.assist.summary import generate_summary
from assistant.assist.vocabulary import clean_display
from assistant.records.record import PatientRecord


def _fact(sheet, prefix: str):
    return next(f for f in sheet.lines if f.text.startswith(prefix))


def _zoe_script(sheet) -> str:
    allergy, med = _fact(sheet, "Allergy: Penicillin"), _fact(sheet, "Medication: amoxicillin")
    return (f"Penicillin allergy: anaphylaxis, urticaria, high criticality. [{allergy.id}]\n"
            f"She takes amoxicillin for urinary infection since 2019. [{med.id}]\n")


def allergy_ref(rec: PatientRecord) -> str:
    return next(a.ref for a in rec.active_allergies if "enicillin" in a.substance)


def test_record_built_lines_are_cited_true_model_sentence_shown_false_one_dropped():
    rec = demo_record("05")
    sheet = build_fact_sheet(rec)
    s = generate_summary(rec, None, ScriptedEngine(_zoe_script(sheet)))
    built = {x.text.split(":")[0]: x for x in s.record_built}
    allergy = built["Allergy"]
    assert allergy.text == "Allergy: Penicillin (allergy; Anaphylaxis, Urticaria, severe reaction, high criticality)."
    assert allergy.citations == tuple(a.ref for a in rec.active_allergies)
    # the urgent-care note, three days before the day the demo is made (its dates move with it)
    when = max(n.date for n in rec.notes if n.date).date().isoformat()
    note = next(x for x in s.record_built if x.text.startswith(f"Note {when}"))
    assert "Plan: amoxicillin 500 mg three times daily" in note.text and note.citations == (rec.notes[0].ref,)
    assert any("streptococcal sore throat" in x.text.lower() for x in s.record_built)
    assert any("amoxicillin" in x.text.lower() and "Medication" not in x.text for x in s.record_built)
    assert all(x.citations for x in s.record_built)
    # The true sentence is shown after the record-built text; the false one is dropped and counted.
    assert [x.text for x in s.model_sentences] == ["Penicillin allergy: anaphylaxis, urticaria, high criticality."]
    assert s.model_sentences[0].status == "verified" and s.model_sentences[0].citations == (allergy_ref(rec),)
    assert [x.text for x in s.dropped] == ["She takes amoxicillin for urinary infection since 2019."]
    assert "1 model sentence not shown: not supported by the record" in s.text()
    assert "urinary infection" not in s.text()
    marked = generate_summary(rec, None, ScriptedEngine(_zoe_script(sheet)), unverified="mark")
    assert marked.dropped == () and [x.status for x in marked.model_sentences] == ["verified", "unverified"]
    assert "urinary infection since 2019." in marked.text() and "[UNVERIFIED" in marked.text()


def test_no_allergy_entry_is_not_no_known_allergies():
    rec = demo_record("01")
    bare = PatientRecord.build(rec.patient, [e for e in rec.entries() if e not in rec.allergies])
    text = generate_summary(bare).text()
    assert "No allergies recorded." in text and "No known allergies" not in text


def _assert_covered(rec: PatientRecord) -> None:
    s = generate_summary(rec)
    cited = {c for x in s.all_sentences for c in x.citations}
    for group in (rec.active_allergies, rec.active_conditions, rec.active_medications):
        for entry in group:
            assert entry.ref in cited, (rec.patient.id, entry.ref)
    text = "\n".join(x.text for x in s.all_sentences).lower()
    for a in rec.active_allergies:
        assert clean_display(a.substance).lower() in text, (rec.patient.id, a.substance)
    cov = coverage(build_fact_sheet(rec), s.all_sentences)
    assert all(found == total for found, total in cov.values()), (rec.patient.id, cov)


@pytest.mark.parametrize("prefix", ["01", "02", "03", "04", "05"])
def test_every_demo_summary_states_every_allergy_problem_and_medicine(prefix: str):
    _assert_covered(demo_record(prefix))


def test_every_synthea_summary_states_every_allergy_problem_and_medicine(shared_fhir: Path):
    records = synthea_records(shared_fhir)
    assert records
    for rec in records:
        _assert_covered(rec)
