"""`assistant record ...`: chart entry from the command line, errors naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import run_cli

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "01_arthur_sampleton_diabetes_ckd.json"


@pytest.fixture
def patient(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run_cli(capsys, "init")[0] == 0
    assert run_cli(capsys, "import", str(DEMO))[0] == 0
    code, out, _ = run_cli(capsys, "patients", "--json")
    return str(json.loads(out)[0]["id"])


def test_record_vitals_lab_and_correct(patient: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "record", "vitals", patient, "--bp", "128/82", "--pulse", "72", "--json")
    assert code == 0
    added = json.loads(out)["added"]
    assert len(added) == 2 and all(a["recorded_by"] == "admin" for a in added)
    code, out, _ = run_cli(capsys, "record", "lab", patient, "--test", "potassium", "--value", "6.3", "--json")
    assert code == 0 and json.loads(out)["added"][0]["interpretation"] == "HH"
    bp_ref = f"Observation/{added[0]['id']}"
    code, out, _ = run_cli(capsys, "record", "correct", patient, bp_ref, "--value", "126/80")
    assert code == 0 and f"supersedes {bp_ref}" in out


@pytest.mark.parametrize(("argv", "words"), [
    (("vitals", "--bp", "400/20"), "--bp: Systolic blood pressure 400"),
    (("vitals", "--bp", "80/120"), "--bp: diastolic 120 is not below systolic 80"),
    (("vitals", "--pulse", "72", "--date", "2999-01-01"), "date: 2999-01-01 00:00 is in the future"),
    (("lab", "--test", "potassium", "--value", "4.1", "--unit", "mg/dL"), "unit: mg/dL is not a unit of Potassium"),
    (("med stop", "--entry", "MedicationRequest/nope", "--reason", "x"), "medicine: no MedicationRequest"),
])
def test_bad_input_is_an_error_naming_the_field(patient: str, capsys: pytest.CaptureFixture[str],
                                                argv: tuple[str, ...], words: str) -> None:
    kind, *rest = argv
    code, _, err = run_cli(capsys, "record", *kind.split(), patient, *rest)
    assert code == 2 and words in err, err


def test_medicine_allergy_problem(patient: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "record", "med", "start", patient, "--name", "Amlodipine", "--dose", "5 mg",
                           "--json")
    ref = f"MedicationRequest/{json.loads(out)['added'][0]['id']}"
    code, out, _ = run_cli(capsys, "record", "med", "change", patient, "--entry", ref, "--dose", "10 mg", "--json")
    result = json.loads(out)
    assert code == 0 and result["replaced"][0]["status"] == "stopped" and result["added"][0]["supersedes"] == ref
    assert run_cli(capsys, "record", "allergy", patient, "--none")[0] == 0
    assert run_cli(capsys, "record", "allergy", patient, "--substance", "Penicillin", "--reaction", "hives",
                   "--criticality", "high")[0] == 0
    code, out, _ = run_cli(capsys, "record", "problem", "add", patient, "--name", "Gout", "--json")
    cref = f"Condition/{json.loads(out)['added'][0]['id']}"
    code, out, _ = run_cli(capsys, "record", "problem", "resolve", patient, "--entry", cref, "--json")
    assert code == 0 and json.loads(out)["replaced"][0]["clinical_status"] == "resolved"


def test_record_correct_a_medicine_and_retract_with_a_reason(patient: str, capsys: pytest.CaptureFixture[str],
                                                            cli_env: Path) -> None:
    """The CLI corrects a medicine, allergy or problem as the app does, and a retraction keeps its reason."""
    code, out, _ = run_cli(capsys, "record", "med", "start", patient, "--name", "Atenolol 50 MG Oral Tablet",
                           "--dose", "500 mg", "--json")
    assert code == 0
    ref = f"MedicationRequest/{json.loads(out)['added'][0]['id']}"
    code, out, _ = run_cli(capsys, "record", "correct", patient, ref, "--dose", "50 mg", "--json")
    assert code == 0
    saved = json.loads(out)
    assert saved["added"][0]["dose_text"] == "50 mg" and saved["added"][0]["supersedes"] == ref
    code, out, err = run_cli(capsys, "record", "correct", patient, ref, "--dose", "25 mg")
    assert code != 0 and "already corrected" in out + err
    code, _, err = run_cli(capsys, "record", "correct", patient, ref)
    assert code != 0 and "--value" in err
    code, out, _ = run_cli(capsys, "record", "allergy", patient, "--substance", "Latex", "--reaction", "rash",
                           "--json")
    aref = f"AllergyIntolerance/{json.loads(out)['added'][0]['id']}"
    code, _, _ = run_cli(capsys, "record", "retract", patient, aref, "--reason", "wrong patient")
    assert code == 0
    code, out, _ = run_cli(capsys, "audit", "show", "--json")
    assert "wrong patient" in out
