"""Scenario bundles (tests/data/scenarios): the first flag and the care plan a clinician expects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from scenario_support import Scenario, load_all, today, write_bundle

from assistant.assist.careplan.drafting import draft_careplan
from assistant.clinical.flags import RiskReport, evaluate
from assistant.clinical.rules.base import Flag, rank
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord

SCENARIOS = load_all()


def _text(f: Flag) -> str:
    return f"{f.title} {f.explanation}".lower()


def _imported(s: Scenario, tmp_path: Path) -> tuple[PatientRecord, RiskReport]:
    now = today()
    parsed = parse_file(write_bundle(s, now, tmp_path))
    assert len(parsed.patients) == 1, parsed
    record = PatientRecord.build(parsed.patients[0], parsed.entries)
    return record, evaluate(record, now)


def _plan_text(record: PatientRecord, risk: RiskReport) -> str:
    doc = draft_careplan(record, risk, None, use_model=False, as_of=risk.as_of)
    return json.dumps(doc.to_dict(), ensure_ascii=False).lower()


def test_there_are_at_least_twenty_scenarios() -> None:
    assert len(SCENARIOS) >= 20


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_first_flag_and_flag_set(s: Scenario, tmp_path: Path) -> None:
    record, risk = _imported(s, tmp_path)
    e = s.expect
    shown = [f"{f.severity}: {f.title}" for f in risk.flags]
    if "first_flag" in e:
        want = e["first_flag"]
        assert risk.flags, f"{s.title}: no flags"
        first = risk.flags[0]
        if "severity" in want:
            assert first.severity == want["severity"], shown
        if "severity_at_least" in want:
            assert rank(first.severity) <= rank(want["severity_at_least"]), shown
        assert any(w in _text(first) for w in want["mentions"]), shown
    for words in e.get("flags_present", []):
        assert any(all(w in _text(f) for w in words) for f in risk.flags), (words, shown)
    for words in e.get("flags_absent", []):
        assert not any(all(w in _text(f) for w in words) for f in risk.flags), (words, shown)
    # One problem, one flag: a second flag may cite the drug for another reason, never in its title.
    for word in e.get("at_most_one_flag_titled", []):
        assert sum(word in f.title.lower() for f in risk.flags) <= 1, (word, shown)
    for words in e.get("flags_absent_above_info", []):
        assert not any(all(w in _text(f) for w in words) for f in risk.flags if f.severity != "info"), (
            words, shown)
    if "no_flag_at_least" in e:
        assert all(rank(f.severity) > rank(e["no_flag_at_least"]) for f in risk.flags), shown
    if e.get("inactive_medications"):
        active = record.active_medications
        # Active as of the evaluation date: a method taking as_of, or the record's own view.
        meds = active(as_of=risk.as_of) if callable(active) else active
        names = " ".join(m.name.lower() for m in meds)
        for word in e["inactive_medications"]:
            assert word not in names


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_care_plan_content(s: Scenario, tmp_path: Path) -> None:
    record, risk = _imported(s, tmp_path)
    e = s.expect
    if "careplan_refused" in e:
        with pytest.raises(Exception, match=f"(?i){e['careplan_refused']}"):
            draft_careplan(record, risk, None, use_model=False, as_of=risk.as_of)
        return
    text = _plan_text(record, risk)
    # Each expectation is a regular expression over the plan's JSON, lower-cased, so that it can
    # name one item ("glucose[^"]*up to date") rather than a word that a source title may contain.
    for pattern in e.get("careplan_must", []):
        assert re.search(pattern, text), f"{s.title}: '{pattern}' missing from the plan"
    for pattern in e.get("careplan_must_not", []):
        found = re.search(pattern, text)
        assert not found, f"{s.title}: '{pattern}' in the plan: ...{text[max(0, found.start() - 150):found.end() + 60]}"
