"""Stored care plans: draft, edit, sign (read-only), new versions that supersede, audit rows, FHIR export."""

from __future__ import annotations

from dataclasses import replace

import pytest
from assist_fixtures import FakeRisk
from careplan_support import DEMO, demo_record
from fhir.resources.R4B.careplan import CarePlan
from sqlcipher3 import dbapi2 as sqlcipher

from assistant.assist.careplan import drafting as cp
from assistant.errors import BadInputError
from assistant.records.fhir_import import parse_file
from assistant.services import careplans
from support import PASSWORD


@pytest.fixture
def stored_plan(store):
    """A demo patient imported into a fresh store, with one saved draft plan."""
    (path,) = sorted(DEMO.glob("01_*.json"))
    store.patients.import_parsed(parse_file(path))
    record = store.patients.load_record(demo_record("01").patient.id)
    doc = cp.draft_careplan(record, FakeRisk(), use_model=False)
    return store, doc, careplans.save_draft(store, doc)


def actions(store, patient_id: str) -> list[str]:
    return [e.action for e in store.audit.events(patient_id, limit=100)]


def test_save_load_round_trip(stored_plan) -> None:
    store, doc, saved = stored_plan
    assert saved.kind == "careplan" and saved.version == 1 and saved.status == "draft"
    again, loaded = careplans.load(store, saved.id)
    assert loaded == doc and again.id == saved.id
    assert [d.id for d in careplans.versions(store, doc.patient_id)] == [saved.id]
    assert careplans.latest(store, doc.patient_id).id == saved.id
    assert "careplan.save" in actions(store, doc.patient_id)


def test_edit_marks_changed_items_and_audits(stored_plan) -> None:
    store, doc, saved = stored_plan
    goals = doc.section("goals")
    first = replace(goals.items[0], text="HbA1c target < 7.5 % agreed with the patient")
    edited = doc.with_section(replace(goals, items=(first,) + goals.items[1:]))
    after = careplans.edit(store, saved.id, edited)
    _, loaded = careplans.load(store, after.id)
    items = loaded.items("goals")
    assert items[0].status == "edited" and items[0].text.endswith("agreed with the patient")
    assert items[0].citations == goals.items[0].citations  # the evidence link survives the edit
    assert all(i.status == "deterministic" for i in items[1:])
    assert "careplan.edit" in actions(store, doc.patient_id)


def test_any_section_can_be_edited(stored_plan) -> None:
    store, doc, saved = stored_plan
    for key in ("patient", "rationale", "followup"):
        sec = doc.section(key)
        doc = doc.with_section(replace(sec, items=sec.items + (cp.Item(text=f"Clinician note for {key}.",
                                                                      kind="text"),)))
    careplans.edit(store, saved.id, doc)
    _, loaded = careplans.load(store, saved.id)
    for key in ("patient", "rationale", "followup"):
        assert loaded.items(key)[-1].status == "edited"


def test_sign_makes_the_version_read_only(stored_plan) -> None:
    store, doc, saved = stored_plan
    signed = careplans.sign(store, saved.id, password=PASSWORD)
    assert signed.status == "signed" and signed.signed_by == "admin" and signed.signed_at
    with pytest.raises(BadInputError, match="signed"):
        careplans.edit(store, saved.id, doc)
    with pytest.raises(BadInputError, match="only a draft"):
        careplans.sign(store, saved.id, password=PASSWORD)
    # The database itself refuses to change a signed row, whatever the caller.
    with pytest.raises(sqlcipher.IntegrityError, match="read-only"):
        store.conn.execute("UPDATE documents SET data = '{}' WHERE id = ?", (saved.id,))
    with pytest.raises(sqlcipher.IntegrityError, match="cannot be deleted"):
        store.conn.execute("DELETE FROM documents WHERE id = ?", (saved.id,))
    assert careplans.load(store, saved.id)[1] == doc
    assert "careplan.sign" in actions(store, doc.patient_id)


def test_new_version_supersedes_the_signed_one(stored_plan) -> None:
    store, doc, saved = stored_plan
    careplans.sign(store, saved.id, password=PASSWORD)
    fu = doc.section("followup")
    revised = doc.with_section(replace(fu, items=(cp.Item(text="Review in 2 weeks.", kind="followup"),)
                                       + fu.items))
    v2 = careplans.new_version(store, saved.id, revised)
    assert v2.version == 2 and v2.series == saved.series and v2.supersedes == saved.id
    assert v2.status == "draft"
    old = store.documents.get(saved.id)
    assert old.status == "superseded" and old.signed_by == "admin"  # the signature is kept
    _, loaded = careplans.load(store, v2.id)
    assert loaded.items("followup")[0].status == "edited"
    assert [d.version for d in careplans.versions(store, doc.patient_id)] == [2, 1]
    assert careplans.latest(store, doc.patient_id).id == v2.id
    # A fresh draft can also join the series.
    v3 = careplans.save_draft(store, doc, series=saved.series)
    assert v3.version == 3 and store.documents.get(v2.id).status == "superseded"
    with pytest.raises(BadInputError):
        careplans.save_draft(store, doc, series="no-such-series")


def test_careplan_functions_refuse_other_documents(stored_plan) -> None:
    store, doc, _ = stored_plan
    other = store.documents.save(doc.patient_id, "summary", {"text": "x"})
    with pytest.raises(BadInputError, match="not a care plan"):
        careplans.load(store, other.id)
    with pytest.raises(BadInputError, match="not a care plan"):
        careplans.sign(store, other.id, password=PASSWORD)


def test_fhir_careplan_validates_for_draft_signed_and_superseded(stored_plan) -> None:
    store, doc, saved = stored_plan
    draft = cp.to_fhir_careplan(doc, saved)
    CarePlan.model_validate(draft)
    assert draft["status"] == "draft" and draft["intent"] == "plan" and draft["id"] == saved.id
    assert draft["subject"]["reference"] == f"Patient/{doc.patient_id}"
    goals = {g["id"]: g for g in draft["contained"]}
    hba1c = next(g for g in goals.values() if "HbA1c" in g["description"]["text"])
    assert hba1c["target"][0]["measure"]["coding"][0]["code"] == "4548-4"
    assert hba1c["target"][0]["detailString"] == "< 7.0-7.5 % (healthy older adult)"
    assert hba1c["achievementStatus"]["coding"][0]["code"] == "not-achieving"
    assert hba1c["outcomeReference"][0]["reference"].startswith("Observation/")
    assert {a["reference"] for a in draft["addresses"]} >= set(doc.conditions[0].refs)
    refs = [a["reference"]["reference"] for a in draft["activity"] if "reference" in a]
    assert any(r.startswith("MedicationRequest/") for r in refs)
    signed = careplans.sign(store, saved.id, password=PASSWORD)
    res = cp.to_fhir_careplan(doc, signed)
    CarePlan.model_validate(res)
    assert res["status"] == "active" and any("Signed by admin" in n["text"] for n in res["note"])
    v2 = careplans.new_version(store, saved.id)
    res2 = cp.to_fhir_careplan(doc, v2)
    CarePlan.model_validate(res2)
    assert res2["replaces"] == [{"reference": f"CarePlan/{saved.id}"}] and res2["meta"]["versionId"] == "2"
    old = cp.to_fhir_careplan(doc, store.documents.get(saved.id))
    CarePlan.model_validate(old)
    assert old["status"] == "revoked"


def test_fhir_careplan_author_is_the_display_name_not_the_login(stored_plan) -> None:
    from dataclasses import replace

    store, doc, saved = stored_plan
    draft = cp.to_fhir_careplan(doc, replace(saved, created_by_name="Dr Admin"))
    assert draft["author"] == {"display": "Dr Admin"}
    signed = careplans.sign(store, saved.id, password=PASSWORD)
    res = cp.to_fhir_careplan(doc, replace(signed, created_by_name="Dr Maker", signed_by_name="Dr Admin"))
    CarePlan.model_validate(res)
    assert res["author"] == {"display": "Dr Admin"}
    assert any(n.get("authorString") == "Dr Admin" and "Signed by Dr Admin" in n["text"] for n in res["note"])
    assert all("admin " not in n["text"] for n in res["note"])
    # An account without a display name: the login is all there is.
    assert cp.to_fhir_careplan(doc, signed)["author"] == {"display": signed.signed_by}
