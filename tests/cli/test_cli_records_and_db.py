"""The `assistant` command line over the shared bundles: init, import, patients, show, export, audit, db."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli.main import main
from support import PASSWORD, run_cli

run = run_cli


@pytest.fixture
def initialised(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code, out, _ = run(capsys, "init")
    assert code == 0 and "RECOVERY KEY" in out
    return cli_env


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert "clinician-assistant 0.1.0" in capsys.readouterr().out


def test_init_refuses_existing_database(initialised: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "init")
    assert code == 2 and "already exists" in err


def test_exit_codes(initialised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_PASSWORD", "wrong password!")
    assert run(capsys, "patients")[0] == 3
    monkeypatch.setenv("ASSISTANT_PASSWORD", PASSWORD)
    code, _, err = run(capsys, "--db", str(tmp_path / "missing.db"), "patients")
    assert code == 4 and "no database" in err
    code, _, err = run(capsys, "show", "no-such-patient")
    assert code == 2 and "no patient" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"', "utf-8")
    code, _, err = run(capsys, "import", str(bad))
    assert code == 2 and "bad.json" in err and "invalid JSON" in err


def test_password_file_and_global_db_option(initialised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_PASSWORD")
    monkeypatch.delenv("ASSISTANT_DB")
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n", "utf-8")
    code, out, _ = run(capsys, "--db", str(initialised), "patients", "--json", "--password-file", str(pw))
    assert code == 0 and json.loads(out) == []


def test_shared_bundles_end_to_end(initialised: Path, shared_fhir: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "import", str(shared_fhir))
    assert code == 0, err
    assert "38 new and 0 updated patients" in out and "not imported: DiagnosticReport" in out
    code, out, _ = run(capsys, "patients", "--json")
    patients = json.loads(out)
    assert len(patients) == 38
    assert set(patients[0]) >= {"id", "mrn", "name", "birth_date", "sex"}
    mario = [p for p in patients if p["name"] == "Mario Dietrich"]
    assert len(mario) == 1
    code, out, _ = run(capsys, "patients", "--search", "dietr", "--json")
    assert [p["name"] for p in json.loads(out)] == ["Mario Dietrich"]
    code, out, _ = run(capsys, "show", mario[0]["mrn"], "--json")
    rec = json.loads(out)
    assert rec["id"] == mario[0]["id"] and rec["counts"]["observations"] == len(rec["observations"]) > 100
    assert all(o["ref"].startswith("Observation/") for o in rec["observations"])
    code, out, _ = run(capsys, "show", mario[0]["id"])
    assert "Mario Dietrich" in out and "Hypertension" in out
    # Export, then re-import: updates only, and the record is unchanged.
    exported = tmp_path / "mario.json"
    assert run(capsys, "export", mario[0]["id"], "--format", "fhir", "--out", str(exported))[0] == 0
    bundle = json.loads(exported.read_text("utf-8"))
    assert bundle["type"] == "collection" and bundle["entry"][0]["resource"]["resourceType"] == "Patient"
    code, out, _ = run(capsys, "import", str(exported))
    assert code == 0 and "0 new and 1 updated patients" in out and " 0 new and " in out
    code, out2, _ = run(capsys, "show", mario[0]["id"], "--json")
    assert json.loads(out2) == rec
    code, out, _ = run(capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    code, out, _ = run(capsys, "audit", "show", "--patient", mario[0]["id"], "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert {"chart.import", "chart.open", "chart.export"} <= set(actions)


def test_users_backup_restore_rekey(initialised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_NEW_PASSWORD", "clinician password")
    assert run(capsys, "user", "add", "drjones", "--role", "clinician")[0] == 0
    code, out, _ = run(capsys, "user", "list", "--json")
    assert {u["name"]: u["role"] for u in json.loads(out)} == {"admin": "admin", "drjones": "clinician"}
    assert run(capsys, "db", "rekey")[0] == 0
    monkeypatch.setenv("ASSISTANT_USER", "drjones")
    monkeypatch.setenv("ASSISTANT_PASSWORD", "clinician password")
    assert run(capsys, "patients")[0] == 0
    code, _, err = run(capsys, "db", "backup", str(tmp_path / "b.cab"))
    assert code == 3 and "not an admin" in err
    monkeypatch.setenv("ASSISTANT_USER", "admin")
    monkeypatch.setenv("ASSISTANT_PASSWORD", PASSWORD)
    assert run(capsys, "db", "backup", str(tmp_path / "b.cab"))[0] == 0
    assert run(capsys, "user", "disable", "drjones")[0] == 0
    target = tmp_path / "restored.db"
    code, out, _ = run(capsys, "--db", str(target), "db", "restore", str(tmp_path / "b.cab"))
    assert code == 0 and "Restored" in out
    # drjones was enabled when the backup was taken: the restored copy opens for drjones.
    monkeypatch.setenv("ASSISTANT_USER", "drjones")
    monkeypatch.setenv("ASSISTANT_PASSWORD", "clinician password")
    assert run(capsys, "--db", str(target), "patients")[0] == 0
    assert run(capsys, "patients")[0] == 3  # but not the live one, where it is disabled


def test_corrupt_database_exits_4(initialised: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(initialised.read_bytes())
    data[:4096] = b"\x00" * 4096  # destroy the first page (salt and header)
    initialised.write_bytes(bytes(data))
    code, _, err = run(capsys, "patients")
    assert code == 4 and "restore from a backup" in err


def test_a_password_argument_is_refused_and_never_echoed(capsys):
    # `--password SECRET` used to be taken as an abbreviation of --password-file, and the error
    # printed the secret (issue 15, item 9).
    from assistant.cli.main import main

    for argv in (["--password", "Secret-Value-123", "patients"], ["patients", "--password=Secret-Value-123"],
                 ["--passw", "Secret-Value-123", "patients"], ["patients", "--recovery-key", "Secret-Value-123"]):
        try:
            code = main(argv)
        except SystemExit as e:
            code = e.code
        err = capsys.readouterr().err
        assert code == 2 and "Secret-Value-123" not in err, (argv, err)
    # Options are never abbreviated: --password-f is not --password-file.
    try:
        code = main(["--password-f", "/nonexistent", "patients"])
    except SystemExit as e:
        code = e.code
    assert code == 2
