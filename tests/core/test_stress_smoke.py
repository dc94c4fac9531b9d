"""The stress harness (`make stress`) runs end to end with its smallest counts, so it cannot rot."""

from __future__ import annotations

import random
from pathlib import Path

from benchmarks.stress import fuzz, kill9, tamper
from benchmarks.stress.__main__ import main


def test_one_kill9_campaign_checks_acknowledged_writes(tmp_path: Path) -> None:
    figures = kill9.campaign("import", 1, tmp_path, random.Random(1))
    assert figures.ok, figures.line()
    assert "acknowledged writes checked" in figures.note


def test_fuzz_refuses_with_named_errors_and_leaves_no_orphans(tmp_path: Path) -> None:
    figures = fuzz.campaign(12, 6, tmp_path, random.Random(2))
    assert figures.ok, figures.line()
    assert figures.runs == 12


def test_every_tamper_is_detected(tmp_path: Path) -> None:
    assert tamper.campaign(tmp_path).note.startswith("4 of 4 tampers detected")


def test_a_missed_target_makes_the_run_fail(tmp_path: Path, capsys) -> None:
    # The permission scan alone: a loose file the run "created" is a missed target, exit 1.
    (tmp_path / "app.db").write_bytes(b"x")
    (tmp_path / "app.db").chmod(0o644)
    assert main(["--work", str(tmp_path), "--only", "none"]) == 1
    assert "permissions: 1 runs" in capsys.readouterr().out
