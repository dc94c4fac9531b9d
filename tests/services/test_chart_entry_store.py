"""Chart entry through the store: one audited transaction, flags see it at once, FHIR round trip with Provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.clinical.flags import evaluate
from assistant.records.chart_entry import Vitals
from assistant.records.domain import Allergy, Observation
from assistant.records.entry_checks import FieldError
from assistant.records.fhir_export import export_bundle
from assistant.records.fhir_import import parse_file
from assistant.records.serde import to_jsonable
from assistant.services import chart_entry as svc
from assistant.services.importing import import_files
from assistant.store.database import Store

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
ARTHUR = DEMO / "01_arthur_sampleton_diabetes_ckd.json"


@pytest.fixture
def chart(store: Store) -> tuple[Store, str]:
    import_files(store, [ARTHUR])
    return store, store.patients.list()[0].id


def _actions(store: Store, pid: str) -> list[str]:
    return [e.action for e in store.audit.events(pid, limit=200)]


def test_a_new_potassium_raises_a_critical_flag_at_once(chart: tuple[Store, str]) -> None:
    store, pid = chart
    before = {f.id for f in evaluate(store.patients.load_record(pid, audit=False)).flags}
    saved = svc.record_lab(store, pid, "potassium", 6.3)
    (obs,) = saved.added
    assert obs.interpretation == "HH" and obs.recorded_by == "admin"
    record = store.patients.load_record(pid, audit=False)
    flags = evaluate(record).flags
    new = [f for f in flags if f.id not in before or obs.ref in f.evidence]
    assert any(obs.ref in f.evidence and f.severity == "critical" for f in new), [f.title for f in flags]
    assert "entry.lab" in _actions(store, pid)


def test_bad_lab_input_names_the_field(chart: tuple[Store, str]) -> None:
    store, pid = chart
    for kwargs, field in (({"test": "potassium", "value": 4.1, "unit": "mg/dL"}, "unit"),
                          ({"test": "unobtainium", "value": 1.0}, "test"),
                          ({"test": "potassium", "value": 400.0}, "value")):
        with pytest.raises(FieldError) as e:
            svc.record_lab(store, pid, **kwargs)  # type: ignore[arg-type]
        assert e.value.field == field


def test_correction_keeps_the_old_value_and_is_audited(chart: tuple[Store, str]) -> None:
    store, pid = chart
    (bp,) = svc.record_vitals(store, pid, Vitals(150, 95)).added
    saved = svc.correct(store, pid, bp.ref, "128/82")
    record = store.patients.load_record(pid, audit=False)
    old, new = record.entry(bp.ref), record.entry(saved.added[0].ref)
    assert isinstance(old, Observation) and isinstance(new, Observation)
    assert old.status == "entered-in-error" and [c.value for c in old.components] == [150, 95]
    assert new.status == "amended" and new.supersedes == bp.ref
    assert [c.value for c in new.components] == [128, 82]
    assert _actions(store, pid).count("entry.correct") == 2  # the old one marked, the new one added


def test_medicine_allergy_problem_entries_and_fhir_round_trip(chart: tuple[Store, str], tmp_path: Path) -> None:
    store, pid = chart
    record = store.patients.load_record(pid, audit=False)
    med = next(m for m in record.medications if m.is_active)
    svc.stop_medication(store, pid, med.ref, "side effects")
    svc.record_allergy(store, pid, "Penicillin", "hives", "high")
    problem = next(c for c in record.conditions if c.is_active)
    svc.set_problem_status(store, pid, problem.ref, "resolved")
    (pulse,) = svc.record_vitals(store, pid, Vitals(pulse=72)).added
    svc.correct(store, pid, pulse.ref, "68")
    record = store.patients.load_record(pid, audit=False)
    assert not record.entry(med.ref).is_active  # type: ignore[union-attr]
    assert record.entry(problem.ref).clinical_status == "resolved"  # type: ignore[union-attr]
    assert any(a.substance == "Penicillin" for a in record.active_allergies)
    actions = _actions(store, pid)
    assert {"entry.medication.stop", "entry.allergy", "entry.problem.resolved", "entry.vitals"} <= set(actions)

    bundle = export_bundle(record)
    provs = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Provenance"]
    authored = [e for e in record.entries() if e.recorded_by]
    assert len(provs) == len(authored) >= 5
    assert all(p["agent"][0]["who"]["display"] == "admin" for p in provs)
    assert any(p.get("entity", [{}])[0].get("role") == "revision" for p in provs)
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(bundle))
    parsed = parse_file(path)
    again = {e.ref: to_jsonable(e) for e in parsed.entries}
    for e in authored:
        assert again[e.ref] == to_jsonable(e), e.ref


def test_no_known_allergies_is_a_statement_ended_by_a_real_allergy(chart: tuple[Store, str]) -> None:
    store, pid = chart
    assert not store.patients.load_record(pid, audit=False).allergies
    (nka,) = svc.record_no_known_allergies(store, pid).added
    saved = svc.record_allergy(store, pid, "Latex", "rash", category="environment")
    assert [e.ref for e in saved.replaced] == [nka.ref]
    record = store.patients.load_record(pid, audit=False)
    ended = record.entry(nka.ref)
    assert isinstance(ended, Allergy) and ended.clinical_status == "inactive" and ended.is_no_known
    assert [a.substance for a in record.active_allergies] == ["Latex"]
    with pytest.raises(FieldError):  # "no known allergies" beside an active allergy would contradict it
        svc.record_no_known_allergies(store, pid)
