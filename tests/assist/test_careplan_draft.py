"""Care-plan drafts from the demo patients: filled goals with citations, flag items, monitoring, model prose."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, date, datetime

import pytest
from assist_fixtures import FakeRisk, make_flag
from careplan_support import ANCHOR, FakeEngine, demo_record, synthea_records

from assistant.assist.careplan.document import SECTION_KEYS, CarePlanDocument
from assistant.assist.careplan.drafting import draft_careplan

NO_FLAGS = FakeRisk()


def plan(prefix: str, today: date | None = None, **kw) -> CarePlanDocument:
    kw.setdefault("risk", NO_FLAGS)
    return draft_careplan(demo_record(prefix, today), use_model=False, **kw)


def item(doc: CarePlanDocument, key: str):
    found = [i for i in doc.items() if i.key == key]
    assert found, f"no item {key}: {[i.key for i in doc.items()]}"
    return found[0]


def test_t2dm_plan_has_hba1c_goal_with_latest_value_and_citation() -> None:
    rec = demo_record("01")
    doc = plan("01")
    assert [c.concept for c in doc.conditions][:2] == ["t2dm", "ckd"]
    t2dm = doc.conditions[0]
    assert t2dm.guideline.startswith("ADA") and t2dm.year == 2025 and t2dm.refs
    goal = item(doc, "goal:hba1c")
    assert goal.kind == "goal" and goal.status == "deterministic"
    assert goal.target == "< 7.0-7.5 % (healthy older adult)"  # ADA section 13: he is over 65
    assert re.fullmatch(r"8\.9 % on \d{4}-\d\d-\d\d", goal.latest)
    assert goal.state == "above-target" and goal.loinc == "4548-4"
    assert "HbA1c target < 7.0-7.5 % (healthy older adult); latest 8.9 % on " in goal.text
    # The citation opens the very observation the value came from.
    (ref,) = goal.citations
    obs = rec.entry(ref)
    assert obs is not None and obs.value == pytest.approx(8.9) and obs.code.code == "4548-4"
    # ...and the fact-sheet line that shows it is named in the text.
    assert goal.fact_ids and f"[{goal.fact_ids[0]}]" in goal.text
    assert "t2dm" in goal.conditions and goal.source.startswith("ADA")


def test_goals_merge_across_conditions_and_blood_pressure_reads_as_a_pair() -> None:
    doc = plan("01")
    bp = [i for i in doc.items("goals") if i.key == "goal:bp"]
    assert len(bp) == 1  # diabetes, CKD and hypertension all set one: one item, first template's target
    assert bp[0].target == "< 130/80 mmHg" and set(bp[0].conditions) >= {"t2dm", "hypertension"}
    assert bp[0].latest.startswith("148/88 mmHg") and bp[0].state == "above-target"
    uacr = item(doc, "goal:uacr")
    assert uacr.state == "above-target" and uacr.latest.startswith("118 mg/g")


def test_every_citation_resolves_to_a_record_entry() -> None:
    for prefix in ("01", "02", "03", "04", "05"):
        rec = demo_record(prefix)
        doc = plan(prefix)
        for ref in doc.citations():
            assert rec.entry(ref) is not None, (prefix, ref)


def test_af_nsaid_patient_gets_a_flag_item_and_the_nsaid_is_marked() -> None:
    rec = demo_record("02")
    warfarin = next(m for m in rec.active_medications if "warfarin" in m.name.lower())
    nsaid = next(m for m in rec.active_medications if "ibuprofen" in m.name.lower())
    risk = FakeRisk((make_flag("interaction.warfarin_nsaid", "Warfarin + NSAID: bleeding risk", "high",
                               category="medication", evidence=(warfarin.ref, nsaid.ref),
                               explanation="NSAIDs raise the bleeding risk of warfarin",
                               reference="Lexicomp / BNF interaction"),))
    doc = plan("02", risk=risk)
    (flag,) = doc.items("flags")
    assert flag.kind == "flag" and flag.state == "high"
    assert "Warfarin + NSAID" in flag.text and "bleeding" in flag.text
    assert set(flag.citations) == {warfarin.ref, nsaid.ref} and flag.source
    meds = doc.items("medications")
    flagged = [i for i in meds if i.state in ("adjusted", "stop")]
    assert {i.citations[0] for i in flagged} == {warfarin.ref, nsaid.ref}
    # The NSAID with warfarin is stopped (AGS Beers 2023), first in the list; warfarin's dose was
    # already omitted and reduced at the clinic after the INR of 3.8 (its note): not changed twice.
    (wline,) = [i for i in flagged if i.citations[0] == warfarin.ref]
    assert wline.text.startswith("Dose already changed") and "omit or reduce" not in wline.text
    assert meds[0].state == "stop" and meds[0].text.startswith("Stop now") and nsaid.ref in meds[0].citations
    assert "lowest dose" not in " ".join(i.text for i in doc.items())
    urgent = item(doc, "followup:safety")
    # INR above range with an interacting NSAID: same day, not "within 1 week".
    assert "today" in urgent.text and nsaid.ref in urgent.citations
    assert any("Safety first" in i.text for i in doc.items("rationale"))
    # The INR goal exists only because she takes warfarin, and it is above range.
    inr = item(doc, "goal:inr")
    assert inr.state == "above-target" and inr.latest.startswith("3.8")


def test_real_flags_engine_adds_the_warfarin_nsaid_interaction() -> None:
    from assistant.clinical.flags import evaluate

    rec = demo_record("02")
    doc = draft_careplan(rec, evaluate(rec), use_model=False)
    nsaid = next(m for m in rec.active_medications if "ibuprofen" in m.name.lower())
    hits = [i for i in doc.items("flags") if nsaid.ref in i.citations]
    assert hits, [i.text for i in doc.items("flags")]


def test_hfref_hyperkalaemia_and_copd_goals_off_target() -> None:
    hf = plan("03")
    k = item(hf, "goal:potassium")
    assert k.state == "above-target" and k.latest.startswith("6.1 mmol/L")
    assert k.source.startswith("UK Kidney Association")  # the acute problem's template leads
    copd = plan("04")
    assert item(copd, "goal:spo2").state == "at-target"  # 88 % in a CO2 retainer: within 88-92 % (BTS 2017)
    assert item(copd, "goal:rr").state == "above-target"
    assert item(copd, "goal:smoking").state == "at-target"


def test_medications_on_record_and_suggested_classes() -> None:
    doc = plan("01")
    meds = doc.items("medications")
    on = [i for i in meds if i.state == "on-record"]
    assert len(on) == 3 and all(i.citations[0].startswith("MedicationRequest/") for i in on)
    # Simvastatin 20 mg (moderate) with LDL 94 mg/dL, diabetes and CKD at 67: move to a
    # high-intensity statin (ADA 2025 10.23, ACC/AHA 2018), not "continue".
    (statin,) = [i for i in meds if "simvastatin" in i.text]
    assert statin.state == "intensify" and statin.text.startswith("Intensify now")
    assert "high-intensity statin" in statin.text
    metformin = next(i for i in on if "metformin" in i.text)
    assert "Metformin for Type 2 diabetes mellitus" in metformin.text
    consider = {i.key for i in meds if i.state == "consider"}
    # Already on an SGLT2 inhibitor, ACE inhibitor and statin: those are not suggested again;
    # LDL 94 mg/dL is above the < 70 mg/dL of diabetes with CKD (ADA 2025 10.23), but on a
    # moderate-intensity statin the statin is intensified first (ACC/AHA 2018): no ezetimibe yet.
    assert not consider & {"consider:sglt2", "consider:raas", "consider:statin", "consider:ezetimibe"}
    assert "consider:glp1" in consider  # HbA1c above target


def test_monitoring_states_follow_the_interval() -> None:
    doc = plan("01", ANCHOR, as_of=ANCHOR)  # the dates as written
    hba1c = item(doc, "monitor:hba1c")
    assert hba1c.state == "up-to-date" and "next due 2027-01-" in hba1c.text and hba1c.citations
    assert item(doc, "monitor:hb").state == "due"  # never measured
    late = plan("01", ANCHOR, as_of=date(2028, 1, 1))
    assert item(late, "monitor:hba1c").state == "overdue"
    # Without an explicit date the risk report's date is used, so the plan agrees with its flags.
    judged = plan("01", ANCHOR, risk=FakeRisk(as_of=datetime(2028, 1, 1, tzinfo=UTC)))
    assert judged.as_of == "2028-01-01" and item(judged, "monitor:hba1c").state == "overdue"
    keys = [i.key for i in doc.items("monitoring")]
    assert len(keys) == len(set(keys))
    assert "monitor:cardiometabolic" not in keys  # HbA1c and lipids are already scheduled more often


def test_deterministic_plan_shape_and_patient_section() -> None:
    doc = plan("01")
    assert doc.source == "deterministic" and doc.model == ""
    assert [s.key for s in doc.sections] == list(SECTION_KEYS)
    assert all(i.status == "deterministic" for i in doc.items())
    patient = doc.items("patient")
    texts = " ".join(i.text for i in patient)
    assert "type 2 diabetes" in texts and "below 7.5 %" in texts and "8.9 %" in texts
    assert any(i.kind == "education" for i in patient)
    assert item(doc, "followup:next").interval == "1 month"  # hypertension's monthly titration
    assert doc.items("rationale")
    # Lossless JSON round trip (storage and --json).
    again = CarePlanDocument.from_dict(json.loads(json.dumps(doc.to_dict())))
    assert again == doc


def test_conditions_without_template_are_listed() -> None:
    doc = plan("05")
    assert [c.concept for c in doc.conditions] == ["hypothyroidism"]
    untemplated = [i for i in doc.items("problems") if i.state == "no-template"]
    assert any("Streptococcal" in i.text for i in untemplated)
    assert item(doc, "goal:tsh").state == "at-target"


def test_model_prose_is_verified_sentence_by_sentence() -> None:
    engine = FakeEngine()
    seen: list[str] = []
    doc = draft_careplan(demo_record("01"), NO_FLAGS, engine, on_text=seen.append)
    assert doc.source == "model" and doc.model == "fake-engine 1"
    assert len(engine.calls) == 2 and seen
    # Only the checked rationale sentence is drafted; the unchecked one is left out with a note.
    rationale = [i for i in doc.items("rationale") if i.status != "deterministic"]
    assert [i.status for i in rationale] == ["verified"]
    assert rationale[0].citations and rationale[0].fact_ids
    # On top of the record-built rationale, which stays.
    assert doc.items("rationale")[0].status == "deterministic"
    assert any("1 model sentence for the rationale section left out" in w for w in doc.warnings)
    # What was left out stays with the plan, to be looked at and counted, never as its content.
    assert "12.5" in " ".join(i.text for i in doc.dropped) and all(i.status == "unverified" for i in doc.dropped)
    assert not any(i in doc.items() for i in doc.dropped)
    assert CarePlanDocument.from_dict(json.loads(json.dumps(doc.to_dict()))).dropped == doc.dropped
    marked = draft_careplan(demo_record("01"), NO_FLAGS, FakeEngine(), keep_unchecked=True)
    model_made = [i for i in marked.items("rationale") if i.status != "deterministic"]
    assert [i.status for i in model_made] == ["verified", "unverified"]
    assert "12.5" in " ".join(model_made[1].issues)
    patient = doc.items("patient")
    # Second person and words no cited line has ('average', 'goal'): not checked (issue 13 rules 1, 4),
    # so left out of the patient section; kept in place only on request, marked.
    assert not any(i.text.startswith("Your average blood sugar") for i in patient)
    assert all(i.status != "unverified" for i in patient)
    assert any("for the patient section left out" in w for w in doc.warnings)
    kept = draft_careplan(demo_record("01"), NO_FLAGS, FakeEngine(), keep_unchecked=True).items("patient")
    assert kept[0].text.startswith("Your average blood sugar") and kept[0].status == "unverified"
    # The deterministic goals and education stay below the model's summary.
    assert any(i.kind == "education" for i in patient)
    assert not any("not checked against the record" in w for w in doc.warnings)
    assert any("not checked against the record" in w and "Rationale" in w for w in marked.warnings)


def test_model_failure_or_cancel_keeps_deterministic_text() -> None:
    class Broken:
        def chat(self, *a, **k):
            raise RuntimeError("boom")

    doc = draft_careplan(demo_record("01"), NO_FLAGS, Broken())
    assert doc.source == "deterministic" and any("model failed" in w for w in doc.warnings)
    assert all(i.status == "deterministic" for i in doc.items("rationale"))
    cancel = threading.Event()
    cancel.set()
    engine = FakeEngine()
    doc = draft_careplan(demo_record("01"), NO_FLAGS, engine, cancel=cancel)
    assert engine.calls == [] and doc.source == "deterministic"


def test_synthea_records_draft_without_errors(shared_fhir) -> None:
    from fhir.resources.R4B.careplan import CarePlan

    from assistant.assist.careplan.fhir import to_fhir_careplan

    covered = 0
    for rec in synthea_records(shared_fhir):
        if rec.patient.deceased:  # refused: tests/assist/test_careplan_eligibility.py
            continue
        doc = draft_careplan(rec, NO_FLAGS, use_model=False)
        covered += bool(doc.conditions)
        for ref in doc.citations():
            assert rec.entry(ref) is not None
        CarePlan.model_validate(to_fhir_careplan(doc))
    assert covered >= 15
