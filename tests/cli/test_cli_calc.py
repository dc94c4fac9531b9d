"""`assistant calc` command line: list, show, run, JSON shape and error exits."""

from __future__ import annotations

import json

import pytest

from assistant.cli.main import main


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(["calc", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_real_cli_wires_calc(capsys: pytest.CaptureFixture[str]) -> None:
    # The full command tree, as `assistant` builds it, reaches the calc command.
    d = run_json(capsys, "bmi", "--set", "weight=70", "--set", "height=175")
    assert isinstance(d, dict) and d["id"] == "bmi" and d["value"] == pytest.approx(22.9)  # 70 / 1.75^2


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    items = run_json(capsys, "list")
    assert isinstance(items, list)
    ids = [i["id"] for i in items]
    assert ids == sorted(ids)
    assert {"ckd_epi_2021", "meld_na", "qtc_bazett", "due_date_naegele", "bmi"} <= set(ids)
    assert all(i["title"] for i in items)
    ckd = next(i for i in items if i["id"] == "ckd_epi_2021")
    assert ckd["reference"].startswith("Inker et al. N Engl J Med 2021")


def test_list_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "TITLE"]
    assert any(line.startswith("child_pugh ") and "Child-Pugh score" in line for line in out)


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json(capsys, "show", "ckd_epi_2021")
    assert isinstance(d, dict)
    assert d["id"] == "ckd_epi_2021" and d["title"].startswith("eGFR, CKD-EPI 2021")
    assert d["reference"].startswith("Inker et al.")
    creat = next(i for i in d["inputs"] if i["name"] == "creatinine")
    assert creat["unit"] == "mg/dL" and creat["required"] is True and creat["alt_units"] == ["umol/L"]
    assert creat["description"]
    sex = next(i for i in d["inputs"] if i["name"] == "sex")
    assert sex["choices"] == ["female", "male"]


def test_show_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "show", "morphine_mme"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Morphine milligram equivalents (MME/day) (morphine_mme)")
    assert "Reference: Dowell et al. MMWR Recomm Rep 2016" in out
    assert "guideline (optional; default cdc2016; one of cdc2016, cdc2022)" in out


def test_run_json_with_units(capsys: pytest.CaptureFixture[str]) -> None:
    # CKD-EPI 2021, woman 60 y, Scr 1.2 mg/dL: 142 x (1.2/0.7)^-1.2 x 0.9938^60 x 1.012 = 51.8 -> 52
    d = run_json(capsys, "ckd_epi_2021", "--set", "creatinine=1.2 mg/dL", "--set", "age=60", "--set", "sex=female")
    assert isinstance(d, dict)
    assert d["id"] == "ckd_epi_2021" and d["value"] == 52 and d["unit"] == "mL/min/1.73m2"
    assert d["interpretation"].startswith("G3a") and d["points"] == {}
    assert d["reference"].startswith("Inker et al.")
    assert d["inputs"] == {"creatinine": 1.2, "age": 60.0, "sex": "female"}
    # The same in umol/L (1.2 x 88.4) and with a plain number in the input's own unit
    si = run_json(capsys, "ckd_epi_2021", "--set", "creatinine=106.08 umol/L", "--set", "age=60",
                  "--set", "sex=Female")
    assert isinstance(si, dict) and si["value"] == 52
    assert si["details"]["unrounded"] == pytest.approx(d["details"]["unrounded"], abs=1e-6)


def test_run_json_points_choices_and_bools(capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json(capsys, "child_pugh", "--set", "bilirubin=2.5", "--set", "albumin=30 g/L", "--set", "inr=1.8",
                 "--set", "ascites=slight", "--set", "encephalopathy=none", "--set", "cholestatic=false")
    assert isinstance(d, dict)
    assert d["value"] == 9 and d["interpretation"] == "Child-Pugh class B (7-9 points)"
    assert d["points"] == {"bilirubin": 2, "albumin": 2, "inr": 2, "ascites": 2, "encephalopathy": 1}
    d = run_json(capsys, "meld_na", "--set", "creatinine=1.5", "--set", "bilirubin=1", "--set", "inr=1",
                 "--set", "sodium=137", "--set", "dialysis=true")
    assert isinstance(d, dict) and d["value"] == 20  # dialysis sets creatinine to 4.0


def test_run_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "qtc_bazett", "--set", "qt=400", "--set", "heart_rate=80", "--set", "sex=male"]) == 0
    out = capsys.readouterr().out
    assert "QTc (Bazett): 462 ms" in out
    assert "Interpretation: prolonged (>= 450 ms in men)" in out
    assert "Inputs: qt=400.0 ms, heart_rate=80.0 /min, sex=male" in out
    assert "Reference: Bazett. Heart 1920." in out


def test_run_date_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json(capsys, "due_date_naegele", "--set", "lmp=2024-01-01", "--set", "reference_date=2024-06-01")
    assert isinstance(d, dict)
    assert d["value"] == "2024-10-07" and d["details"]["gestational_age"] == "21w5d"
    assert d["inputs"]["lmp"] == "2024-01-01"


@pytest.mark.parametrize(("argv", "needle"), [
    (["calc", "ckd_epi_2021", "--set", "creatinine=120", "--set", "age=60", "--set", "sex=male"], "creatinine"),
    (["calc", "ckd_epi_2021", "--set", "creatinine=1.0", "--set", "age=60"], "sex"),
    (["calc", "ckd_epi_2021", "--set", "creatinine=1.0 g/L", "--set", "age=60", "--set", "sex=male"], "creatinine"),
    (["calc", "ckd_epi_2021", "--set", "creatinine=1", "--set", "age=60", "--set", "sex=other"], "sex"),
    (["calc", "ckd_epi_2021", "--set", "age"], "NAME=VALUE"),
    (["calc", "ckd_epi_2021", "--set", "age=60", "--set", "age=61"], "age given twice"),
    (["calc", "ckd_epi_2021", "--set", "weight=70"], "unknown input"),
    (["calc", "ldl_friedewald", "--set", "total_cholesterol=200", "--set", "hdl=50", "--set", "triglycerides=450"],
     "triglycerides"),
    (["calc", "no_such_calculator"], "unknown calculator"),
    (["calc"], "say what to do"),
    (["calc", "show"], "give a calculator id"),
    (["calc", "show", "nope"], "unknown calculator"),
    (["calc", "list", "extra"], "unexpected argument"),
    (["calc", "list", "--set", "a=1"], "--set is only"),
    (["calc", "bmi", "weight=70"], "unexpected argument")])
def test_errors_exit_2_with_message(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and needle in captured.err
    assert "Traceback" not in captured.err
