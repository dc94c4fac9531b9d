"""`assistant summarize` shows the stored summary while the record and pack are unchanged (audited
as a reuse, the engine not called) and writes a new one with --regenerate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assist_fixtures import DEMO, ScriptedEngine

from assistant.cli import assist as assist_cli
from assistant.services.assist import EngineChoice
from support import run_cli

run = run_cli


@pytest.fixture
def engine(cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> ScriptedEngine:
    (path,) = sorted(DEMO.glob("01_*.json"))
    assert run(capsys, "init")[0] == 0
    code, _, err = run(capsys, "import", str(path))
    assert code == 0, err
    scripted = ScriptedEngine("He has type 2 diabetes.\n")
    monkeypatch.setattr(assist_cli, "choose_engine", lambda *a, **k: EngineChoice(scripted))
    return scripted


def _actions(capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, out, _ = run(capsys, "audit", "show", "--json")
    return [e["action"] for e in json.loads(out)]


def test_second_summarize_reuses_the_stored_one_and_regenerate_writes_anew(
        engine: ScriptedEngine, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(capsys, "patients", "--json")
    pid = json.loads(out)[0]["id"]
    code, out, err = run(capsys, "summarize", pid, "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["source"] == "model" and first["reused"] is False and first["generated_at"]
    assert len(engine.calls) == 1
    code, out, err = run(capsys, "summarize", pid, "--json")
    again = json.loads(out)
    assert again["reused"] is True and again["generated_at"] == first["generated_at"]
    assert again["sentences"] == first["sentences"] and len(engine.calls) == 1
    assert _actions(capsys).count("summary.reuse") == 1
    code, out, _ = run(capsys, "summarize", pid)
    assert code == 0 and "Stored summary generated" in out and len(engine.calls) == 1
    code, out, _ = run(capsys, "summarize", pid, "--regenerate", "--json")
    assert code == 0 and json.loads(out)["reused"] is False and len(engine.calls) == 2
    acts = _actions(capsys)
    assert acts.count("summary.reuse") == 2 and acts.count("summary.save") == 2
