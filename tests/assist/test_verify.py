"""Verifier: items are extracted (numbers with units, dates, drugs, allergies, diagnoses) and checked
against the cited fact lines, or the whole sheet when nothing valid is cited."""

from __future__ import annotations

import pytest
from assist_fixtures import sample_record, sample_risk

from assistant.assist.claims import find_dates, find_numbers
from assistant.assist.facts import build_fact_sheet
from assistant.assist.verify import split_citations, split_sentences, verify_sentence


@pytest.fixture(scope="module")
def sheet():
    return build_fact_sheet(sample_record(), sample_risk())


def fid(sheet, prefix: str) -> str:
    return next(f.id for f in sheet.lines if f.text.startswith(prefix))


def check(sheet, text: str, *prefixes: str):
    cites = "".join(f"[{fid(sheet, p)}]" for p in prefixes)
    return verify_sentence(f"{text} {cites}".strip(), sheet)


def test_numbers_units_and_decimals():
    nums = find_numbers("HbA1c 8.9 % then 8.90%, 1,000 mg, 78-year-old, BP 152/88 mmHg, type 2, stage III")
    keys = [(c.key[0], c.key[1]) for c in nums]
    assert (8.9, "%") in keys and keys.count((8.9, "%")) == 2
    assert (1000.0, "mg") in keys and (78.0, "year") in keys
    assert (152.0, "") in keys and (88.0, "mmhg") in keys
    assert (2.0, "type") in keys and (3.0, "stage") in keys
    assert find_numbers("potassium 6.1")[0].key == (6.1, "", "potassium")


def test_dates_in_several_formats():
    for text in ("2026-11-12", "12 November 2026", "November 12, 2026", "12th Nov 2026", "11/12/2026"):
        found, rest = find_dates(text)
        assert found and (2026, 11, 12) in found[0].key, text
        assert not any(ch.isdigit() for ch in rest), "date digits are not read again as numbers"
    found, _ = find_dates("since March 2019 and in 2014")
    assert [c.key for c in found] == [((2019, 3, 0),), ((2014, 0, 0),)]


def test_citations_are_parsed_and_removed():
    assert split_citations("INR 3.8 [F11] and rising [F12, F3].") == ("INR 3.8 and rising.", ("F11", "F12", "F3"))
    assert split_citations("BP high (F9).") == ("BP high.", ("F9",))
    assert split_sentences("She has AF. [F3] INR 3.8 (F11).\n- Diabetes: HbA1c 8.9%. [F12][F5]") == [
        "She has AF. [F3]", "INR 3.8 (F11).", "Diabetes: HbA1c 8.9%. [F12][F5]"]


def test_supported_sentence_is_verified_with_resolved_citations(sheet):
    s = check(sheet, "Her HbA1c rose from 7.4% to 8.9 % by 2026-10-27.", "HbA1c")
    assert s.status == "verified" and s.unsupported == ()
    assert s.citations == ("Observation/o-a1c2", "Observation/o-a1c1", "Observation/o-a1c0")
    assert s.text == "Her HbA1c rose from 7.4% to 8.9 % by 2026-10-27."


def test_wrong_number_wrong_unit_wrong_analyte(sheet):
    assert check(sheet, "Her HbA1c is 9.1%.", "HbA1c").unsupported == ("9.1%",)
    assert check(sheet, "Metformin 100 mg twice daily.", "Medication: Metformin").unsupported == ("100 mg",)
    assert check(sheet, "Metformin 1000 mg twice daily.", "Medication: Metformin").status == "verified"
    assert check(sheet, "HbA1c 8.9 mg.", "HbA1c").unsupported == ("8.9 mg",)
    # 3.8 is on the sheet, but as the INR: a potassium of 3.8 is not supported.
    assert check(sheet, "Potassium 3.8.", "INR").unsupported == ("3.8",)
    assert check(sheet, "INR 3.8.", "INR").status == "verified"


def test_number_on_sheet_but_not_in_cited_line_is_unsupported(sheet):
    s = check(sheet, "INR 3.8.", "HbA1c")
    assert s.status == "unverified" and s.unsupported == ("3.8",)


def test_wrong_date_and_partial_dates(sheet):
    assert check(sheet, "INR 3.8 on 12 November 2026.", "INR").status == "verified"
    assert check(sheet, "INR 3.8 on 13 November 2026.", "INR").unsupported == ("13 November 2026",)
    assert check(sheet, "Atrial fibrillation since 2019.", "Active problem: Atrial").status == "verified"
    assert check(sheet, "Atrial fibrillation since 2018.", "Active problem: Atrial").unsupported == ("2018",)


def test_drugs(sheet):
    assert check(sheet, "She takes warfarin.", "Medication: Warfarin").status == "verified"
    s = check(sheet, "She takes apixaban.", "Medication: Warfarin")
    assert s.unsupported == ("apixaban",)
    assert check(sheet, "She takes amlodipine.", "Medication: Warfarin").unsupported == ("amlodipine",)


def test_allergies(sheet):
    s = verify_sentence("She is allergic to penicillin (anaphylaxis).", sheet)
    assert s.status == "verified" and s.citations == ("AllergyIntolerance/a-pen",)
    assert check(sheet, "She has no known drug allergies.", "Allergy").unsupported == ("no known drug allergies",)
    assert verify_sentence("Allergic to sulfa.", sheet).unsupported == ("sulfa",)


def test_diagnoses(sheet):
    assert check(sheet, "She has AF.", "Active problem: Atrial").status == "verified"
    assert check(sheet, "She has heart failure.", "Active problem: Atrial").unsupported == ("heart failure",)
    assert check(sheet, "Type 2 diabetes.", "Active problem: Type 2").status == "verified"
    s = check(sheet, "Type 1 diabetes.", "Active problem: Type 2")
    assert s.unsupported == ("Type 1",)


def test_uncited_sentence_takes_citations_from_sheet(sheet):
    s = verify_sentence("Warfarin with an INR of 3.8.", sheet)
    assert s.status == "verified"
    assert set(s.fact_ids) == {fid(sheet, "Medication: Warfarin"), fid(sheet, "INR")}
    assert "Observation/o-inr2" in s.citations and "MedicationRequest/m-warf" in s.citations


def test_invalid_citation_is_treated_as_none(sheet):
    s = verify_sentence("She takes warfarin [F999].", sheet)
    assert s.status == "verified" and s.fact_ids == (fid(sheet, "Medication: Warfarin"),)


def test_sentence_with_nothing_traceable_is_unverified(sheet):
    s = verify_sentence("The patient is doing well.", sheet)
    assert s.status == "unverified" and s.citations == () and s.unsupported == ()
    assert verify_sentence("She is doing well [F1].", sheet).status == "verified"


def test_medication_names_to_ingredients():
    from assistant.assist.vocabulary import ingredients

    assert ingredients("Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet") == ("amoxicillin", "clavulanate")
    assert ingredients("Warfarin Sodium 5 MG Oral Tablet") == ("warfarin sodium", "warfarin")
    assert ingredients("200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler") == ("albuterol",)
    assert ingredients("24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet [Glucophage]") == (
        "glucophage", "metformin hydrochloride", "metformin")


def test_brand_and_synonym_names_are_the_same_drug(sheet):
    assert check(sheet, "She takes Coumadin.", "Medication: Warfarin").status == "verified"
    assert check(sheet, "Paracetamol as needed.", "Medication: Warfarin").unsupported == ("Paracetamol",)


def test_a_risk_is_not_a_diagnosis(sheet):
    s = check(sheet, "Warfarin with an INR of 3.8 raises the bleeding risk.", "INR", "Medication: Warfarin")
    assert s.status == "verified"
    assert check(sheet, "She has a risk of stroke.", "Active problem: Atrial").status == "verified"
    assert check(sheet, "She had a stroke.", "Active problem: Atrial").unsupported == ("stroke",)


def test_dose_is_bound_to_its_drug(sheet):
    # 5 mg is on the sheet (warfarin, amlodipine) but not as a metformin dose.
    s = verify_sentence("She takes 5 mg of metformin.", sheet)
    assert s.unsupported == ("5 mg",)
    assert verify_sentence("She takes warfarin 5 mg and metformin 1000 mg.", sheet).status == "verified"


def test_number_with_a_unit_needs_that_unit_on_the_line(sheet):
    assert verify_sentence("She has had atrial fibrillation for 2 years.", sheet).unsupported == ("2 years",)
    # A unit-less earlier value takes the unit of its line.
    assert check(sheet, "HbA1c rose from 7.4% to 8.9%.", "HbA1c").status == "verified"


def test_unknown_drug_and_diagnosis_shaped_words_must_be_on_the_sheet(sheet):
    s = verify_sentence("She has acute respiratory distress syndrome (ARDS) and takes diazepam.", sheet)
    assert set(s.unsupported) == {"respiratory distress syndrome", "ARDS", "diazepam"}
    s = verify_sentence("Bisoprolol was started for cholecystitis.", sheet)
    assert set(s.unsupported) == {"Bisoprolol", "cholecystitis"}
    assert verify_sentence("Her INR is 3.8 on warfarin.", sheet).status == "verified"
