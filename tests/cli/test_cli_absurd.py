"""One absurd but valid chart (systolic 1e28, potassium 1e308, a date in year 1 at +14:00, a 100,000-
character display, a birth date in the future) still gets its risks, summary and both PDFs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import ROOT, run_cli

sys.path.insert(0, str(ROOT / "tests" / "records"))
from test_plausibility import PID, absurd_bundle  # noqa: E402


@pytest.fixture
def absurd(cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run_cli(capsys, "init")[0] == 0
    path = tmp_path / "absurd.json"
    path.write_text(json.dumps(absurd_bundle()), "utf-8")
    code, _, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    return PID


@pytest.mark.parametrize("command", [("risks",), ("summarize", "--no-model"), ("risk-review", "--no-model"),
                                     ("show",)])
def test_commands_work_for_an_absurd_chart(absurd: str, capsys: pytest.CaptureFixture[str],
                                           command: tuple[str, ...]) -> None:
    code, out, err = run_cli(capsys, command[0], absurd, *command[1:])
    assert code == 0, err
    assert "Traceback" not in err
    if command[0] == "show":
        assert "IMPLAUSIBLE" in out and "age ?" in out


@pytest.mark.parametrize("document", ["careplan", "summary"])
def test_both_pdfs_print_for_an_absurd_chart(absurd: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             document: str) -> None:
    out = tmp_path / f"{document}.pdf"
    code, _, err = run_cli(capsys, "export", absurd, "--format", "pdf", "--document", document,
                           "--no-model", "--out", str(out))
    assert code == 0, err
    text = " ".join((p.extract_text() or "") for p in PdfReader(out).pages)
    assert "more characters not shown" in text
