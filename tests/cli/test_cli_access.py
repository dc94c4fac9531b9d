"""Who sees the account list and the audit log (issue 15.5, docs/ACCESS.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import PASSWORD, run_cli


@pytest.fixture
def two_accounts(cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    assert run_cli(capsys, "init")[0] == 0
    monkeypatch.setenv("ASSISTANT_NEW_PASSWORD", "clinician password")
    assert run_cli(capsys, "user", "add", "drjones")[0] == 0
    assert run_cli(capsys, "user", "add", "drsmith")[0] == 0
    return cli_env


def _as(monkeypatch: pytest.MonkeyPatch, user: str, password: str) -> None:
    monkeypatch.setenv("ASSISTANT_USER", user)
    monkeypatch.setenv("ASSISTANT_PASSWORD", password)


def test_a_clinician_sees_only_their_own_account_and_audit_rows(two_accounts: Path, capsys, monkeypatch) -> None:
    _as(monkeypatch, "drsmith", "clinician password")
    run_cli(capsys, "audit", "show")  # drsmith leaves a row of their own
    _as(monkeypatch, "drjones", "clinician password")
    run_cli(capsys, "audit", "show")  # and drjones one (looking at the log is recorded)
    code, out, _ = run_cli(capsys, "user", "list", "--json")
    assert code == 0 and [u["name"] for u in json.loads(out)] == ["drjones"]
    code, out, err = run_cli(capsys, "audit", "show", "--json")
    users = {e["user"] for e in json.loads(out)}
    assert code == 0 and users == {"drjones"}
    assert "your own audit events only" in err


def test_an_admin_sees_every_account_and_every_row(two_accounts: Path, capsys, monkeypatch) -> None:
    _as(monkeypatch, "drjones", "clinician password")
    run_cli(capsys, "audit", "show")
    _as(monkeypatch, "admin", PASSWORD)
    code, out, _ = run_cli(capsys, "user", "list", "--json")
    assert code == 0 and {u["name"] for u in json.loads(out)} == {"admin", "drjones", "drsmith"}
    code, out, _ = run_cli(capsys, "audit", "show", "--json", "--limit", "200")
    assert {"admin", "drjones"} <= {e["user"] for e in json.loads(out)}
