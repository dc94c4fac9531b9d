"""Word-level audit: strict, simple, apart from the verifier; and the labelled set it is measured on."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest
from verdict_set import CHECKED, EXTRA_KINDS, REJECTED, REQUIRED_KINDS, of_kind, rows

from assistant.assist import word_audit
from assistant.assist.word_audit import connectives, ungrounded_words

ORIGIN = re.compile(r"issue-13|written|demo:\S+\.json|synthea:\S+\.json")


# --- the labelled set ---------------------------------------------------------------------------
def test_set_size_kinds_and_balance():
    labelled = rows()
    assert len(labelled) >= 220
    counts = Counter(r.kind for r in labelled)
    assert set(counts) <= set(REQUIRED_KINDS) | set(EXTRA_KINDS), counts
    for kind in REQUIRED_KINDS:
        assert counts[kind] >= 15, (kind, counts[kind])
    checked = sum(r.verdict == CHECKED for r in labelled)
    assert 0.4 <= checked / len(labelled) <= 0.6, "roughly half true, half false"


def test_rows_are_well_formed():
    ids = [r.id for r in rows()]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    kinds = REQUIRED_KINDS | EXTRA_KINDS
    for r in rows():
        assert r.verdict in (CHECKED, REJECTED), r.id
        assert r.verdict == kinds[r.kind], f"{r.id}: a {r.kind} row is {kinds[r.kind]}"
        assert all(re.fullmatch(r"F\d+", f) for f in r.facts), r.id
        assert all(line.strip() for line in r.facts.values()), r.id
        assert set(r.cites) <= set(r.facts), f"{r.id} cites {set(r.cites) - set(r.facts)}, not in facts"
        assert len(set(r.cites)) == len(r.cites), r.id
        assert r.sentence.strip() and r.why.strip() and ORIGIN.fullmatch(r.origin), r.id
        assert all(isinstance(p, str) and p.strip() for p in r.previous), r.id
        if r.verdict == CHECKED:
            assert r.cites, f"{r.id}: a checked sentence cites at least one fact"
    for r in of_kind("repetition"):
        assert r.previous, f"{r.id}: a repetition repeats an earlier sentence"


def test_set_holds_the_examples_of_issue_13():
    sentences = {r.sentence: r for r in rows()}
    expected = {
        "Active problem: Hypertension (since 1968-05-18)": CHECKED,
        "Metabolic syndrome X (since 2000-01-08)": CHECKED,
        "Anemia (since 1996-12-28)": CHECKED,
        "Clopidogrel 75 mg Oral Tablet (since 2006-05-02)": CHECKED,
        "The patient has been treated with spironolactone for potassium.": REJECTED,
        "He has a history of potassium-sparing diuretic (2022-05-03).": REJECTED,
        "Dear Dr. Smith, I hope this message finds you well.": REJECTED,
        "My name is Sarah Johnson, and I am a registered dietitian.": REJECTED,
        "The plan also aims to avoid the flu vaccine.": REJECTED,
    }
    for sentence, verdict in expected.items():
        assert sentences[sentence].verdict == verdict, sentence
    assert any("latex (2026-06-02)" in s and "(2022-05-03)" in s for s in sentences)
    assert any("taking a medication for this condition" in s for s in sentences)
    assert sum(r.origin == "issue-13" for r in rows()) >= 12


# --- the auditor on the labelled set --------------------------------------------------------------
def test_no_false_alarm_on_restatements_and_unit_spellings():
    alarms = {r.id: ungrounded_words(r.sentence, r.cited_lines)
              for r in of_kind("restatement", "unit_normalisation")}
    assert len(alarms) >= 30
    assert {i: words for i, words in alarms.items() if words} == {}


def test_every_invented_word_or_number_is_reported():
    missed = [r.id for r in of_kind("invented_qualifier", "invented_event", "wrong_number")
              if not ungrounded_words(r.sentence, r.cited_lines)]
    assert len(of_kind("invented_qualifier", "invented_event", "wrong_number")) >= 45
    assert missed == []


# --- the auditor's rules --------------------------------------------------------------------------
LINE = "Potassium 6.1 mmol/L (2026-11-18), high (normal 3.5-5.1); earlier 5.3 (2026-09-15); rising"


@pytest.mark.parametrize("sentence", [
    "POTASSIUM 6.10 MMOL/L (2026-11-18), HIGH.",
    "Potassium  6.1\tmmol/l, high; rising",
    "The potassium was 6.1 mmol/L on 2026-11-18 [F22].",
])
def test_case_spacing_numbers_connectives_and_citation_marks(sentence):
    assert ungrounded_words(sentence, [LINE]) == []


def test_reports_each_unsupported_word_once_in_order():
    assert ungrounded_words("Potassium is rare, rare and improving at 6.4 mmol/L.", [LINE]) == \
        ["rare", "improving", "6.4"]


def test_plurals_and_thousands():
    line = "Take 2 tablets (1,000 mg) once daily; allergies: none recorded"
    assert ungrounded_words("2 tablet, 1000 mg daily; allergy none recorded", [line]) == []
    assert ungrounded_words("3 tablets", [line]) == ["3"]


def test_dates_are_whole_and_numbers_are_not_read_inside_words():
    line = "HbA1c 8.9% (2026-10-27); earlier 8.1 (2026-01-19)"
    assert ungrounded_words("HbA1c 8.9% (2026-10-19)", [line]) == ["2026-10-19"]
    assert ungrounded_words("HbA1c 1 (2026-10-27)", [line]) == ["1"]  # not the '1' of 'HbA1c'
    assert ungrounded_words("HbA1c 8.9 percent in 2026", [line]) == ["2026"]


def test_unit_respellings_but_no_conversions():
    line = "Heart rate 58 /min; BP 104/62 mmHg; digoxin 125 micrograms; Temperature 38.4°C"
    assert ungrounded_words("58 bpm, 104/62 mm Hg, 125 mcg, 38.4 °C", [line]) == []
    assert ungrounded_words("digoxin 0.125 mg", [line]) == ["0.125", "mg"]


def test_only_cited_lines_ground_a_sentence():
    assert ungrounded_words("Latex allergy (2026-06-02).", ["Allergy: Latex (allergy)"]) == ["2026-06-02"]
    assert ungrounded_words("Latex allergy (2026-06-02).", []) == ["latex", "allergy", "2026-06-02"]


def test_connectives_are_a_closed_list_of_function_words():
    words = connectives()
    assert 10 <= len(words) <= 40
    asserting = {"risk", "rare", "treated", "prescribed", "because", "died", "improving", "well",
                 "controlled", "for", "with", "since", "after", "due", "caused", "not", "no", "history",
                 "high", "low", "severe", "chronic", "stable", "he", "she", "i", "we", "you"}
    assert not words & asserting


def test_audit_is_written_apart_from_the_verifier():
    path = Path(word_audit.__file__)
    assert len(path.read_text(encoding="utf-8").splitlines()) < 150
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert not {n for n in imported if re.search(r"verify|claims|vocabulary", n)}, imported
