"""Checker on the sample sheet (issue 13 rules): numbers, units, dates, drugs, allergies, diagnoses and
doses must be in the cited line, beside their item; an uncited sentence takes the one line that
supports it whole. The rules themselves are unit-tested in test_checker_rules.py."""

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
    s = check(sheet, "HbA1c 8.9 % (2026-10-27); earlier 7.4 (2025-07-14).", "HbA1c")
    assert s.status == "verified" and s.unsupported == ()
    assert s.citations == ("Observation/o-a1c2", "Observation/o-a1c1", "Observation/o-a1c0")
    assert s.text == "HbA1c 8.9 % (2026-10-27); earlier 7.4 (2025-07-14)."
    # A paraphrase whose words the line does not have ('rose', 'by', 'Her') is not the record's words.
    s = check(sheet, "Her HbA1c rose from 7.4% to 8.9 % by 2026-10-27.", "HbA1c")
    assert s.status == "unverified" and {"not in F12: rose", "not in F12: Her"} <= set(s.unsupported)


def test_wrong_number_wrong_unit_wrong_analyte(sheet):
    assert check(sheet, "HbA1c 9.1%.", "HbA1c").unsupported == ("not in F12: 9.1",)
    assert "not in F8: 100" in check(sheet, "Metformin 100 mg twice daily.", "Medication: Metformin").unsupported
    assert check(sheet, "Metformin 1000 mg twice daily.", "Medication: Metformin").status == "verified"
    assert check(sheet, "HbA1c 8.9 mg.", "HbA1c").unsupported == ("not in F12: mg",)
    assert check(sheet, "LDL cholesterol 94 mmol/L.", "LDL").status == "unverified"
    assert check(sheet, "LDL cholesterol 94 mg/dL.", "LDL").status == "verified"
    # 3.8 is on the sheet, but as the INR: a potassium of 3.8 is not supported.
    s = check(sheet, "Potassium 3.8.", "INR")
    assert s.status == "unverified" and "not in F11: Potassium" in s.unsupported
    assert any(u.startswith("value 3.8 belongs to INR") and u.endswith("not Potassium") for u in s.unsupported)
    assert check(sheet, "INR 3.8.", "INR").status == "verified"


def test_number_on_sheet_but_not_in_cited_line_is_unsupported(sheet):
    s = check(sheet, "INR 3.8.", "HbA1c")
    assert s.status == "unverified" and {"not in F12: 3.8", "F12 is cited but not used"} <= set(s.unsupported)


def test_wrong_date_and_partial_dates(sheet):
    assert check(sheet, "INR 3.8 on 12 November 2026.", "INR").status == "verified"
    s = check(sheet, "INR 3.8 on 13 November 2026.", "INR")
    assert s.status == "unverified" and "not in F11: 13 November 2026" in s.unsupported
    assert check(sheet, "Atrial fibrillation since 2019.", "Active problem: Atrial").status == "verified"
    s = check(sheet, "Atrial fibrillation since 2018.", "Active problem: Atrial")
    assert s.unsupported == ("not in F3: 2018",)


def test_drugs(sheet):
    assert check(sheet, "Warfarin 5 mg once daily.", "Medication: Warfarin").status == "verified"
    assert "not in F6: Apixaban" in check(sheet, "Apixaban 5 mg once daily.", "Medication: Warfarin").unsupported
    assert "not in F6: Amlodipine" in check(sheet, "Amlodipine.", "Medication: Warfarin").unsupported
    # 'She' states a sex F6 does not give and 'takes' is not the line's word (rule 1).
    s = check(sheet, "She takes warfarin.", "Medication: Warfarin")
    assert set(s.unsupported) == {"not in F6: She", "not in F6: takes"}


def test_allergies(sheet):
    s = verify_sentence("Allergy: penicillin (anaphylaxis).", sheet)
    assert s.status == "verified" and s.citations == ("AllergyIntolerance/a-pen",)
    s = check(sheet, "No known drug allergies.", "Allergy")
    assert s.status == "unverified" and {"not in F2: No", "not in F2: known"} <= set(s.unsupported)
    s = verify_sentence("Allergy: sulfa.", sheet)
    assert s.status == "unverified" and "not in the record: sulfa" in s.unsupported


def test_diagnoses(sheet):
    assert check(sheet, "AF since 2019.", "Active problem: Atrial").status == "verified"
    s = check(sheet, "Heart failure.", "Active problem: Atrial")
    assert {"not in F3: Heart", "not in F3: failure"} <= set(s.unsupported)
    assert check(sheet, "Type 2 diabetes.", "Active problem: Type 2").status == "verified"
    assert check(sheet, "Type 1 diabetes.", "Active problem: Type 2").unsupported == ("not in F4: 1",)


def test_uncited_sentence_takes_the_one_line_that_supports_it_whole(sheet):
    s = verify_sentence("INR 3.8 on warfarin.", sheet)
    assert s.status == "verified" and s.fact_ids == (fid(sheet, "Risk flag (high): INR"),)
    assert s.citations == ("Observation/o-inr2", "MedicationRequest/m-warf")
    # No single line says both: an uncited sentence is not pieced together from two lines.
    assert verify_sentence("Warfarin 5 mg; HbA1c 8.9 %.", sheet).status == "unverified"


def test_invalid_citation_is_treated_as_none(sheet):
    s = verify_sentence("Warfarin 5 mg [F999].", sheet)
    assert s.status == "verified" and s.fact_ids == (fid(sheet, "Medication: Warfarin"),)


def test_sentence_with_nothing_traceable_is_unverified(sheet):
    s = verify_sentence("The patient is doing well.", sheet)
    assert s.status == "unverified" and s.citations == ()
    assert {"cites no fact line", "not in the record: doing", "not in the record: well"} <= set(s.unsupported)
    # Citing a line does not make a judgement the line does not state checked.
    s = verify_sentence("She is doing well [F1].", sheet)
    assert s.status == "unverified" and "not in F1: well" in s.unsupported


def test_medication_names_to_ingredients():
    from assistant.assist.vocabulary import ingredients

    assert ingredients("Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet") == ("amoxicillin", "clavulanate")
    assert ingredients("Warfarin Sodium 5 MG Oral Tablet") == ("warfarin sodium", "warfarin")
    assert ingredients("200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler") == ("albuterol",)
    assert ingredients("24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet [Glucophage]") == (
        "glucophage", "metformin hydrochloride", "metformin")


def test_brand_and_synonym_names_are_the_same_drug(sheet):
    assert check(sheet, "Coumadin 5 mg once daily.", "Medication: Warfarin").status == "verified"
    assert check(sheet, "Glucophage 1000 mg twice daily.", "Medication: Metformin").status == "verified"
    s = check(sheet, "Paracetamol 5 mg once daily.", "Medication: Warfarin")
    assert s.status == "unverified" and "not in F6: Paracetamol" in s.unsupported


def test_a_risk_or_an_event_needs_a_line_that_states_it(sheet):
    assert check(sheet, "INR above therapeutic range on warfarin.", "Risk flag (high): INR").status == "verified"
    s = check(sheet, "Bleeding risk with warfarin and an INR of 3.8.", "INR", "Medication: Warfarin")
    assert s.status == "unverified" and {"not in F11, F6: Bleeding", "not in F11, F6: risk"} <= set(s.unsupported)
    # Atrial fibrillation is not a stroke, nor a stated risk of one.
    assert "not in F3: stroke" in check(sheet, "Risk of stroke.", "Active problem: Atrial").unsupported
    assert "not in F3: Stroke" in check(sheet, "Stroke.", "Active problem: Atrial").unsupported


def test_dose_is_bound_to_its_drug(sheet):
    # 5 mg is on the sheet (warfarin, amlodipine) but not as a metformin dose.
    s = check(sheet, "Metformin 5 mg.", "Medication: Warfarin", "Medication: Metformin")
    assert s.status == "unverified"
    assert any(u.startswith("value 5 belongs to Warfarin") and u.endswith("not Metformin") for u in s.unsupported)
    s = check(sheet, "Warfarin 5 mg; metformin 1000 mg twice daily.", "Medication: Warfarin", "Medication: Metformin")
    assert s.status == "verified"
    # 500 mg is the metformin tablet; the dose given twice daily is 1000 mg.
    s = check(sheet, "Metformin 500 mg twice daily.", "Medication: Metformin")
    assert s.unsupported == ("500 twice daily: not the dose and schedule of one cited entry",)
    assert check(sheet, "Metformin 500 mg tablet, 1000 mg twice daily.", "Medication: Metformin").status == "verified"
    assert check(sheet, "Warfarin 5 mg once daily in the evening.", "Medication: Warfarin").status == "verified"


def test_number_with_a_unit_needs_that_unit_on_the_line(sheet):
    s = check(sheet, "Atrial fibrillation for 2 years.", "Active problem: Atrial")
    assert {"not in F3: 2", "not in F3: years"} <= set(s.unsupported)
    # A unit-less earlier value takes the unit of its line.
    assert check(sheet, "HbA1c 8.9% (2026-10-27); earlier 7.4% (2025-07-14).", "HbA1c").status == "verified"


def test_unknown_drug_and_diagnosis_words_must_be_on_the_sheet(sheet):
    s = verify_sentence("Acute respiratory distress syndrome (ARDS) and diazepam.", sheet)
    assert s.status == "unverified"
    assert {f"not in the record: {w}" for w in ("respiratory", "ARDS", "diazepam")} <= set(s.unsupported)
    s = verify_sentence("Bisoprolol for cholecystitis.", sheet)
    assert {"not in the record: Bisoprolol", "not in the record: cholecystitis"} <= set(s.unsupported)
    assert verify_sentence("INR 3.8 on warfarin.", sheet).status == "verified"
