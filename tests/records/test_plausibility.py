"""Impossible values are kept at import, marked implausible with the reason, and never scored."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

from assistant.clinical.extract.chart import Chart
from assistant.clinical.flags import evaluate
from assistant.config import resources_dir
from assistant.records.domain import Patient
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord

PID = "abcdabcd-2222-4333-8444-555555555555"


def _obs(oid: str, code: str, value: float, unit: str, when: str = "2026-10-01T08:00:00Z") -> dict:
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": f"urn:uuid:{PID}"}, "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": unit}}


def absurd_bundle() -> dict:
    resources = [
        {"resourceType": "Patient", "id": PID, "gender": "male", "birthDate": "2090-01-01",
         "name": [{"family": "Absurd"}]},
        _obs("sbp", "8480-6", 1e28, "mm[Hg]"), _obs("k", "2823-3", 1e308, "mmol/L"),
        _obs("k2", "2823-3", 42.0, "mmol/L"), _obs("temp", "8310-5", 37.0, "Cel", "0001-01-01T00:00:00+14:00"),
        _obs("creat", "2160-0", 1.1, "mg/dL"), _obs("k3", "2823-3", 4.2, "mmol/L", "2026-09-01T08:00:00Z"),
        {"resourceType": "Condition", "id": "c1", "clinicalStatus": {"coding": [{"code": "active"}]},
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": "D" * 100_000}]},
         "subject": {"reference": f"urn:uuid:{PID}"}, "onsetDateTime": "0001-01-01T00:00:00+14:00"},
    ]
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}


def _record(tmp_path: Path) -> PatientRecord:
    path = tmp_path / "absurd.json"
    path.write_text(json.dumps(absurd_bundle()), "utf-8")
    parsed = parse_file(path)
    return PatientRecord.build(parsed.patients[0], parsed.entries)


def test_every_limit_is_sourced_and_ordered() -> None:
    path = resources_dir() / "knowledge" / "plausibility.csv"
    rows = list(csv.DictReader(line for line in path.open(encoding="utf-8") if not line.startswith("#")))
    assert len(rows) >= 10
    for r in rows:
        assert r["source"].strip() and r["loinc"].strip() and r["units"].strip(), r
        assert float(r["low"]) < float(r["high"]), r


def test_impossible_values_are_kept_and_marked(tmp_path: Path) -> None:
    obs = {o.id: o for o in _record(tmp_path).observations}
    assert set(obs) == {"sbp", "k", "k2", "temp", "creat", "k3"}  # kept, all of them
    assert "not a possible measurement" in obs["sbp"].implausible
    assert "not a possible measurement" in obs["k"].implausible
    assert "outside the possible range 0.5-15" in obs["k2"].implausible
    assert "before 1800" in obs["temp"].implausible and obs["temp"].effective is None
    assert not obs["creat"].implausible and not obs["k3"].implausible


def test_implausible_values_never_reach_the_rules(tmp_path: Path) -> None:
    record = _record(tmp_path)
    chart = Chart(record, as_of=datetime(2026, 11, 1, tzinfo=UTC))
    assert chart.measurements("sbp") == []
    assert [m.value for m in chart.measurements("potassium")] == [4.2]
    report = evaluate(record, as_of=datetime(2026, 11, 1, tzinfo=UTC))
    assert not any("otassium" in f.title and "42" in " ".join(f.evidence) for f in report.flags)


def test_a_date_before_1800_is_dropped_not_kept_as_a_date(tmp_path: Path) -> None:
    (condition,) = _record(tmp_path).conditions
    assert condition.onset is None


def test_a_future_birth_date_gives_no_age() -> None:
    patient = Patient("p", birth_date=date(2090, 1, 1))
    assert patient.age_years(date(2026, 1, 1)) is None
    assert Patient("p", birth_date=date(2000, 6, 1)).age_years(date(2026, 5, 31)) == 25


def test_an_implausible_value_is_shown_as_such(tmp_path: Path) -> None:
    from assistant.clinical.values import observation_value

    obs = {o.id: o for o in _record(tmp_path).observations}
    assert observation_value(obs["sbp"]) == "1e+28 mmHg (implausible, not used)"
    assert "implausible" not in observation_value(obs["creat"])
