"""Care-plan lines an internist found misleading (reader14b): monitoring vs goal, prediabetes, overdose, joint, bisphosphonate."""

from __future__ import annotations

from assist_fixtures import FakeRisk, make_flag
from careplan_support import PID, ago, chart, cond, draft, lab, med, text

from assistant.assist.careplan.drafting import draft_careplan
from assistant.records.domain import Coding, Encounter

PREDM = cond("c-pd", "15777000", "Prediabetes", ago(3000))
A1C = lab("a1c", "4548-4", 6.2, "%", ago(30))
OVERDOSE = "55680006"


def _visit(eid: str, reason: str, days: int) -> Encounter:
    return Encounter(id=eid, patient_id=PID, type=Coding("http://snomed.info/sct", "50849002", "Emergency Room Admission"),
                     class_code="EMER", status="finished", start=ago(days), reason=reason)


def test_spo2_at_the_goal_is_not_an_abnormal_value_in_monitoring() -> None:
    # COPD with a recent exacerbation: the goal is 88-92 %; a (historical) NEWS2 flag cites SpO2 88 %.
    spo2 = lab("o-spo2", "59408-5", 88, "%", ago(20))
    rec = chart(75, "female", cond("c-copd", "13645005", "COPD", ago(3000)),
                cond("c-ex", "195951007", "Acute exacerbation of COPD", ago(22)), spo2)
    risk = FakeRisk((make_flag("score:news2", "NEWS2 14 (historical)", "info", category="score",
                               evidence=("Observation/o-spo2",)),))
    doc = draft_careplan(rec, risk, use_model=False)
    goal = next(i.text for i in doc.items("goals") if i.text.startswith("Oxygen saturation"))
    line = next(i.text for i in doc.items("monitoring") if i.text.startswith("Pulse oximetry"))
    assert "(at target)" in goal
    assert "abnormal" not in line and "critical" not in line, line


def test_prediabetes_has_no_hba1c_target_and_says_yearly_test_and_lifestyle() -> None:
    for age in (61, 62):
        doc = draft(chart(age, "male", PREDM, A1C))
        assert "5.7" not in text(doc) and "normal range" not in text(doc)
        assert "HbA1c or fasting glucose: yearly" in text(doc, "monitoring")
        assert "lifestyle programme" in text(doc, "interventions")
        assert "once a year" in text(doc, "patient")
    lean = draft(chart(61, "male", PREDM, A1C, lab("bmi", "39156-5", 23, "kg/m2", ago(20))))
    assert "Lifestyle advice" in text(lean, "interventions") and "no HbA1c target" in text(lean, "interventions")


def test_prediabetes_wording_fits_an_88_year_old() -> None:
    doc = draft(chart(88, "female", PREDM, A1C))
    assert "back to normal" not in text(doc, "patient")
    assert "not diabetes" in text(doc, "patient")
    assert "back to normal" in text(draft(chart(61, "male", PREDM, A1C)), "patient")


def test_overdose_in_the_last_five_years_gets_a_safety_item() -> None:
    for rec in (chart(61, "male", cond("c-od", OVERDOSE, "Drug overdose", ago(900))),
                chart(61, "male", _visit("e-od", "Drug overdose", 700))):
        doc = draft(rec)
        problems, plan = text(doc, "problems"), text(doc, "interventions")
        assert "Overdose or poisoning" in problems and "Drug overdose on" in problems
        assert "suicidal thoughts" in plan and "drug use" in plan and "naloxone" in plan and "referral" in plan
        assert "DAST-10" in text(doc, "monitoring")
        patient = text(doc, "patient").lower()
        assert "not to judge" in patient and "harming yourself" in patient
        assert not any(w in patient for w in ("abuse", "addict", "misuse", "drug user"))
        assert "DAST" not in patient  # a screening score is not the patient's goal


def test_overdose_window_and_opioids() -> None:
    old = draft(chart(61, "male", cond("c-od", OVERDOSE, "Drug overdose", ago(3000)), lab("x", "2160-0", 1.0, "mg/dL", ago(10))))
    assert "Overdose" not in text(old)
    # A chart whose newest entry is from the overdose year: nothing newer shows it is in the past.
    stale = draft(chart(61, "male", _visit("e-od", "Drug overdose", 2250), lab("x", "2160-0", 1.0, "mg/dL", ago(2200))))
    assert "Overdose or poisoning" in text(stale, "problems")
    opioid = draft(chart(61, "male", _visit("e-od", "Drug overdose", 300), med("m-ox", "Oxycodone Hydrochloride 5 MG Oral Tablet")))
    assert "Opioids involved or prescribed: offer naloxone" in text(opioid, "interventions")
    assert "naloxone kit" in text(opioid, "patient")
    assert "naloxone kit" not in text(draft(chart(61, "male", _visit("e-od", "Drug overdose", 300))), "patient")


def test_osteoarthritis_lines_follow_the_joint() -> None:
    hand = draft(chart(85, "male", cond("c-oa", "201834006", "Localized, primary osteoarthritis of the hand", ago(5000))))
    lines = text(hand, "interventions")
    assert "knee/hip" not in lines and "joint replacement" not in lines
    assert "hand exercises" in lines and "joint protection" in lines and "topical NSAID" in lines
    for code, name in (("239873007", "Osteoarthritis of knee"), ("396275006", "Osteoarthritis")):
        lines = text(draft(chart(70, "female", cond("c-oa", code, name, ago(5000)))), "interventions")
        assert "Weight loss" in lines and "joint replacement" in lines and "hand exercises" not in lines


def test_long_term_bisphosphonate_and_acute_confusion() -> None:
    osteo = cond("c-op", "64859006", "Osteoporosis", ago(3000))
    long = draft(chart(75, "female", osteo, med("m-al", "alendronic acid 10 MG Oral Tablet", days=2700)))
    assert "drug holiday review due" in text(long, "interventions")
    assert "Drug holiday review due: alendronic acid" in text(long, "medications")
    assert "stay upright for 30 minutes" in text(long, "patient")
    short = draft(chart(75, "female", osteo, med("m-al", "alendronic acid 10 MG Oral Tablet", days=700)))
    assert "drug holiday" not in text(short).lower()
    confused = draft(chart(75, "female", osteo, med("m-al", "alendronic acid 10 MG Oral Tablet", days=2700),
                           cond("c-ac", "130987000", "Acute confusion", ago(1))))
    assert "stay upright" not in text(confused, "patient") and "paused while you are unwell" in text(confused, "patient")
    assert "Hold now: alendronic acid" in text(confused, "medications")
    assert "review on recovery" in text(confused, "medications")
