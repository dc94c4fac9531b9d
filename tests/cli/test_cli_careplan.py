"""`assistant careplan draft|show|sign|list|edit|revise|export` against a temporary database."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from careplan_support import DEMO
from fhir.resources.R4B.careplan import CarePlan

from assistant.records.fhir_import import parse_file
from assistant.store.database import Store
from support import FAST_KDF, PASSWORD, run_cli

run = run_cli


@pytest.fixture
def demo_db(cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    # No model pack in tests: the default pack must not be looked up on this machine.
    monkeypatch.setenv("ASSISTANT_MODEL", str(cli_env.parent / "no-pack"))
    # Created with cheap key derivation (as `init` would, but without its 0.3 s per password check).
    store, _ = Store.create(cli_env, "admin", PASSWORD, kdf=FAST_KDF)
    with store:
        for path in sorted(DEMO.glob("0*.json")):
            store.patients.import_parsed(parse_file(path))
    return cli_env


def test_draft_show_sign_revise_export(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "careplan", "draft", "DEMO-100001", "--json")
    assert code == 0, err
    stored = json.loads(out)
    assert stored["version"] == 1 and stored["status"] == "draft" and stored["signed_by"] is None
    plan = stored["plan"]
    keys = [s["key"] for s in plan["sections"]]
    assert {"problems", "goals", "interventions", "medications", "monitoring", "followup", "patient",
            "rationale", "flags"} <= set(keys)
    goals = next(s for s in plan["sections"] if s["key"] == "goals")["items"]
    hba1c = next(i for i in goals if i["key"] == "goal:hba1c")
    assert hba1c["latest"].startswith("8.9 %") and hba1c["citations"][0].startswith("Observation/")
    assert hba1c["fact_ids"] and hba1c["status"] == "deterministic"
    plan_id = stored["id"]

    code, out, _ = run(capsys, "careplan", "show", plan_id)
    assert code == 0 and "HbA1c target < 7.0-7.5 %" in out and "cites: Observation/" in out
    assert f"plan {plan_id}  version 1  draft" in out

    # Edit a draft from a file (any section), then sign it.
    edited = json.loads(run(capsys, "careplan", "show", plan_id, "--json")[1])
    patient = next(s for s in edited["plan"]["sections"] if s["key"] == "patient")
    patient["items"][0]["text"] = "We agreed on this plan together."
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited), "utf-8")
    assert run(capsys, "careplan", "edit", plan_id, "--file", str(path))[0] == 0
    code, out, _ = run(capsys, "careplan", "show", plan_id)
    assert "We agreed on this plan together. (edited)" in out

    code, out, _ = run(capsys, "careplan", "sign", plan_id)
    assert code == 0 and "read-only" in out
    code, _, err = run(capsys, "careplan", "sign", plan_id)
    assert code == 2 and "only a draft" in err
    code, _, err = run(capsys, "careplan", "edit", plan_id, "--file", str(path))
    assert code == 2 and "signed" in err
    shown = json.loads(run(capsys, "careplan", "show", plan_id, "--json")[1])
    assert shown["status"] == "signed" and shown["signed_by"] == "admin" and shown["signed_at"]

    code, out, _ = run(capsys, "careplan", "revise", plan_id)
    assert code == 0 and f"supersedes {plan_id}" in out
    code, out, _ = run(capsys, "careplan", "list", "DEMO-100001", "--json")
    rows = json.loads(out)
    assert [(r["version"], r["status"]) for r in rows] == [(2, "draft"), (1, "superseded")]

    out_file = tmp_path / "plan.json"
    old_umask = os.umask(0o022)
    try:
        assert run(capsys, "careplan", "export", plan_id, "--out", str(out_file))[0] == 0
    finally:
        os.umask(old_umask)
    # It holds patient data: written privately, whatever the umask (issue 15, item 10).
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    resource = json.loads(out_file.read_text("utf-8"))
    CarePlan.model_validate(resource)
    assert resource["id"] == plan_id and resource["status"] == "revoked"

    code, out, _ = run(capsys, "audit", "show", "--json", "--limit", "200")
    acts = [e["action"] for e in json.loads(out)]
    for action in ("careplan.save", "careplan.edit", "careplan.sign", "careplan.view", "careplan.export"):
        assert action in acts, action


def test_af_patient_draft_lists_the_interaction(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "careplan", "draft", "DEMO-100002", "--json")
    assert code == 0, err
    plan = json.loads(out)["plan"]
    flags = next(s for s in plan["sections"] if s["key"] == "flags")["items"]
    hit = [i for i in flags if "warfarin" in i["text"].lower() and "ibuprofen" in i["text"].lower()]
    assert hit and all(r.split("/")[0] in ("MedicationRequest", "Observation", "Condition")
                       for r in hit[0]["citations"])


def test_errors(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "careplan", "show", "no-such-plan")
    assert code == 2 and "no document" in err
    code, _, err = run(capsys, "careplan", "draft", "no-such-patient")
    assert code == 2 and "no patient" in err


def test_sign_shows_the_plan_rereads_the_password_and_refuses_unchecked_text(
        demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.cli.careplans as cli_careplans

    plan_id = json.loads(run(capsys, "careplan", "draft", "DEMO-100001", "--json")[1])["id"]
    edited = json.loads(run(capsys, "careplan", "show", plan_id, "--json")[1])
    rationale = next(s for s in edited["plan"]["sections"] if s["key"] == "rationale")
    # A model sentence the verifier questioned, as a model draft stores it.
    rationale["items"].append({"text": "HbA1c was 12.5 % last week.", "kind": "rationale",
                               "status": "unverified", "key": "rationale:model:9", "issues": ["12.5"]})
    with Store.open(demo_db, "admin", PASSWORD) as store:
        from assistant.assist.careplan.document import CarePlanDocument

        store.documents.update_draft(plan_id, CarePlanDocument.from_dict(edited["plan"]).to_dict())
    code, out, err = run(capsys, "careplan", "sign", plan_id)
    assert code == 2 and "You are signing:" in out and "Rationale:" in out
    assert "HbA1c was 12.5 % last week" in err and "Delete each one, or rewrite it" in err
    # Rewritten by the clinician: theirs now, and signing goes on to the password.
    rationale["items"][-1]["text"] = "HbA1c 8.9 %: intensify treatment."
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited), "utf-8")
    assert run(capsys, "careplan", "edit", plan_id, "--file", str(path))[0] == 0
    # The store opens with ASSISTANT_PASSWORD; the signature reads the password again (a prompt on
    # a terminal), and a wrong one signs nothing.
    asked: list[str] = []
    with monkeypatch.context() as m:
        m.setattr(cli_careplans, "read_secret", lambda args, prompt="": asked.append(prompt) or "wrong-pass")
        code, out, err = run(capsys, "careplan", "sign", plan_id)
    assert code != 0 and "wrong password" in err and asked == ["Password to sign: "]
    assert "You are signing:" in out and "HbA1c 8.9 %: intensify treatment." in out
    code, out, err = run(capsys, "careplan", "sign", plan_id)
    assert code == 0 and "You are signing:" in out and "read-only" in out, err
    code, out, _ = run(capsys, "audit", "show", "--json", "--limit", "500")
    acts = [e["action"] for e in json.loads(out)]
    assert {"careplan.sign_refused", "auth.failed", "careplan.sign"} <= set(acts)

