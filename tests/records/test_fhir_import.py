"""FHIR R4 import: bundles, single resources, NDJSON, folders; malformed files land nothing."""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.errors import BadInputError
from assistant.records.domain import Medication, Note, Observation
from assistant.records.fhir_import import parse_file
from assistant.records.fhir_read import MAPPED_TYPES
from assistant.services.importing import import_files

PID = "11111111-2222-4333-8444-555555555555"


def _patient(pid: str = PID, mrn: str = "MRN-001", family: str = "Testperson") -> dict:
    return {"resourceType": "Patient", "id": pid, "gender": "female", "birthDate": "1950-03-04",
            "name": [{"use": "official", "family": family, "given": ["Ada"]}],
            "identifier": [{"type": {"coding": [{"code": "MR"}]}, "system": "urn:test", "value": mrn}]}


def _bundle(*resources: dict, btype: str = "transaction") -> dict:
    return {"resourceType": "Bundle", "type": btype,
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}


def _obs(oid: str, value: float = 5.1, pid: str = PID) -> dict:
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3", "display": "Potassium"}]},
            "subject": {"reference": f"urn:uuid:{pid}"}, "effectiveDateTime": "2026-10-01T08:00:00Z",
            "valueQuantity": {"value": value, "unit": "mmol/L"},
            "referenceRange": [{"low": {"value": 3.5}, "high": {"value": 5.1}}],
            "interpretation": [{"coding": [{"code": "H"}]}]}


def _write(tmp_path: Path, name: str, doc: dict | str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(doc, bytes):
        p.write_bytes(doc)
    else:
        p.write_text(doc if isinstance(doc, str) else json.dumps(doc), "utf-8")
    return p


def test_bundle_resolves_urn_references_and_maps_values(tmp_path: Path) -> None:
    note = {"resourceType": "DocumentReference", "id": "n1", "status": "current",
            "subject": {"reference": f"urn:uuid:{PID}"}, "date": "2026-10-02T09:00:00Z",
            "type": {"text": "Progress note"}, "author": [{"display": "Dr Who"}],
            "content": [{"attachment": {"contentType": "text/plain",
                                        "data": base64.b64encode(b"Feels dizzy. Plan: recheck K+.").decode()}}]}
    parsed = parse_file(_write(tmp_path, "b.json", _bundle(_patient(), _obs("o1"), note)))
    assert [p.mrn for p in parsed.patients] == ["MRN-001"]
    obs = next(e for e in parsed.entries if isinstance(e, Observation))
    assert obs.patient_id == PID and obs.value == 5.1 and obs.unit == "mmol/L"
    assert (obs.reference_low, obs.reference_high, obs.interpretation) == (3.5, 5.1, "H")
    assert obs.ref == "Observation/o1"
    n = next(e for e in parsed.entries if isinstance(e, Note))
    assert n.text == "Feels dizzy. Plan: recheck K+." and n.author == "Dr Who"


def test_single_resource_and_ndjson(tmp_path: Path) -> None:
    single = parse_file(_write(tmp_path, "p.json", _patient()))
    assert len(single.patients) == 1
    lines = "\n".join(json.dumps(_obs(f"o{i}", 4.0 + i / 10)) for i in range(3))
    nd = parse_file(_write(tmp_path, "Observation.ndjson", lines + "\n\n"))
    assert [e.value for e in nd.entries] == [4.0, 4.1, 4.2]
    assert nd.entries[0].patient_id == PID  # plain urn reference resolves to the id


def test_medication_statement_and_contained_medication_reference(tmp_path: Path) -> None:
    med = {"resourceType": "Medication", "id": "m1",
           "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "197361",
                                "display": "Amlodipine 5 MG Oral Tablet"}]}}
    req = {"resourceType": "MedicationRequest", "id": "r1", "status": "active", "intent": "order",
           "subject": {"reference": f"urn:uuid:{PID}"}, "medicationReference": {"reference": "urn:uuid:m1"},
           "dosageInstruction": [{"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                                  "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}]}]}
    b = _bundle(_patient(), req)
    b["entry"].append({"fullUrl": "urn:uuid:m1", "resource": med})
    parsed = parse_file(_write(tmp_path, "m.json", b))
    m = next(e for e in parsed.entries if isinstance(e, Medication))
    assert m.code.code == "197361" and m.name == "Amlodipine 5 MG Oral Tablet"
    assert m.dose_text == "1 tablet" and m.frequency == "once per day"


@pytest.mark.parametrize("content, where", [
    ('{"resourceType": "Bundle", "entry": [', "invalid JSON"),                      # truncated
    (b'{"resourceType": "Patient", "id": "x", "name": [{"family": "M\xfcller"}]}', "not UTF-8"),
    ('{"resourceType": "Patinet", "id": "x"}', "'Patinet' is not a FHIR R4 resource type"),
    ('[1, 2, 3]', "no resourceType"),
])
def test_malformed_files_name_the_file(tmp_path: Path, content: str | bytes, where: str) -> None:
    p = _write(tmp_path, "bad.json", content)
    with pytest.raises(BadInputError) as e:
        parse_file(p)
    assert str(p) in e.value.message and where in e.value.message


def test_unmapped_fhir_types_are_counted_not_fatal(tmp_path: Path) -> None:
    report = {"resourceType": "DiagnosticReport", "id": "d1", "status": "final", "code": {"text": "BMP"}}
    parsed = parse_file(_write(tmp_path, "b.json", _bundle(_patient(), report)))
    assert parsed.unknown == Counter({"DiagnosticReport": 1})
    assert len(parsed.patients) == 1


def test_missing_required_field_names_entry_index(tmp_path: Path) -> None:
    bad_obs = _obs("o2")
    del bad_obs["status"]  # Observation.status is required (1..1)
    p = _write(tmp_path, "b.json", _bundle(_patient(), _obs("o1"), bad_obs))
    with pytest.raises(BadInputError) as e:
        parse_file(p)
    assert "entry 2" in e.value.message and "status" in e.value.message and str(p) in e.value.message


def test_bad_file_lands_nothing_and_folder_import_continues(tmp_path: Path, store) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "a_good.json", _bundle(_patient(), _obs("o1")))
    bad_obs = _obs("o9")
    bad_obs["valueQuantity"] = {"value": "not a number"}
    # The bad file has a valid new patient first: none of it may land.
    _write(folder, "b_bad.json", _bundle(_patient("99999999-2222-4333-8444-555555555555", "MRN-BAD"),
                                         bad_obs))
    _write(folder, "c_good.ndjson", json.dumps(_obs("o3", 6.0)))
    report = import_files(store, [folder / n for n in sorted(p.name for p in folder.iterdir())], workers=1)
    assert [f.ok for f in report.files] == [True, False, True]
    assert "entry 1" in report.files[1].error
    assert store.patients.count() == 1
    assert store.conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 2


def test_reimport_updates_never_duplicates(tmp_path: Path, store) -> None:
    p = _write(tmp_path, "b.json", _bundle(_patient(), _obs("o1", 5.1)))
    store.patients.import_parsed(parse_file(p))
    p2 = _write(tmp_path, "b2.json", _bundle(_patient(family="Renamed"), _obs("o1", 5.9)))
    stats = store.patients.import_parsed(parse_file(p2))
    assert (stats.patients_new, stats.patients_updated, stats.entries_new, stats.entries_updated) == (0, 1, 0, 1)
    rec = store.patients.load_record(PID)
    assert rec.patient.family == "Renamed"
    assert [o.value for o in rec.observations] == [5.9]


def test_every_shared_bundle_imports_with_matching_counts(shared_fhir: Path, store) -> None:
    files = sorted(shared_fhir.glob("*.json"))
    report = import_files(store, files)
    assert not report.failed, report.failed[:3]
    patients = 0
    for f in files:
        raw = json.loads(f.read_text("utf-8"))
        in_file = Counter(e["resource"]["resourceType"] for e in raw["entry"])
        fr = next(r for r in report.files if r.path == str(f))
        assert fr.counts == dict(in_file)
        patients += in_file.get("Patient", 0)
        for e in raw["entry"]:
            r = e["resource"]
            if r["resourceType"] in MAPPED_TYPES - {"Patient"}:
                table_type = "MedicationRequest" if r["resourceType"] == "MedicationStatement" else r["resourceType"]
                assert store.conn.execute("SELECT type FROM entries WHERE ref = ?",
                                          (f"{table_type}/{r['id']}",)).fetchone() == (table_type,)
    assert store.patients.count() == patients == 38
    stored = Counter(dict(store.conn.execute("SELECT type, count(*) FROM entries GROUP BY type").fetchall()))
    expected: Counter[str] = Counter()
    for f in files:
        for e in json.loads(f.read_text("utf-8"))["entry"]:
            t = e["resource"]["resourceType"]
            if t in MAPPED_TYPES - {"Patient"}:
                expected[t] += 1
    assert stored == expected
