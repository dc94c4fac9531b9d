"""Signing a care plan: refused while unchecked model text remains, re-authentication, audit, fresh notes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from assist_fixtures import FakeRisk
from careplan_support import DEMO, FakeEngine, demo_record

from assistant.assist.careplan import drafting as cp
from assistant.assist.careplan.review import with_current_notes
from assistant.errors import AuthenticationError
from assistant.records.fhir_import import parse_file
from assistant.services import careplans
from assistant.services.careplans import UncheckedTextError
from support import PASSWORD

BAD = "HbA1c was 12.5 % last week"  # the FakeEngine's rationale sentence the record does not support


@pytest.fixture
def model_plan(store):
    """A demo patient in a fresh store with a model-drafted plan: one unchecked rationale sentence."""
    (path,) = sorted(DEMO.glob("01_*.json"))
    store.patients.import_parsed(parse_file(path))
    record = store.patients.load_record(demo_record("01").patient.id)
    # Drafting leaves unchecked sentences out; a plan drafted with them kept in place (or stored
    # before they were left out) holds one in its rationale, which is what signing must catch.
    doc = cp.draft_careplan(record, FakeRisk(), FakeEngine())
    marked = cp.draft_careplan(record, FakeRisk(), FakeEngine(), keep_unchecked=True).section("rationale")
    assert marked is not None
    doc = with_current_notes(doc.with_section(marked))
    assert [i.status for i in doc.items("rationale") if i.status != "deterministic"] == ["verified", "unverified"]
    assert [i.text for i in doc.items() if i.status == "unverified"] == [BAD + "."]
    return store, doc, careplans.save_draft(store, doc)


def audit(store, patient_id: str) -> list[tuple[str, str, str]]:
    return [(e.action, e.patient_id, e.detail) for e in store.audit.events(limit=200)]


def test_unchecked_model_item_refuses_signing_and_names_it(model_plan) -> None:
    store, doc, saved = model_plan
    with pytest.raises(UncheckedTextError) as caught:
        careplans.sign(store, saved.id, password=PASSWORD)
    message = caught.value.message
    position = [i.text for i in doc.items("rationale")].index(BAD + ".") + 1
    assert BAD in message and f"Rationale, item {position}" in message
    assert "Delete each one, or rewrite it" in message
    assert store.documents.get(saved.id).status == "draft"
    refused = [r for r in audit(store, doc.patient_id) if r[0] == "careplan.sign_refused"]
    assert refused and refused[0][1] == doc.patient_id
    assert BAD not in refused[0][2] and "1 unchecked" in refused[0][2]  # counts, never the text


def test_deleting_the_unchecked_item_lets_the_plan_be_signed(model_plan) -> None:
    store, doc, saved = model_plan
    rat = doc.section("rationale")
    careplans.edit(store, saved.id, doc.with_section(replace(rat, items=rat.items[:1])))
    signed = careplans.sign(store, saved.id, password=PASSWORD)
    assert signed.status == "signed" and signed.signed_by == "admin"
    assert ("careplan.sign", doc.patient_id, saved.id) in audit(store, doc.patient_id)


def test_rewriting_the_unchecked_item_makes_it_the_clinicians(model_plan) -> None:
    store, doc, saved = model_plan
    rat = doc.section("rationale")
    bad = [i.status for i in rat.items].index("unverified")
    mine = replace(rat.items[bad], text="HbA1c 8.9 % on the last result: intensify treatment.")
    items = rat.items[:bad] + (mine,) + rat.items[bad + 1:]
    careplans.edit(store, saved.id, doc.with_section(replace(rat, items=items)))
    _, loaded = careplans.load(store, saved.id)
    assert loaded.items("rationale")[bad].status == "edited" and not loaded.items("rationale")[bad].issues
    assert careplans.sign(store, saved.id, password=PASSWORD).status == "signed"


def test_relabelling_an_unchecked_item_does_not_unblock_it(model_plan) -> None:
    # A plan sent back with the status changed but the words unchanged (CLI `edit --file`) keeps
    # the status the drafter gave: a status is earned, never declared.
    store, doc, saved = model_plan
    rat = doc.section("rationale")
    bad = [i.status for i in rat.items].index("unverified")
    forged = replace(rat.items[bad], status="verified", issues=())
    items = rat.items[:bad] + (forged,) + rat.items[bad + 1:]
    careplans.edit(store, saved.id, doc.with_section(replace(rat, items=items)))
    assert careplans.load(store, saved.id)[1].items("rationale")[bad].status == "unverified"
    with pytest.raises(UncheckedTextError):
        careplans.sign(store, saved.id, password=PASSWORD)


def test_wrong_password_refuses_signing_and_is_audited(model_plan) -> None:
    store, doc, saved = model_plan
    rat = doc.section("rationale")
    careplans.edit(store, saved.id, doc.with_section(replace(rat, items=rat.items[:1])))
    with pytest.raises(AuthenticationError, match="wrong password"):
        careplans.sign(store, saved.id, password="not-the-password")
    assert store.documents.get(saved.id).status == "draft"
    rows = audit(store, doc.patient_id)
    assert ("careplan.sign_refused", doc.patient_id, f"{saved.id}: wrong password") in rows
    assert any(a == "auth.failed" and p == "" for a, p, _ in rows)
    assert not any(a == "careplan.sign" for a, _, _ in rows)
    assert careplans.sign(store, saved.id, password=PASSWORD).status == "signed"


def test_page_one_notes_follow_the_content(model_plan) -> None:
    store, doc, saved = model_plan
    stale = [w for w in doc.warnings if "not checked against the record" in w]
    assert stale and "Rationale" in stale[0]
    rat = doc.section("rationale")
    careplans.edit(store, saved.id, doc.with_section(replace(rat, items=rat.items[:1])))
    _, edited = careplans.load(store, saved.id)
    assert not [w for w in edited.warnings if "not checked against the record" in w]
    # Deleting the last model sentences drops the model's note as well; drafting notes stay.
    no_model = edited.with_section(replace(rat, items=()))
    pat = no_model.section("patient")
    no_model = no_model.with_section(replace(pat, items=tuple(i for i in pat.items if i.status != "verified")))
    careplans.edit(store, saved.id, no_model)
    careplans.sign(store, saved.id, password=PASSWORD)
    _, signed = careplans.load(store, saved.id)
    assert not [w for w in signed.warnings if "language model" in w or "not checked" in w]
    assert [w for w in signed.warnings if "left out" in w] == [w for w in doc.warnings if "left out" in w]
