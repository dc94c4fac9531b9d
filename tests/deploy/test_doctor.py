"""`assistant doctor`: versions, providers, model pack, encrypted database, fonts, printers, config sources."""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

import pytest
from deploy_support import make_pack

from assistant.cli import deploy as commands
from assistant.deploy import doctor


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site.toml"
    monkeypatch.setenv("ASSISTANT_SITE_CONFIG", str(site))
    monkeypatch.setenv("ASSISTANT_SITE_DATA", str(tmp_path / "sitedata"))
    for var in ("ASSISTANT_DB", "ASSISTANT_MODEL", "ASSISTANT_DEVICE", "ASSISTANT_MODELS_DIR",
                "ASSISTANT_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no lpstat: printers "none found"
    return site


def _doctor_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["doctor", "--json", *argv])
    code = args.func(args)
    return code, json.loads(capsys.readouterr().out)


def _by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


def test_doctor_json_on_a_temp_database(env: Path, tmp_path: Path, store, capsys) -> None:
    env.write_text('locked = ["models.device"]\n[models]\ndevice = "cpu"\n[organisation]\nname = "Ward 7"\n')
    db = Path(store.path)
    code, report = _doctor_json(["--db", str(db)], capsys)
    checks = _by_name(report)
    assert checks["database"]["status"] == "ok", checks["database"]
    assert checks["database"]["details"]["encrypted"] is True
    assert checks["database"]["details"]["accounts_with_keys"] >= 2  # admin + recovery
    assert checks["versions"]["details"]["versions"]["clinician-assistant"]
    assert checks["versions"]["details"]["versions"]["sqlcipher"][0].isdigit()
    assert "CPUExecutionProvider" in checks["onnxruntime"]["details"]["providers"]
    assert checks["fonts"]["status"] == "ok" and "DejaVuSans.ttf" in checks["fonts"]["details"]["fonts"]
    assert checks["printers"]["status"] == "warn" and checks["printers"]["details"]["printers"] == []
    values = report["config"]["values"]
    assert values["models.device"] == {"value": "cpu", "source": str(env), "locked": True}
    assert values["organisation.name"]["source"] == str(env)
    assert values["session.idle_lock_minutes"]["source"] == "default"
    assert report["config"]["site_file_present"] is True
    assert code == (0 if report["ok"] else 1)
    # Nothing was decrypted or written: the database file still cannot be read by plain SQLite.
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db).execute("SELECT count(*) FROM sqlite_master").fetchone()


def test_doctor_needs_no_password(env: Path, tmp_path: Path, store, capsys, monkeypatch) -> None:
    monkeypatch.setattr("getpass.getpass", lambda *a, **k: pytest.fail("doctor asked for a password"))
    code, report = _doctor_json(["--db", str(store.path)], capsys)
    assert _by_name(report)["database"]["status"] == "ok"


def test_plain_database_is_flagged(env: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "plain.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.commit()
    (tmp_path / "plain.db.keys").write_text('{"version": 1, "current": "k", "slots": []}')
    code, report = _doctor_json(["--db", str(db)], capsys)
    check = _by_name(report)["database"]
    assert code == 1 and check["status"] == "fail" and "NOT encrypted" in check["summary"]


def test_missing_key_file_and_missing_database(env: Path, tmp_path: Path, store, capsys) -> None:
    Path(str(store.path) + ".keys").rename(tmp_path / "elsewhere.keys")
    code, report = _doctor_json(["--db", str(store.path)], capsys)
    assert code == 1 and "key file missing" in _by_name(report)["database"]["summary"]
    code, report = _doctor_json(["--db", str(tmp_path / "none.db")], capsys)
    check = _by_name(report)["database"]
    assert check["status"] == "warn" and "assistant init" in check["summary"]


def test_model_pack_checked_with_the_engine_verifier(env: Path, tmp_path: Path, capsys) -> None:
    pack = make_pack(tmp_path / "pack")
    env.write_text(f'[models]\npack_dir = "{pack}"\n')
    code, report = _doctor_json(["--db", str(tmp_path / "none.db")], capsys)
    check = _by_name(report)["model pack"]
    assert check["status"] == "ok" and check["details"]["name"] == "tiny-test"
    assert check["details"]["configured_by"] == str(env)
    (pack / "tokenizer.json").write_text("{}")
    code, report = _doctor_json(["--db", str(tmp_path / "none.db")], capsys)
    check = _by_name(report)["model pack"]
    assert code == 1 and check["status"] == "fail" and "tokenizer.json" in check["summary"]


def test_bad_site_value_is_one_failed_check(env: Path, tmp_path: Path, capsys) -> None:
    env.write_text("[session]\nidle_lock_minutes = 0\n")
    code, report = _doctor_json([], capsys)
    check = _by_name(report)["configuration"]
    assert code == 1 and check["status"] == "fail"
    assert "session.idle_lock_minutes" in check["summary"] and str(env) in check["summary"]
    assert report["config"]["error"] == check["summary"]


def test_text_report_lists_sources(env: Path, tmp_path: Path, capsys) -> None:
    env.write_text('[models]\nthreads = 2\n')
    report = doctor.run_doctor(tmp_path / "none.db")
    text = doctor.format_report(report)
    assert f"models.threads = 2  ({env})" in text
    assert "[warn] database:" in text and "Configuration" in text


def test_printers_from_lpstat(env: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lpstat = bin_dir / "lpstat"
    lpstat.write_text("#!/bin/sh\necho 'Ward7_Laser accepting requests since Mon 01 Jan'\n")
    lpstat.chmod(0o755)
    printers, how = doctor.list_printers()
    assert printers == ["Ward7_Laser"] and how == "lpstat -a"
