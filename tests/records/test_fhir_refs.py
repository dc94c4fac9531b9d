"""References to a patient nobody has, and a patient twice in one file, are refused, never stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import BadInputError
from assistant.records.fhir_import import parse_file
from assistant.services.importing import import_files

PID = "11111111-2222-4333-8444-555555555555"
OTHER = "99999999-2222-4333-8444-555555555555"


def _patient(pid: str = PID, family: str = "Refs") -> dict:
    return {"resourceType": "Patient", "id": pid, "name": [{"family": family}]}


def _obs(oid: str, subject: str) -> dict:
    return {"resourceType": "Observation", "id": oid, "status": "final", "code": {"text": "Potassium"},
            "subject": {"reference": subject}, "valueQuantity": {"value": 4.2, "unit": "mmol/L"}}


def _write(path: Path, *resources: dict) -> Path:
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": f"urn:uuid:{r['id']}-{i}", "resource": r} for i, r in enumerate(resources)]}), "utf-8")
    return path


def _entries(store) -> int:
    return store.conn.execute("SELECT count(*) FROM entries").fetchone()[0]


@pytest.mark.parametrize("subject", [f"urn:uuid:{OTHER}", f"Patient/{OTHER}", "Group/g1"])
def test_entry_of_a_patient_in_neither_file_nor_store_is_refused(tmp_path: Path, store, subject: str) -> None:
    path = _write(tmp_path / "orphan.json", _patient(), _obs("o1", f"urn:uuid:{PID}"), _obs("o2", subject))
    report = import_files(store, [path], workers=1)
    assert not report.files[0].ok
    assert "neither in the file nor in the database" in report.files[0].error
    assert store.patients.count() == 0 and _entries(store) == 0  # the whole file, not just the orphan


def test_entry_of_a_patient_already_stored_is_accepted(tmp_path: Path, store) -> None:
    first = _write(tmp_path / "a.json", _patient())
    later = _write(tmp_path / "b.json", _obs("o1", f"Patient/{PID}"))
    report = import_files(store, [first, later], workers=1)
    assert [f.ok for f in report.files] == [True, True]
    assert _entries(store) == 1


def test_a_second_patient_with_the_same_id_is_refused(tmp_path: Path, store) -> None:
    path = _write(tmp_path / "twice.json", _patient(family="First"), _obs("o1", f"urn:uuid:{PID}"),
                  {**_patient(family="Second"), "id": PID})
    with pytest.raises(BadInputError, match=r"entry 2 \(Patient\): a second Patient with the id of entry 0"):
        parse_file(path)
    report = import_files(store, [path], workers=1)
    assert not report.files[0].ok and store.patients.count() == 0


def test_bulk_ndjson_with_entries_before_their_patients_imports_whole(tmp_path: Path, store) -> None:
    # A bulk export: one file per resource type, Observation.ndjson sorting before Patient.ndjson.
    (tmp_path / "Observation.ndjson").write_text(
        "\n".join(json.dumps(_obs(f"o{i}", f"Patient/{PID}")) for i in range(3)), "utf-8")
    (tmp_path / "Patient.ndjson").write_text(json.dumps(_patient()), "utf-8")
    seen: list[str] = []
    report = import_files(store, sorted(tmp_path.glob("*.ndjson")), workers=1,
                          on_file=lambda o: seen.append(o.path.name))
    assert all(f.ok for f in report.files) and len(report.files) == 2
    assert sorted(seen) == ["Observation.ndjson", "Patient.ndjson"]
    assert store.patients.count() == 1 and _entries(store) == 3
