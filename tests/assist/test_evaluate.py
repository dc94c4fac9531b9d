"""Evaluation (`assistant eval`) and the summarize / risk-review commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assist_fixtures import DEMO, ScriptedEngine, sample_record, sample_risk

from assistant.assist.evaluate import EvalReport, evaluate_folder, evaluate_record, format_report
from assistant.assist.facts import build_fact_sheet
from assistant.assist.risk_review import explanation_sheet, risk_review
from assistant.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def need_demo() -> None:
    if not list(DEMO.glob("*.json")):
        pytest.skip("demo patients not present")


def test_deterministic_eval_on_demo_patients():
    need_demo()
    report = evaluate_folder(DEMO)
    o = report.overall()
    assert o["patients"] == 5 and o["errors"] == 0
    assert o["unsupported_shown_as_fact"] == 0
    assert o["coverage_problems"] == 1.0 and o["coverage_allergies"] == 1.0
    assert o["coverage_medications"] == 1.0
    assert o["summary_s_max"] < 10
    assert all(p.source == "deterministic" for p in report.patients)
    text = format_report(report)
    assert "unsupported shown as fact after verification: 0 (target 0)" in text


def test_eval_counts_unsupported_before_and_after():
    rec = sample_record()
    sheet = build_fact_sheet(rec, sample_risk())
    inr = next(f.id for f in sheet.lines if f.text.startswith("INR"))
    af = next(f.id for f in sheet.lines if f.text.startswith("Active problem: Atrial"))
    engine = ScriptedEngine(f"She has atrial fibrillation with INR 3.8 [{af}][{inr}].\n"
                            f"She takes apixaban 5 mg and has heart failure [{inr}].\n")
    result = evaluate_record(rec, engine, with_careplan=False)
    assert result.source == "model"
    assert result.unsupported_before == 3  # apixaban, 5 mg (not in the cited line), heart failure
    assert result.unsupported_shown_as_fact == 0 and result.unverified_sentences == 1
    assert result.unsupported_numbers_before == 1 and result.numbers_checked == 2
    assert result.items_checked >= 5
    assert result.problems == (3, 3) and result.allergies == (1, 1)  # completed from templates
    report = EvalReport("x", [result])
    assert report.overall()["unsupported_rate_before"] == round(3 / result.items_checked, 4)


def test_eval_on_shared_bundles(shared_fhir: Path):
    report = evaluate_folder(shared_fhir, limit=6)
    o = report.overall()
    assert o["patients"] == 6 and o["unsupported_shown_as_fact"] == 0
    assert o["coverage_problems"] == 1.0 and o["coverage_allergies"] in (1.0, None)


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
    engine = ScriptedEngine(f"The INR of 3.8 on warfarin raises bleeding risk [{inr_flag}].\n"
                            f"Her INR is 5.2 [{inr_flag}].")
    review = risk_review(rec, risk, engine)
    assert review.source == "model" and [s.status for s in review.explanation] == ["verified", "unverified"]
    assert review.explanation[1].unsupported == ("5.2",)
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
    assert code == 0 and out.startswith("Summary: deterministic (deterministic summary requested)")


def test_risk_review_and_eval_commands(demo_db: Path, capsys: pytest.CaptureFixture[str]):
    pid = _patient_ids(capsys)[1]
    code, out, err = run(capsys, "risk-review", pid, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["patient"] == pid and isinstance(d["flags"], list)
    code, out, err = run(capsys, "eval", str(DEMO), "--no-model", "--json", "--no-careplan")
    assert code == 0, err
    o = json.loads(out)["constrained"]["overall"]
    assert o["patients"] == 5 and o["unsupported_shown_as_fact"] == 0
    code, _, err = run(capsys, "eval", str(DEMO / "missing"), "--no-model")
    assert code == 2 and "not a folder" in err
