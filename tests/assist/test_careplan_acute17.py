"""Pneumonia and delirium care-plan templates: when they apply, their phase, and their words in hospital (reader 17: Doris)."""

from __future__ import annotations

from dataclasses import replace

from assist_fixtures import FakeRisk
from careplan_support import PID, ago, chart, cond, demo_record, draft, med, text

from assistant.assist.careplan.drafting import draft_careplan
from assistant.clinical.calculators.base import Reference, Result
from assistant.clinical.rules.base import ScoreResult
from assistant.records.domain import Coding, Condition, Encounter
from assistant.records.record import PatientRecord

COPD = cond("c-copd", "13645005", "COPD", ago(3000))
PNEU = cond("c-pn", "233604007", "Pneumonia", ago(1))
CONF = cond("c-ac", "130987000", "Acute confusion", ago(1))


def _resolved(c: Condition, days: int) -> Condition:
    return replace(c, clinical_status="resolved", abatement=ago(days))


def _ed(status: str = "in-progress", days: int = 0) -> Encounter:
    return Encounter(id="e-ed", patient_id=PID, type=Coding("http://snomed.info/sct", "50849002", "Emergency"),
                     class_code="EMER", status=status, start=ago(days), reason="Fever and confusion")


def _ids(rec: PatientRecord) -> set[str]:
    return {c.concept for c in draft(rec).conditions}


def test_active_pneumonia_gets_the_acute_phase_and_the_six_week_follow_up() -> None:
    doc = draft(chart(75, "female", PNEU))
    plan = text(doc, "interventions")
    assert "Assess severity with CURB-65" in plan and "Antibiotic by severity" in plan
    assert "repeat the CRP at 48-72 h" in plan
    assert "Chest X-ray at about 6 weeks: over 50 or a smoking history" in plan
    assert "Clinical review at about 6 weeks" in text(doc, "followup")
    patient = text(doc, "patient")
    assert "Get help straight away" in patient and "3 days after starting the antibiotic" in patient
    assert "no care-plan template" not in text(doc, "problems")


def test_pneumonia_in_the_last_six_weeks_keeps_only_the_follow_up() -> None:
    doc = draft(chart(40, "male", replace(_resolved(PNEU, 10), onset=ago(30))))
    plan = text(doc, "interventions")
    assert "Community-acquired pneumonia" in text(doc, "problems")
    assert "CURB-65" not in plan and "Antibiotic" not in plan
    assert "only if symptoms or signs persist" in plan  # 40, smoking not recorded
    assert "Finish the antibiotic course" not in text(doc, "patient")


def test_old_refuted_or_long_unclosed_pneumonia_and_resolved_delirium_have_no_plan() -> None:
    years_ago = replace(_resolved(PNEU, 700), onset=ago(720))
    unclosed = replace(PNEU, onset=ago(800))  # the source never closed it: [acute] drops it after a year
    refuted = replace(PNEU, verification_status="refuted")
    over = replace(_resolved(CONF, 40), onset=ago(50))
    for entry in (years_ago, unclosed, refuted, over, replace(CONF, onset=ago(800))):
        assert not _ids(chart(75, "female", entry)) & {"pneumonia", "delirium"}, entry


def test_curb65_is_quoted_when_the_record_computes_it() -> None:
    ref = Reference("Lim", "Thorax", 2003, "Defining community acquired pneumonia severity")
    score = ScoreResult("curb65", "CURB-65", Result("curb65", 3, "points", "group 3, severe pneumonia", ref))
    doc = draft_careplan(chart(75, "female", PNEU), FakeRisk(scores=(score,)), use_model=False)
    assert "(computed from the record: CURB-65 3 points: group 3, severe pneumonia)" in text(doc, "interventions")
    assert "computed from the record" not in text(draft(chart(75, "female", PNEU)), "interventions")


def test_vaccines_line_links_to_the_copd_line_instead_of_repeating_it() -> None:
    alone = text(draft(chart(75, "female", PNEU)), "interventions")
    assert "Influenza and pneumococcal vaccination: offer once recovered" in alone
    with_copd = text(draft(chart(75, "female", COPD, PNEU)), "interventions")
    assert "offer once recovered" not in with_copd and "pneumococcal" in with_copd  # the COPD line


def test_delirium_names_the_patients_sedative_and_the_co2_retainer_cause() -> None:
    doc = draft(chart(80, "female", COPD, CONF, med("m-lz", "lorazepam 1 MG Oral Tablet")))
    plan = text(doc, "interventions")
    assert "Review lorazepam (benzodiazepine)" in plan and "do not stop it abruptly" in plan
    assert "CO2 retention (COPD: oxygen to 88-92 %" in plan
    assert "Avoid physical restraint and sedatives" in plan and "assess for dementia" in plan
    assert "Family and friends help most" in text(doc, "patient")
    plain = text(draft(chart(80, "female", CONF)), "interventions")
    assert "88-92" not in plain and "Review medicines that cause or worsen delirium" in plain


def test_patient_in_the_emergency_department_is_not_told_of_home_follow_ups() -> None:
    here = text(draft(chart(75, "female", PNEU, _ed())), "patient")
    assert "Once you are home, your next check-up will be in about" in here
    assert "home readings" not in here
    home = text(draft(chart(75, "female", PNEU, _ed("finished", 3))), "patient")
    assert "Your next check-up: in" in home
    old_open = text(draft(chart(75, "female", PNEU, _ed(days=90))), "patient")  # never closed by the source
    assert "Your next check-up: in" in old_open


def test_doris_plan_has_both_templates_and_one_oxygen_target() -> None:
    doc = draft_careplan(demo_record("04"), None, use_model=False)
    assert {"pneumonia", "delirium", "copd"} <= {c.concept for c in doc.conditions}
    assert "no care-plan template" not in text(doc, "problems")
    goals = [i.text for i in doc.items("goals")]
    assert [g for g in goals if g.startswith("Oxygen saturation")] == [
        next(g for g in goals if "88-92 %" in g)]
    patient = text(doc, "patient")
    assert "will contact you today" not in patient and "home readings" not in patient
    assert "Delirium is a sudden confusion" in patient and "Pneumonia is an infection of the lungs" in patient


def test_clinician_follow_up_in_acute_care_speaks_to_the_treating_team() -> None:
    """Doris is in resus: "Contact the patient today" reads as if she were at home (templ17's
    leftover). In acute care the same-day lines go to the treating team; at home they are unchanged."""
    doc = draft_careplan(demo_record("04"), None, use_model=False)
    follow = text(doc, "followup")
    assert "Contact the patient" not in follow
    assert "Treating team today (the patient is in emergency or inpatient care)" in follow
    assert "after discharge" in follow
    home = text(draft(chart(75, "female", PNEU, _ed("finished", 3))), "followup")
    assert "Treating team" not in home


def test_acute_kidney_flag_puts_creatinine_and_potassium_due_now_in_the_plan() -> None:
    """Reader 17c (Doris): the AKI/AKD flag asks for creatinine within 24-48 h and daily while
    unwell, yet the plan had no creatinine or potassium line (while DXA was 'due now')."""
    doc = draft_careplan(demo_record("04"), None, use_model=False)
    lines = [i.text for i in doc.items("monitoring") if "acute kidney injury/disease" in i.text]
    assert lines and "due now" in lines[0]


def test_routine_tests_wait_for_recovery_while_in_acute_care() -> None:
    """Reader 17c (Doris in resus): "DXA bone density ... due now" and "Calcium and vitamin D ... due
    now" beside the emergency; routine tests of chronic problems are for after recovery, while the
    episode's own tests (4AT, the creatinine the AKI flag asks for) stay due now."""
    doc = draft_careplan(demo_record("04"), None, use_model=False)
    lines = {i.text.split(":")[0]: i for i in doc.items("monitoring")}
    dxa = lines["DXA bone density"]
    assert "after recovery" in dxa.text and "due now" not in dxa.text and dxa.state == "due-soon"
    assert lines["Creatinine, potassium and sodium"].state == "due"
    assert next(i for k, i in lines.items() if k.startswith("Cognition")).state == "due"
    assert "DXA" not in text(doc, "rationale").split("Tests due or overdue")[-1].split(".")[0]
    home = draft(chart(75, "female", cond("c-op", "64859006", "Osteoporosis", ago(2000)), _ed("finished", 3)))
    assert "due now" in next(i.text for i in home.items("monitoring") if i.text.startswith("DXA"))
