"""Evaluation (`assistant eval`) and the summarize / risk-review commands."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from assist_fixtures import DEMO, ScriptedEngine, sample_record, sample_risk

from assistant.assist.coverage import coverage_detail
from assistant.assist.eval_report import EvalReport, format_report
from assistant.assist.evaluate import (
    PatientResult,
    _model_text,
    evaluate_folder,
    evaluate_record,
    iter_records,
)
from assistant.assist.facts import FactSheet, anchor_time, build_fact_sheet
from assistant.assist.generation import evaluate_risk
from assistant.assist.labelled import (
    CHECKED,
    default_path,
    load_rows,
    measure,
    measure_file,
    section_of,
)
from assistant.assist.risk_review import explanation_sheet, risk_review
from assistant.assist.summary import generate_summary
from assistant.assist.verify import DETERMINISTIC, UNVERIFIED, VERIFIED, Sentence
from support import run_cli

run = run_cli


def need_demo() -> None:
    if not list(DEMO.glob("*.json")):
        pytest.skip("demo patients not present")


def demo_records(n: int) -> list:
    need_demo()
    return [record for _, record in iter_records(DEMO)][:n]


def sheet_of(record) -> FactSheet:
    as_of = anchor_time(record)
    return build_fact_sheet(record, evaluate_risk(record, as_of), as_of=as_of)


def test_deterministic_eval_on_demo_patients():
    need_demo()
    report = EvalReport(str(DEMO), evaluate_folder(DEMO), measure_file())
    o = report.overall()
    assert o["patients"] == 5 and o["errors"] == 0
    assert o["summary"]["generated"] == 0 and o["summary"]["ungrounded_words"] == 0
    assert all(o["coverage"][k]["share"] == 1.0 for k in ("problems", "allergies", "medications"))
    assert o["careplan_patient_unchecked"] == 0 and o["careplan_signable_unchecked"] == 0
    assert o["summary_s_max"] < 10
    assert all(p.source == "deterministic" for p in report.patients)
    text = format_report(report)
    assert "ungrounded words in shown model sentences: 0 (target 0): met" in text
    assert "coverage of medications: 100.0 % (target 100 %): met" in text


def test_eval_of_two_demo_records_audits_what_is_shown_as_checked():
    results = []
    for record in demo_records(2):
        sheet = sheet_of(record)
        htn = next(f for f in sheet.lines if f.text.startswith("Active problem: Essential hypertension"))
        since = htn.text.split("since ")[1].rstrip(")")
        # The first is a faithful restatement; the second adds 'well controlled', which no line says.
        engine = ScriptedEngine(f"Essential hypertension (since {since}) [{htn.id}].\n"
                                f"Essential hypertension is well controlled [{htn.id}].\n")
        results.append(evaluate_record(record, engine))
    report = EvalReport("demo", results, measure_file())
    for r in results:
        assert r.source == "model" and r.summary.generated == 2
        assert r.summary.generated == r.summary.checked + r.summary.marked + r.summary.dropped
        invented = [a for a in r.summary.sentences if "well controlled" in a.text]
        if invented:  # the checker let it through: the audit must count it
            assert invented[0].ungrounded == ("well", "controlled")
            assert r.summary.ungrounded_words >= 2
        else:  # the checker stopped it: it is not shown as checked
            assert r.summary.marked + r.summary.dropped >= 1
        faithful = [a for a in r.summary.sentences if a.text.startswith("Essential hypertension (since")]
        assert all(a.ungrounded == () and a.cited for a in faithful)
        assert r.careplan is not None and r.careplan.signable_unchecked >= r.careplan.patient_unchecked
    o = report.overall()
    assert o["summary"]["generated"] == 4
    assert o["summary"]["ungrounded_words"] == sum(r.summary.ungrounded_words for r in results)
    target = report.targets()[0]
    assert target.name == "ungrounded words in shown model sentences"
    assert target.met == (o["summary"]["ungrounded_words"] + o["careplan"]["ungrounded_words"] == 0)
    d = json.loads(json.dumps(report.to_dict()))
    assert d["labelled"]["true_rows"] >= 100 and 0 <= d["labelled"]["true_accepted_share"] <= 1
    assert {t["name"] for t in d["targets"]} >= {"coverage of medications",
                                                  "true restatements accepted (labelled set)"}


def test_audit_counts_an_invented_word_shown_as_checked():
    record = demo_records(2)[1]
    sheet = sheet_of(record)
    inr = next(f for f in sheet.lines if f.text.startswith("INR"))
    shown = [("INR 3.8 on 2026-11-12, a rare high value.", VERIFIED, (inr.id,)),
             ("INR 3.8 is dangerous.", UNVERIFIED, (inr.id,)),
             ("Built from the record.", DETERMINISTIC, (inr.id,))]
    m = _model_text(shown, 1, sheet)
    assert (m.generated, m.checked, m.marked, m.dropped) == (3, 1, 1, 1)
    assert m.sentences[0].ungrounded == ("rare", "value") and m.ungrounded_words == 2
    assert m.sentences[0].cited == (inr.text,)


def test_coverage_names_a_medicine_the_summary_lacks():
    record = demo_records(1)[0]
    sheet = sheet_of(record)
    summary = generate_summary(record, None, None, as_of=anchor_time(record))
    full = {c.kind: c for c in coverage_detail(sheet, summary.all_sentences)}
    assert full["medications"].missing == () and full["medications"].found == full["medications"].total == 4
    without = [replace(s, text=s.text.replace("simvastatin", "a statin")) for s in summary.all_sentences]
    lacking = {c.kind: c for c in coverage_detail(sheet, without)}
    assert lacking["medications"].missing == ("simvastatin 20 mg Oral Tablet",)
    assert (lacking["medications"].found, lacking["medications"].total) == (3, 4)
    result = PatientResult("p", "model", coverage=tuple(lacking.values()))
    assert "medications missing from the summary: simvastatin 20 mg Oral Tablet" in format_report(
        EvalReport("x", [result]))
    target = next(t for t in EvalReport("x", [result]).targets() if t.name == "coverage of medications")
    assert target.value == 0.75 and target.met is False


def test_labelled_set_agreement_per_kind(tmp_path: Path):
    rows = load_rows()
    assert len(rows) >= 220 and default_path().parent.name == "eval"
    result = measure(rows)
    acc, n_true = result.true_accepted
    rej, n_false = result.false_rejected
    assert n_true == sum(r.verdict == CHECKED for r in rows) and n_false == len(rows) - n_true
    assert sum(k.rows for k in result.kinds) == len(rows)
    restated = next(k for k in result.kinds if k.kind == "restatement")
    assert restated.verdict == CHECKED and restated.agreed + len(restated.disagreed_ids) == restated.rows
    # A checker that accepts everything agrees with every true row and no false one.
    yes = measure(rows, check=lambda text, sheet: Sentence(text, status=VERIFIED))
    assert yes.true_accepted == (n_true, n_true) and yes.false_rejected == (0, n_false)
    # The checker is handed the row's own lines under their ids, with the section the line names.
    seen: list[FactSheet] = []
    measure([r for r in rows if r.id == "restatement-001"],
            check=lambda text, sheet: seen.append(sheet) or Sentence(text, status=UNVERIFIED))
    assert [(f.id, f.section) for f in seen[0].lines] == [("F13", "problem")]
    assert section_of("Medication: x") == "medication" and section_of("Potassium 6.1 mmol/L") == "lab"


def test_eval_on_shared_bundles(shared_fhir: Path):
    report = EvalReport(str(shared_fhir), evaluate_folder(shared_fhir, limit=6))
    o = report.overall()
    assert o["patients"] == 6 and o["summary"]["ungrounded_words"] == 0
    assert o["coverage"]["problems"]["share"] == 1.0 and o["coverage"]["allergies"]["share"] in (1.0, None)


def test_risk_review_orders_flags_and_verifies_explanation():
    rec, risk = sample_record(), sample_risk()
    review = risk_review(rec, risk)
    assert [f.severity for f in review.flags] == ["critical", "high", "info"]
    assert review.flags[1].evidence == ("Observation/o-inr2", "MedicationRequest/m-warf")
    assert review.explanation == () and review.reason == "no model pack installed"
    small = explanation_sheet(build_fact_sheet(rec, risk), top=3)
    sections = {f.section for f in small.lines}
    assert sections <= {"demographics", "flag", "allergy", "medication", "lab"} and "flag" in sections
    inr_flag = next(f.id for f in small.lines if f.section == "flag" and "INR" in f.text)
    # The first restates the flag; the second invents a value, the third a consequence ("raises
    # bleeding risk") that the cited flag does not state: both unverified (issue 13, rule 1).
    engine = ScriptedEngine(f"The INR of 3.8 is above the therapeutic range on warfarin [{inr_flag}].\n"
                            f"Her INR is 5.2 [{inr_flag}].\n"
                            f"The INR of 3.8 on warfarin raises bleeding risk [{inr_flag}].")
    review = risk_review(rec, risk, engine)
    assert review.source == "model"
    assert [s.status for s in review.explanation] == ["verified", "unverified", "unverified"]
    assert "5.2" in " ".join(review.explanation[1].unsupported)
    assert "bleeding" in " ".join(review.explanation[2].unsupported)
    assert json.loads(json.dumps(review.to_dict()))["flags"][0]["severity"] == "critical"


@pytest.fixture
def demo_db(cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
            tmp_path: Path) -> Path:
    need_demo()
    # No pack here: commands without --no-model must fall back to the deterministic summary.
    monkeypatch.setenv("ASSISTANT_MODEL", str(tmp_path / "no-pack"))
    assert run(capsys, "init")[0] == 0
    code, _, err = run(capsys, "import", str(DEMO))
    assert code == 0, err
    return cli_env


def _patient_ids(capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, out, _ = run(capsys, "patients", "--json")
    return [p["id"] for p in json.loads(out)]


def test_summarize_command(demo_db: Path, capsys: pytest.CaptureFixture[str]):
    pid = _patient_ids(capsys)[0]
    code, out, err = run(capsys, "summarize", pid, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["patient"] == pid and d["source"] == "deterministic" and d["reason"] == "no model pack installed"
    assert d["sentences"] and all(s["status"] == "deterministic" and s["citations"] for s in d["sentences"])
    code, out, _ = run(capsys, "summarize", pid, "--no-model")
    assert code == 0 and out.startswith("Summary: from the record (no language model): deterministic summary requested")


def test_risk_review_and_eval_commands(demo_db: Path, capsys: pytest.CaptureFixture[str]):
    pid = _patient_ids(capsys)[1]
    code, out, err = run(capsys, "risk-review", pid, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["patient"] == pid and isinstance(d["flags"], list)
    code, out, err = run(capsys, "eval", str(DEMO), "--no-model", "--json", "--no-careplan")
    report = json.loads(out)["constrained"]
    o = report["overall"]
    assert o["patients"] == 5 and o["summary"]["ungrounded_words"] == 0 and o["careplan"] is None
    met = {t["name"]: t["met"] for t in report["targets"]}
    assert met["coverage of allergies"] is True and met["unchecked model sentences, care-plan patient sections"] is None
    assert code == (1 if False in met.values() else 0), err  # exit 1 exactly when a target is missed
    # Another labelled set: one true row, accepted by the checker, gives 100 %.
    row = next(line for line in default_path().read_text(encoding="utf-8").splitlines() if '"restatement-001"' in line)
    (mine := demo_db.parent / "mine.jsonl").write_text(row + "\n", encoding="utf-8")
    code, out, err = run(capsys, "eval", str(DEMO), "--no-model", "--json", "--no-careplan", "--labelled", str(mine))
    report = json.loads(out)["constrained"]
    assert report["labelled"]["true_rows"] == 1 and report["labelled"]["path"] == str(mine)
    assert all(t["met"] is not False for t in report["targets"]) and code == 0, err
    code, _, err = run(capsys, "eval", str(DEMO), "--no-model", "--labelled", str(demo_db.parent / "none.jsonl"))
    assert code == 2 and "not a labelled set" in err
    code, _, err = run(capsys, "eval", str(DEMO / "missing"), "--no-model")
    assert code == 2 and "not a folder" in err
