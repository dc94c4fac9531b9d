"""Corrections of medicines, allergies and problems: the old version kept as entered-in-error, the new one
superseding it, one audit row each, and both surviving a FHIR export and import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.clinical.flags import evaluate
from assistant.records.domain import Allergy, Condition, Medication
from assistant.records.entry_checks import FieldError
from assistant.records.fhir_export import export_bundle
from assistant.records.fhir_import import parse_file
from assistant.records.serde import to_jsonable
from assistant.services import chart_entry as svc
from assistant.services.importing import import_files
from assistant.store.database import Store

ARTHUR = Path(__file__).resolve().parents[2] / "resources" / "demo" / "01_arthur_sampleton_diabetes_ckd.json"


@pytest.fixture
def chart(store: Store) -> tuple[Store, str]:
    import_files(store, [ARTHUR])
    return store, store.patients.list()[0].id


def test_corrections_supersede_and_keep_the_old_version(chart: tuple[Store, str], tmp_path: Path) -> None:
    store, pid = chart
    (allergy,) = svc.record_allergy(store, pid, "Penicillin", "hives").added
    fixed = svc.correct_entry(store, pid, allergy.ref, {"reaction": "anaphylaxis", "criticality": "high"})
    med = next(m for m in store.patients.load_record(pid, audit=False).medications if m.is_active)
    new_med = svc.correct_entry(store, pid, med.ref, {"dose_text": "250 mg"}).added[0]
    problem = next(c for c in store.patients.load_record(pid, audit=False).conditions if c.is_active)
    new_problem = svc.correct_entry(store, pid, problem.ref, {"display": "Gout"}).added[0]
    record = store.patients.load_record(pid, audit=False)

    old_a, new_a = record.entry(allergy.ref), record.entry(fixed.added[0].ref)
    assert isinstance(old_a, Allergy) and isinstance(new_a, Allergy)
    assert old_a.verification_status == "entered-in-error" and old_a.reaction == "hives"
    assert new_a.reaction == "anaphylaxis" and new_a.supersedes == allergy.ref and new_a.is_active
    assert [a.ref for a in record.active_allergies] == [new_a.ref]
    old_m, new_m = record.entry(med.ref), record.entry(new_med.ref)
    assert isinstance(old_m, Medication) and isinstance(new_m, Medication)
    assert old_m.status == "entered-in-error" and old_m.dose_text == med.dose_text and not old_m.is_active
    assert new_m.dose_text == "250 mg" and new_m.is_active and new_m.supersedes == med.ref
    old_c, new_c = record.entry(problem.ref), record.entry(new_problem.ref)
    assert isinstance(old_c, Condition) and isinstance(new_c, Condition)
    assert not old_c.is_active and new_c.display == "Gout" and new_c.is_active
    # The flags read only the current versions.
    evidence = {r for f in evaluate(record).flags for r in f.evidence}
    assert not evidence & {allergy.ref, med.ref, problem.ref}
    rows = [e for e in store.audit.events(pid, limit=200) if e.action == "entry.correct"]
    assert len(rows) == 6  # per correction: the old one marked, the new one added
    for old, new in ((allergy, new_a), (med, new_m), (problem, new_c)):
        assert any(f"{new.ref} supersedes {old.ref}" in r.detail for r in rows)

    bundle = export_bundle(record)
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(bundle))
    again = {e.ref: to_jsonable(e) for e in parse_file(path).entries}
    for e in (old_a, new_a, old_m, new_m, old_c, new_c):
        assert again[e.ref] == to_jsonable(e), e.ref


def test_entered_in_error_with_a_reason_and_refusals(chart: tuple[Store, str]) -> None:
    store, pid = chart
    (allergy,) = svc.record_allergy(store, pid, "Latex", "rash", category="environment").added
    svc.retract(store, pid, allergy.ref, "wrong patient")
    rows = [e for e in store.audit.events(pid, limit=200) if e.action == "entry.retract"]
    assert len(rows) == 1 and rows[0].detail.endswith(": wrong patient")
    with pytest.raises(FieldError, match="already"):
        svc.retract(store, pid, allergy.ref, "again")
    with pytest.raises(FieldError, match="already corrected"):
        svc.correct_entry(store, pid, allergy.ref, {"reaction": "hives"})
    med = next(m for m in store.patients.load_record(pid, audit=False).medications if m.is_active)
    with pytest.raises(FieldError, match="nothing was changed"):
        svc.correct_entry(store, pid, med.ref, {"dose_text": med.dose_text})
    with pytest.raises(FieldError) as err:
        svc.correct_entry(store, pid, med.ref, {"dose_text": "  "})
    assert err.value.field == "dose_text"


def test_stop_and_resolve_change_in_place_with_history_and_round_trip(chart: tuple[Store, str],
                                                                       tmp_path: Path) -> None:
    """A stop or a resolve is the same FHIR resource with a new status (no second copy on export);
    the earlier statuses are read back from the audit log."""
    store, pid = chart
    record = store.patients.load_record(pid, audit=False)
    med = next(m for m in record.medications if m.is_active)
    problem = next(c for c in record.conditions if c.is_active)
    svc.stop_medication(store, pid, med.ref, "side effects")
    svc.set_problem_status(store, pid, problem.ref, "inactive")
    svc.set_problem_status(store, pid, problem.ref, "resolved")
    history = svc.status_history(store, pid, problem.ref)
    assert [(c.before.split("/")[0], c.after.split("/")[0]) for c in history] == [
        ("active", "inactive"), ("inactive", "resolved")]
    assert all(c.by == "admin" and c.at for c in history)
    (stop,) = svc.status_history(store, pid, med.ref)
    assert stop.after.startswith("stopped") and stop.action == "entry.medication.stop"
    record = store.patients.load_record(pid, audit=False)
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(export_bundle(record)))
    parsed = {e.ref: e for e in parse_file(path).entries}
    assert len(parsed) == len(list(record.entries()))  # no extra versions appear on export
    assert to_jsonable(parsed[med.ref]) == to_jsonable(record.entry(med.ref))
    assert to_jsonable(parsed[problem.ref]) == to_jsonable(record.entry(problem.ref))
