"""Unit tests of the sentence checker's rules (issue 13): grounding, relations, binding, padding, conduct, repeats."""

from __future__ import annotations

from assistant.assist.facts import Fact, FactSheet
from assistant.assist.verify import UNVERIFIED, VERIFIED, verify_sentence, verify_text

MED = ("Medication: spironolactone 25 mg Oral Tablet; Take 1 tablet (25 mg) by mouth once daily "
       "(since 2026-08-04; for Heart failure with reduced ejection fraction)")
LINES = {
    "F1": "Patient: 72-year-old man",
    "F2": "Allergy: Latex (allergy; Contact dermatitis, mild reaction)",
    "F3": "Active problem: Hyperkalemia (since 2026-11-18)",
    "F4": "Active problem: Hypertension (since 1968-05-18)",
    "F5": "Active problem: Primary malignant neoplasm of colon (since 1997-05-18)",
    "F9": MED,
    "F19": "BMI 28.2 kg/m2 (2026-06-02)",
    "F22": "Potassium 6.1 mmol/L (2026-11-18), high (normal 3.5-5.1); earlier 5.3 (2026-09-15); rising",
    "F30": "Note 2026-05-20 (Annual review): ALLERGIES: PENICILLIN - anaphylaxis 2015 (amoxicillin).",
    "F31": "Note 2026-11-19 (Telephone note): Discussed with Dr Specimen: hold spironolactone.",
    "F40": "Medication: albuterol 0.09 mg/actuation Inhaler; Inhale 2 puffs (200 micrograms) as needed",
}
SHEET = FactSheet("p", tuple(Fact(k, "x", v, (k,), 50) for k, v in LINES.items()))


def check(sentence: str, *cites: str, previous: tuple[str, ...] = ()):
    marks = "".join(f"[{c}]" for c in cites)
    return verify_sentence(f"{sentence} {marks}", SHEET, previous=previous)


def ok(sentence: str, *cites: str) -> bool:
    return check(sentence, *cites).status == VERIFIED


# Rule 1: grounding
def test_restatement_in_the_records_words_is_grounded():
    assert ok("Hypertension since 1968-05-18.", "F4")


def test_invented_qualifier_is_named():
    s = check("The patient has a rare latex allergy.", "F2")
    assert s.status == UNVERIFIED and "not in F2: rare" in s.unsupported


def test_asserting_words_are_never_connective():
    for word in ("severe", "chronic", "treated", "improving"):
        assert not ok(f"{word.capitalize()} hypertension (since 1968-05-18).", "F4"), word


def test_reviewed_synonym_is_accepted():
    assert ok("Primary colon cancer (since 1997-05-18).", "F5")
    assert ok("High blood pressure (since 1968-05-18).", "F4")


def test_spelling_variant_and_drug_name_synonym_are_accepted():
    assert ok("Hyperkalaemia (since 2026-11-18).", "F3")
    assert ok("Salbutamol inhaler: 2 puffs (200 mcg) as needed.", "F40")


def test_a_word_only_an_uncited_line_has_is_not_grounded():
    assert not ok("Hypertension and hyperkalemia.", "F4")


def test_wrong_number_is_not_grounded():
    s = check("Potassium 6.4 mmol/L (2026-11-18), high.", "F22")
    assert s.status == UNVERIFIED and any("6.4" in u for u in s.unsupported)


def test_unit_spelling_and_number_form_are_normalised():
    assert ok("Potassium 6.10 mmol/l (2026-11-18), high.", "F22")
    assert ok("Spironolactone 25mg, 1 tablet once daily.", "F9")


# Rule 2: relations
def test_link_stated_by_one_line_is_accepted():
    assert ok("Spironolactone 25 mg for heart failure with reduced ejection fraction.", "F9")


def test_link_no_line_states_is_rejected():
    s = check("Spironolactone for hyperkalemia.", "F9", "F3")
    assert s.status == UNVERIFIED
    assert any(u.startswith("link not stated: Spironolactone for") for u in s.unsupported)


# Rule 3: binding and padding
def test_value_beside_its_own_item_is_bound():
    assert ok("Potassium 6.1 mmol/L (2026-11-18); BMI 28.2 kg/m2 (2026-06-02).", "F22", "F19")


def test_a_blood_pressure_is_one_reading_in_its_order():
    sheet = FactSheet("p", (Fact("F9", "vital", "Blood pressure 152/88 mmHg (2026-11-12)", ("o",), 50),))
    assert verify_sentence("Blood pressure 152/88 mm Hg (2026-11-12). [F9]", sheet).status == VERIFIED
    assert "not in F9: 88/152" in verify_sentence("Blood pressure 88/152 mmHg. [F9]", sheet).unsupported
    assert verify_sentence("Blood pressure 152 mmHg. [F9]", sheet).status == UNVERIFIED


def test_date_of_another_line_is_not_bound():
    s = check("Latex allergy (2026-06-02).", "F2", "F19")
    assert s.status == UNVERIFIED
    assert any(u.startswith("date 2026-06-02 belongs to BMI") and u.endswith("not Latex") for u in s.unsupported)


def test_earlier_value_with_the_newest_date_is_not_bound():
    assert not ok("Potassium 5.3 mmol/L (2026-11-18).", "F22")
    assert ok("Potassium 5.3 (2026-09-15), earlier.", "F22")


def test_a_medications_start_date_is_not_its_reasons():
    assert not ok("Heart failure with reduced ejection fraction (since 2026-08-04).", "F9")


def test_a_notes_own_date_is_not_the_date_of_what_it_reports():
    assert not ok("Anaphylaxis to amoxicillin on 2026-05-20.", "F30")


def test_padding_citation_is_rejected():
    s = check("Hypertension (since 1968-05-18).", "F4", "F19")
    assert s.status == UNVERIFIED and "F19 is cited but not used" in s.unsupported


# Rule 4: conduct and repeats
def test_first_person_and_greetings_are_rejected():
    assert "first person" in check("I have reviewed the potassium 6.1 mmol/L.", "F22").unsupported
    assert not ok("Dear colleague, hypertension since 1968-05-18.", "F4")
    assert not ok("Thank you, hypertension since 1968-05-18.", "F4")


def test_second_person_is_rejected():
    assert "second-person address" in check("Your patient has hypertension.", "F4").unsupported


def test_invented_person_is_rejected_a_cited_one_is_not():
    s = check("Dr Patel discussed: hold spironolactone.", "F31")
    assert "invented person: Dr Patel" in s.unsupported
    assert ok("Discussed with Dr Specimen: hold spironolactone.", "F31")


def test_type_one_is_not_first_person():
    assert "first person" not in check("Diabetes type I.", "F4").unsupported


def test_repeat_of_an_earlier_sentence_is_rejected():
    s = check("Hypertension (since 1968-05-18).", "F4", previous=("Active problem: Hypertension (since 1968-05-18).",))
    assert "repeats an earlier sentence" in s.unsupported


def test_a_new_sentence_after_others_is_not_a_repeat():
    s = check("Hyperkalemia (since 2026-11-18).", "F3", previous=("Hypertension (since 1968-05-18).",))
    assert s.status == VERIFIED


def test_verify_text_passes_earlier_sentences():
    out = verify_text("Hypertension since 1968-05-18 [F4]. Hypertension since 1968-05-18 [F4].", SHEET)
    assert [s.status for s in out] == [VERIFIED, UNVERIFIED]


# Rule 5: no false alarms on the record's own words
def test_prefixes_may_be_kept_or_dropped_and_case_changed():
    assert ok("Active problem: hypertension (since 1968-05-18).", "F4")
    assert ok("hypertension (since 1968-05-18)", "F4")
    assert ok("The patient is a 72-year-old man.", "F1")


def test_uncited_restatement_finds_its_line():
    s = verify_sentence("Hyperkalemia since 2026-11-18.", SHEET)
    assert s.status == VERIFIED and s.fact_ids == ("F3",)


def test_a_sentence_without_words_is_never_verified():
    # A list numbering ('1.') the model wrote passed as verified with six citations and replaced a
    # care plan's record-built rationale.
    from assistant.assist.facts import Fact, FactSheet
    from assistant.assist.verify import verify_sentence

    sheet = FactSheet("p", (Fact("F1", "Potassium 6.1 mmol/L (2026-11-18)", ("Observation/k",), "lab", 90),))
    for text in ("1. [F1]", "2.", "6.1 [F1]"):
        s = verify_sentence(text, sheet)
        assert s.status == "unverified", text


def test_a_bare_fact_id_before_the_sentence_leaves_no_stray_colon():
    from assistant.assist.verify import split_citations

    assert split_citations("F12: Blood pressure 104/71 mmHg [F12].") == ("Blood pressure 104/71 mmHg.", ("F12",))
