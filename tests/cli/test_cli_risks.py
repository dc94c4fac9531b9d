"""`assistant risks PATIENT [--json] [--as-of DATE]` against a real encrypted store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.cli.main import main
from assistant.cli.risks import parse_as_of
from assistant.errors import BadInputError
from assistant.records.fhir_import import parse_file
from assistant.store.database import Store
from support import FAST_KDF, PASSWORD

NOW = datetime.now(UTC)


def _day(days_ago: int) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat(timespec="seconds")


def _bundle() -> dict:
    pid = "risk-cli-patient"
    subj = {"reference": f"urn:uuid:{pid}"}

    def med(rid: str, code: str, name: str) -> dict:
        return {"resourceType": "MedicationRequest", "id": rid, "status": "active", "intent": "order",
                "subject": subj, "authoredOn": _day(20),
                "medicationCodeableConcept": {"coding": [{
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code,
                    "display": name}], "text": name}}

    resources = [
        {"resourceType": "Patient", "id": pid, "gender": "female", "birthDate": "1948-03-02",
         "name": [{"family": "Riskley", "given": ["Ada"]}],
         "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                              "code": "MR"}]},
                         "system": "urn:test:mrn", "value": "MRN-RISK-1"}]},
        {"resourceType": "Condition", "id": "c-af", "subject": subj,
         "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                        "code": "active"}]},
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "49436004",
                              "display": "Atrial fibrillation"}]},
         "onsetDateTime": _day(900)},
        med("m-warfarin", "855332", "Warfarin Sodium 5 MG Oral Tablet"),
        med("m-ibuprofen", "310965", "Ibuprofen 200 MG Oral Tablet"),
        {"resourceType": "Observation", "id": "o-k", "status": "final", "subject": subj,
         "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                   "code": "laboratory"}]}],
         "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3", "display": "Potassium"}]},
         "effectiveDateTime": _day(2),
         "valueQuantity": {"value": 6.5, "unit": "mmol/L", "system": "http://unitsofmeasure.org",
                           "code": "mmol/L"}},
    ]
    return {"resourceType": "Bundle", "type": "transaction",
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r,
                       "request": {"method": "POST", "url": r["resourceType"]}} for r in resources]}


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "risk.db"
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(_bundle()), encoding="utf-8")
    store, _ = Store.create(path, "admin", PASSWORD, kdf=FAST_KDF)
    try:
        store.patients.import_parsed(parse_file(bundle))
    finally:
        store.close()
    monkeypatch.setenv("ASSISTANT_PASSWORD", PASSWORD)
    return path


def risks(db: Path, *args: str) -> int:
    return main(["risks", *args, "--db", str(db), "--user", "admin"])


def test_json_output(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert risks(db, "MRN-RISK-1", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["patient"] == "risk-cli-patient"
    assert set(out) >= {"patient", "flags", "scores"}
    flags = {f["id"]: f for f in out["flags"]}
    ddi = flags["ddi:warfarin+ibuprofen"]
    assert ddi["severity"] == "high" and ddi["category"] == "medication"
    assert sorted(ddi["evidence"]) == ["MedicationRequest/m-ibuprofen", "MedicationRequest/m-warfarin"]
    assert set(ddi) == {"id", "title", "severity", "category", "evidence", "explanation", "missing",
                        "reference", "points"}
    assert flags["lab:potassium:critically-high"]["severity"] == "critical"
    assert out["flags"][0]["severity"] == "critical"
    cha = next(s for s in out["scores"] if s["id"] == "cha2ds2_vasc")
    assert cha["value"] >= 2 and cha["sources"]["age"] == "Patient/risk-cli-patient"


def test_table_output_by_name(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert risks(db, "Ada Riskley") == 0
    out = capsys.readouterr().out
    assert "SEVERITY" in out and "CRITICAL" in out
    assert "Interaction: warfarin + ibuprofen" in out
    assert "Evidence: MedicationRequest/" in out and "Source: " in out
    assert "CHA2DS2-VASc" in out


def test_as_of_moves_the_windows(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    later = (NOW + timedelta(days=400)).date().isoformat()
    assert risks(db, "risk-cli-patient", "--json", "--as-of", later) == 0
    flags = {f["id"] for f in json.loads(capsys.readouterr().out)["flags"]}
    assert "lab:potassium:critically-high" not in flags  # more than a year old by then
    assert "ddi:warfarin+ibuprofen" in flags  # still both active


@pytest.mark.parametrize("args,message", [
    (("nobody",), "no patient"),
    (("MRN-RISK-1", "--as-of", "2024-13-45"), "--as-of"),
    (("MRN-RISK-1", "--as-of", "yesterday"), "--as-of"),
])
def test_bad_input_exits_2_without_traceback(db: Path, capsys, args, message) -> None:
    assert risks(db, *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_wrong_password_exits_3(db: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_PASSWORD", "not the password")
    assert risks(db, "MRN-RISK-1") == 3
    assert "Traceback" not in capsys.readouterr().err


def test_missing_database_is_an_error_not_a_traceback(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_PASSWORD", PASSWORD)
    code = main(["risks", "x", "--db", str(tmp_path / "none.db"), "--user", "admin"])
    assert code != 0 and "Traceback" not in capsys.readouterr().err


def test_missing_patient_argument_is_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["risks"])
    assert e.value.code == 2


def test_parse_as_of() -> None:
    assert parse_as_of(None) is None
    d = parse_as_of("2024-02-29")
    assert d.tzinfo is not None and (d.year, d.month, d.day, d.hour) == (2024, 2, 29, 23)
    assert parse_as_of("2024-02-29T08:00:00").tzinfo is not None
    with pytest.raises(BadInputError):
        parse_as_of("2023-02-29")
