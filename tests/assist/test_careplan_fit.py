"""Care-plan lines that must fit the patient's own data (issue 14): urgency, follow-up, add-on drugs, course medicines, old acute problems."""

from __future__ import annotations

from datetime import datetime, timedelta

from assist_fixtures import FakeRisk, make_flag
from careplan_support import PID, ago, chart, cond, draft, lab, med, text

from assistant.assist.careplan.drafting import draft_careplan
from assistant.records.domain import (
    LOINC,
    SNOMED,
    Coding,
    Medication,
    Observation,
)


def smoking(oid: str, answer: str, when: datetime) -> Observation:
    return Observation(id=oid, patient_id=PID, code=Coding(LOINC, "72166-2", "Tobacco smoking status"),
                       value_text=answer, effective=when, category="social-history", status="final")


T2DM = cond("c-dm", "44054006", "Diabetes mellitus type 2", ago(3000))
CKD = cond("c-ckd", "433144002", "Chronic kidney disease stage 3", ago(2000))
HTN = cond("c-htn", "59621000", "Essential hypertension", ago(4000))
LIPIDS = cond("c-hl", "55822004", "Hyperlipidemia", ago(3000))
COPD = cond("c-copd", "13645005", "Chronic obstructive lung disease", ago(3000))
AF = cond("c-af", "49436004", "Atrial fibrillation", ago(2000))


def test_sglt2_only_with_ckd_hf_or_ascvd_or_hba1c_above_target() -> None:
    plain = draft(chart(57, "female", T2DM, lab("a1", "4548-4", 6.4, "%", ago(40)),
                        lab("e1", "33914-3", 75, "mL/min/{1.73_m2}", ago(40))))
    assert "consider:sglt2" not in {i.key for i in plain.items("medications")}
    high = draft(chart(57, "female", T2DM, lab("a1", "4548-4", 8.2, "%", ago(40)),
                       lab("e1", "33914-3", 75, "mL/min/{1.73_m2}", ago(40))))
    (line,) = [i for i in high.items("medications") if i.key == "consider:sglt2"]
    assert "glucose-lowering option" in line.text
    kidney = draft(chart(57, "female", T2DM, CKD, lab("a1", "4548-4", 6.4, "%", ago(40))))
    assert "consider:sglt2" in {i.key for i in kidney.items("medications")}


def test_ezetimibe_and_statin_advice_follow_the_statin_actually_taken() -> None:
    ldl = lab("l1", "18262-6", 131, "mg/dL", ago(30))
    none = draft(chart(60, "male", LIPIDS, ldl))
    keys = {i.key for i in none.items("medications")}
    assert "consider:ezetimibe" not in keys and "consider:statin" in keys
    assert "Statins are safe" not in text(none, "patient")  # no statin to keep taking
    moderate = draft(chart(60, "male", LIPIDS, ldl, med("m1", "Simvastatin 20 MG Oral Tablet")))
    assert "consider:ezetimibe" not in {i.key for i in moderate.items("medications")}
    assert "Statins are safe" in text(moderate, "patient")
    high = draft(chart(60, "male", LIPIDS, ldl, med("m1", "Atorvastatin 80 MG Oral Tablet")))
    assert "consider:ezetimibe" in {i.key for i in high.items("medications")}


def test_moderate_statin_with_diabetes_ckd_and_ldl_above_70_is_intensified() -> None:
    doc = draft(chart(67, "male", T2DM, CKD, HTN, lab("l1", "18262-6", 94, "mg/dL", ago(30)),
                      med("m1", "Simvastatin 20 MG Oral Tablet")))
    (statin,) = [i for i in doc.items("medications") if "Simvastatin" in i.text]
    assert statin.state == "intensify" and "high-intensity statin" in statin.text
    at_goal = draft(chart(67, "male", T2DM, CKD, HTN, lab("l1", "18262-6", 62, "mg/dL", ago(30)),
                          med("m1", "Simvastatin 20 MG Oral Tablet")))
    assert not [i for i in at_goal.items("medications") if i.state == "intensify"]


def test_stop_smoking_lines_only_for_current_smokers() -> None:
    former = draft(chart(75, "female", COPD, smoking("s1", "Ex-smoker", ago(60))))
    assert "Stopping smoking is the most important" not in text(former, "patient")
    assert "intervention:copd:smoking" not in {i.key for i in former.items("interventions")}
    current = draft(chart(75, "female", COPD, smoking("s1", "Current every day smoker", ago(60))))
    assert "Stopping smoking is the most important" in text(current, "patient")
    assert "intervention:copd:smoking" in {i.key for i in current.items("interventions")}


def test_copd_review_is_sooner_after_a_recent_exacerbation() -> None:
    routine = draft(chart(75, "female", COPD))
    assert "Next routine review in 3 months" in text(routine, "followup")
    recent = draft(chart(75, "female", COPD, cond("c-ex", "195951007", "Acute exacerbation of COPD", ago(14))))
    assert "Next routine review in 4-6 weeks" in text(recent, "followup")
    assert "in 3 months" not in text(recent, "patient")


def test_inr_above_range_with_an_nsaid_is_same_day_and_the_recheck_overdue() -> None:
    doc = draft(chart(78, "female", AF, med("w", "Warfarin sodium 5 MG Oral Tablet"),
                      med("i", "Ibuprofen 200 MG Oral Tablet", 40),
                      lab("n1", "6301-6", 3.8, "{INR}", ago(23)), lab("n0", "6301-6", 2.2, "{INR}", ago(80))))
    follow = text(doc, "followup")
    assert "Contact the patient today" in follow and "within 1 week" not in follow
    assert "critical safety" not in follow  # high flags made urgent by the INR rule, not critical ones
    (inr,) = [i for i in doc.items("monitoring") if i.key == "monitor:inr"]
    assert inr.state in ("now", "overdue") and "due soon" not in inr.text
    (warfarin,) = [i for i in doc.items("medications") if "Warfarin" in i.text]
    assert warfarin.state == "adjust"
    # Without the NSAID the INR of 3.8 (flagged high) is still a dose change: the weekly recheck
    # ("weekly while adjusting") is overdue 23 days later, not "due soon".
    alone = draft_careplan(chart(78, "female", AF, med("w", "Warfarin sodium 5 MG Oral Tablet"),
                        lab("n1", "6301-6", 3.8, "{INR}", ago(23)), lab("n0", "6301-6", 2.2, "{INR}", ago(80)),
                        lab("h1", "718-7", 11.2, "g/dL", ago(23))), use_model=False)
    (inr,) = [i for i in alone.items("monitoring") if i.key == "monitor:inr"]
    assert inr.state == "overdue"
    # A low haemoglobin on anticoagulation is rechecked with the INR, within a week.
    (hb,) = [i for i in alone.items("monitoring") if i.key == "monitor:hb"]
    assert hb.state == "overdue"
    assert "Contact the patient today" not in text(alone, "followup")


def test_heart_failure_weights_are_daily_now_when_weight_or_ntprobnp_rise() -> None:
    hf = cond("c-hf", "703272007", "Heart failure with reduced ejection fraction", ago(1500))
    stable = draft(chart(72, "male", hf, lab("w0", "29463-7", 86.4, "kg", ago(170)),
                         lab("w1", "29463-7", 86.6, "kg", ago(17))))
    (w,) = [i for i in stable.items("monitoring") if i.key == "monitor:weight"]
    assert w.state != "now"
    congested = draft(chart(72, "male", hf, lab("w0", "29463-7", 86.4, "kg", ago(170)),
                            lab("w1", "29463-7", 88.6, "kg", ago(17))))
    (w,) = [i for i in congested.items("monitoring") if i.key == "monitor:weight"]
    assert w.state == "now" and "daily weights" in w.text and "up to date" not in w.text


def test_a_course_medicine_listed_active_for_years_is_not_continued() -> None:
    doc = draft(chart(87, "male", AF, med("d", "1 ML DOCEtaxel 20 MG/ML Injection", 7000),
                      med("a", "Amoxicillin 500 MG Oral Capsule", 20)))
    (chemo,) = [i for i in doc.items("medications") if "DOCEtaxel" in i.text]
    assert chemo.state == "uncertain" and chemo.text.startswith("Status uncertain")
    (recent,) = [i for i in doc.items("medications") if "Amoxicillin" in i.text]
    assert recent.state == "on-record"  # a course started 20 days ago may well be current


def test_old_acute_problems_are_not_current() -> None:
    doc = draft(chart(61, "male", HTN, cond("c-od", "55680006", "Drug overdose", ago(12000)),
                      cond("c-mo", "196416002", "Impacted molars", ago(12400)),
                      cond("c-st", "43878008", "Streptococcal sore throat", ago(10))))
    problems = text(doc, "problems")
    assert "Drug overdose" not in problems and "Impacted molars" not in problems
    assert "Streptococcal sore throat" in problems  # recent: still current


def test_review_now_only_where_a_flag_asks_for_a_change() -> None:
    simva, amlo = med("s", "Simvastatin 20 MG Oral Tablet"), med("a", "Amlodipine 5 MG Oral Tablet")
    rec = chart(88, "female", LIPIDS, HTN, simva, amlo)
    within = make_flag("ddi:simvastatin+amlodipine", "Interaction: simvastatin + amlodipine (within the "
                       "simvastatin limit)", "info", evidence=(simva.ref, amlo.ref))
    doc = draft_careplan(rec, FakeRisk((within,)), use_model=False)
    assert not [i for i in doc.items("medications") if i.state == "flagged"]
    over = make_flag("ddi:simvastatin+amlodipine", "Interaction: simvastatin + amlodipine", "moderate",
                     evidence=(simva.ref, amlo.ref))
    doc = draft_careplan(rec, FakeRisk((over,)), use_model=False)
    assert len([i for i in doc.items("medications") if i.state == "flagged"]) == 2


def test_coded_obesity_with_every_recent_bmi_below_30_reads_as_overweight() -> None:
    obese = cond("c-ob", "162864005", "Body mass index 30+ - obesity (finding)", ago(5000))
    bmis = [lab(f"b{n}", "39156-5", v, "kg/m2", ago(d)) for n, (v, d) in
            enumerate([(30.3, 5000), (27.8, 1900), (27.8, 1500), (27.8, 1100)])]
    doc = draft(chart(65, "male", HTN, obese, *bmis))
    problems = text(doc, "problems")
    assert "overweight, not obesity now" in problems and "every BMI since" in problems
    # A reading that rounds to 30 is obesity: no such line.
    near = [lab("b9", "39156-5", 29.998, "kg/m2", ago(1100)), lab("b8", "39156-5", 29.998, "kg/m2", ago(1500))]
    assert "overweight, not obesity" not in text(draft(chart(88, "female", obese, *near)), "problems")


def test_beta_blocker_suggested_only_with_its_coronary_indications() -> None:
    chd = cond("c-chd", "53741008", "Coronary arteriosclerosis", ago(4000))
    stable = draft(chart(70, "male", chd))
    assert "consider:betablocker" not in {i.key for i in stable.items("medications")}
    low_ef = draft(chart(70, "male", chd, lab("ef", "10230-1", 39, "%", ago(60))))
    assert "consider:betablocker" in {i.key for i in low_ef.items("medications")}


def test_congested_heart_failure_gets_a_diuretic_review_and_no_potassium_rich_diet_in_ckd() -> None:
    hf = cond("c-hf", "703272007", "Heart failure with reduced ejection fraction", ago(1500))
    doc = draft(chart(72, "male", hf, HTN, CKD, lab("w0", "29463-7", 86.4, "kg", ago(170)),
                      lab("w1", "29463-7", 88.6, "kg", ago(17))))
    steps = text(doc, "interventions")
    assert "euvolaemic" not in steps and "review the loop diuretic dose" in steps
    assert "potassium-rich diet unless" not in steps and "no potassium-rich diet" in steps
    assert "blood sugar" not in text(doc, "patient")  # no diabetes


def test_stroke_without_an_antithrombotic_says_start_one() -> None:
    stroke = cond("c-st", "230690007", "Cerebrovascular accident", ago(4000))
    doc = draft(chart(65, "male", stroke, HTN))
    (line,) = [i for i in doc.items("medications") if i.key == "consider:antithrombotic"]
    assert "start an antiplatelet" in line.text
    on = draft(chart(65, "male", stroke, HTN, med("c", "Clopidogrel 75 MG Oral Tablet")))
    assert "consider:antithrombotic" not in {i.key for i in on.items("medications")}


def test_oral_nsaid_at_77_with_a_thiazide_is_stopped_not_reviewed() -> None:
    oa = cond("c-oa", "239873007", "Osteoarthritis of knee", ago(3000))
    doc = draft(chart(77, "female", oa, HTN, med("n", "Naproxen sodium 220 MG Oral Tablet"),
                      med("h", "Hydrochlorothiazide 25 MG Oral Tablet")))
    (nsaid,) = [i for i in doc.items("medications") if "Naproxen" in i.text]
    assert nsaid.state == "stop" and "hydrochlorothiazide" in nsaid.text and "age 75" in nsaid.text
    young = draft(chart(50, "female", oa, med("n", "Naproxen sodium 220 MG Oral Tablet")))
    (nsaid,) = [i for i in young.items("medications") if "Naproxen" in i.text]
    assert nsaid.state != "stop"


def test_hypoglycaemia_teaching_only_with_insulin_or_a_sulfonylurea() -> None:
    hba1c = lab("a1", "4548-4", 8.1, "%", ago(30))
    metformin = draft(chart(60, "male", T2DM, hba1c, med("m", "Metformin hydrochloride 500 MG Oral Tablet")))
    assert "low blood sugar" not in text(metformin, "patient")
    sulfonylurea = draft(chart(60, "male", T2DM, hba1c, med("g", "Glipizide 5 MG Oral Tablet")))
    assert "low blood sugar" in text(sulfonylurea, "patient")


def test_warfarin_for_af_at_cha2ds2_vasc_0_is_an_indication_question_not_do_not_stop() -> None:
    warfarin = med("w", "Warfarin Sodium 5 MG Oral Tablet", 2000)
    doc = draft_careplan(chart(62, "male", AF, warfarin), use_model=False)  # flags evaluated on the chart
    (line,) = [i for i in doc.items("medications") if "Warfarin" in i.text]
    assert line.text.startswith("Confirm the indication now") and "plan to stop" in line.text
    assert "CHA2DS2-VA is 0" in line.text and line.state == "confirm"
    assert "Do not stop it" not in text(doc, "patient")
    assert "Anticoagulant without a recorded indication" in text(doc, "flags")
    # A score of 2 (hypertension, age 65-74) is an indication: the usual advice stays.
    usual = draft_careplan(chart(70, "male", AF, HTN, warfarin), use_model=False)
    (line,) = [i for i in usual.items("medications") if "Warfarin" in i.text]
    assert not line.text.startswith("Confirm the indication")
    assert "Do not stop it" in text(usual, "patient")


def test_amoxicillin_with_penicillin_anaphylaxis_is_stopped_and_the_patient_told() -> None:
    from assistant.records.domain import Allergy

    pen = Allergy(id="al", patient_id=PID, substance="Penicillin", code=Coding(SNOMED, "764146007", "Penicillin"),
                  reaction="Anaphylaxis", criticality="high", category="medication", clinical_status="active",
                  recorded=ago(3000))
    amox = Medication(id="a", patient_id=PID, name="Amoxicillin 500 MG Oral Capsule", status="active",
                      start=ago(3), code=Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "308191", "amoxicillin"))
    throat = cond("c-st", "43878008", "Streptococcal sore throat", ago(4))
    doc = draft_careplan(chart(34, "female", throat, pen, amox), use_model=False)
    (line,) = [i for i in doc.items("medications") if "Amoxicillin" in i.text]
    assert line.state == "stop" and line.text.startswith("Stop now") and "allergy to Penicillin" in line.text
    patient = text(doc, "patient")
    assert "Do not take amoxicillin" in patient and "allergic to Penicillin" in patient
    assert "a test result" not in patient and "today about one of your medicines" in patient
    (alt,) = [i for i in doc.items("medications") if i.key.startswith("alternative:")]
    assert alt.text.startswith("Clinician decision") and "clarithromycin" in alt.text and "NG84" in alt.source
    # Without a condition the table names, no alternative is suggested.
    bare = draft_careplan(chart(34, "female", pen, amox), use_model=False)
    assert not [i for i in bare.items("medications") if i.key.startswith("alternative:")]


def note(nid: str, body: str, when: datetime) -> object:
    from assistant.records.domain import Note

    return Note(id=nid, patient_id=PID, title="Clinic note", date=when, text=body)


def test_inr_above_range_is_not_called_critical_and_a_recorded_dose_change_is_not_repeated() -> None:
    warfarin = med("w", "Warfarin sodium 5 MG Oral Tablet", 2000)
    inr = Observation(id="n1", patient_id=PID, code=Coding(LOINC, "6301-6", "INR"), value=3.8, unit="{INR}",
                      effective=ago(23), category="laboratory", status="final", reference_low=2.0, reference_high=3.0)
    base = (AF, warfarin, med("i", "Ibuprofen 200 MG Oral Tablet", 40), inr)
    doc = draft_careplan(chart(78, "female", *base), use_model=False)
    (mon,) = [i for i in doc.items("monitoring") if i.key == "monitor:inr"]
    assert "critical" not in mon.text and "above range: repeat today" in mon.text
    (line,) = [i for i in doc.items("medications") if "Warfarin" in i.text]
    assert line.state == "adjust" and "omit or reduce" in line.text
    changed = draft_careplan(chart(78, "female", *base, note("d1", "INR 3.8. Plan: omit warfarin tonight, then 4 mg "
                                                               "daily (reduced weekly dose).", ago(23) + timedelta(hours=1))),
                             use_model=False)
    (line,) = [i for i in changed.items("medications") if "Warfarin" in i.text]
    assert line.state == "adjusted" and "omit or reduce" not in line.text
    assert f"changed on {ago(23).date().isoformat()}" in line.text and "recheck the INR as planned" in line.text
    # "Dose unchanged" and a note before the INR do not count.
    same = draft_careplan(chart(78, "female", *base, note("d1", "Warfarin dose: 5 mg, unchanged. No need to "
                                                           "omit warfarin.", ago(23) + timedelta(hours=1)),
                                note("d0", "Omit warfarin tonight.", ago(60))), use_model=False)
    (line,) = [i for i in same.items("medications") if "Warfarin" in i.text]
    assert line.state == "adjust"


def test_recorded_ecg_changes_make_hyperkalaemia_an_emergency_now() -> None:
    k = lab("k1", "2823-3", 6.1, "mmol/L", ago(17))
    plain = draft_careplan(chart(72, "male", HTN, k), use_model=False)
    (ecg,) = [i for i in plain.items("interventions") if i.key == "intervention:hyperkalemia:ecg"]
    assert ecg.text.startswith("Hyperkalaemia: 12-lead ECG now")
    peaked = draft_careplan(chart(72, "male", HTN, k, note("e1", "ECG today: tall peaked T waves V2-V4 (new).",
                                                          ago(17) + timedelta(hours=1))), use_model=False)
    (ecg,) = [i for i in peaked.items("interventions") if i.key == "intervention:hyperkalemia:ecg"]
    assert ecg.text.startswith(f"Hyperkalaemia: ECG changes recorded on {(ago(17) + timedelta(hours=1)).date().isoformat()}")
    assert "treat as an emergency now" in ecg.text
    normal = draft_careplan(chart(72, "male", HTN, k, note("e1", "ECG: sinus rhythm, no peaked T waves.",
                                                          ago(17) + timedelta(hours=1))), use_model=False)
    (ecg,) = [i for i in normal.items("interventions") if i.key == "intervention:hyperkalemia:ecg"]
    assert ecg.text.startswith("Hyperkalaemia: 12-lead ECG now")


def test_copd_on_air_without_hypercapnia_gets_no_88_to_92_target() -> None:
    spo2 = lab("o1", "59408-5", 94, "%", ago(30))
    stable = draft(chart(85, "male", COPD, spo2))
    (goal,) = [i for i in stable.items("goals") if i.key == "goal:spo2"]
    assert "88-92 % (COPD" not in goal.text and "above 92 %" in goal.text
    assert "assess for long-term oxygen (NICE NG115)" in goal.text and goal.state == "at-target"
    assert "between 88 and 92" not in text(stable, "patient")
    low = draft(chart(85, "male", COPD, lab("o1", "59408-5", 90, "%", ago(30))))
    (goal,) = [i for i in low.items("goals") if i.key == "goal:spo2"]
    assert goal.state == "below-target"
    # After a recent exacerbation (acute illness) the BTS 88-92 % range stays.
    acute = draft(chart(75, "female", COPD, spo2, cond("c-ex", "195951007", "Acute exacerbation of COPD", ago(14))))
    (goal,) = [i for i in acute.items("goals") if i.key == "goal:spo2"]
    assert "88-92 %" in goal.text
    hypercapnic = draft(chart(75, "female", COPD, spo2, cond("c-hc", "29596007", "Hypercapnia", ago(900))))
    (goal,) = [i for i in hypercapnic.items("goals") if i.key == "goal:spo2"]
    assert "88-92 %" in goal.text


def test_a_value_inside_a_critical_score_is_not_called_a_critical_value() -> None:
    spo2 = lab("o1", "59408-5", 88, "%", ago(1))
    rec = chart(75, "female", COPD, cond("c-ex", "195951007", "Acute exacerbation of COPD", ago(14)), spo2)
    news2 = make_flag("score:news2", "NEWS2 14", "critical", category="score", evidence=(spo2.ref,))
    doc = draft_careplan(rec, FakeRisk((news2,)), use_model=False)
    (mon,) = [i for i in doc.items("monitoring") if i.key == "monitor:spo2"]
    assert "critical value" not in mon.text and "part of a critical NEWS2 14: reassess today" in mon.text
    potassium = lab("k1", "2823-3", 6.6, "mmol/L", ago(1))
    k_flag = make_flag("lab:potassium:critically-high", "Potassium critically high", "critical",
                       category="lab", evidence=(potassium.ref,))
    doc = draft_careplan(chart(72, "male", HTN, potassium), FakeRisk((k_flag,)), use_model=False)
    (mon,) = [i for i in doc.items("monitoring") if i.key == "monitor:potassium"]
    assert "critical value: repeat today" in mon.text


def test_risk_equations_only_in_primary_prevention() -> None:
    # Cody Larson (shared Synthea): coronary disease since 1999 was told to estimate 10-year ASCVD
    # risk to choose a statin; with established disease the equations do not apply (ACC/AHA 2018).
    lipids = cond("c-hl", "55822004", "Hyperlipidemia", ago(3000))
    secondary = draft(chart(70, "male", lipids, cond("c-chd", "53741008", "Coronary heart disease", ago(9000))))
    assert "Estimate 10-year ASCVD risk" not in text(secondary)
    assert "risk equations do not apply" in text(secondary)
    primary = draft(chart(55, "male", lipids))
    assert "Estimate 10-year ASCVD risk" in text(primary)


def test_a_statin_named_by_another_spelling_or_brand_counts_with_its_intensity() -> None:
    """Reader 17 (Louie Jast, 76): 'Simvistatin 10 MG, 1' (Synthea's spelling, a synonym in
    drug_ingredients.csv) was a statin to the class table but not to the intensity table, so the plan
    said "starting a moderate-intensity statin" to a patient on one since 2015."""
    from assistant.assist.careplan.statins import statin_intensity

    assert statin_intensity("Simvistatin 10 MG, 1") == ("simvastatin", "low", 10.0)
    assert statin_intensity("Zocor 40 MG Oral Tablet") == ("simvastatin", "moderate", 40.0)
    assert statin_intensity("Nystatin 100000 UNT/ML Oral Suspension") is None  # not a statin, whole words only
    ldl = lab("l1", "18262-6", 133, "mg/dL", ago(30))
    taking = draft(chart(76, "female", LIPIDS, ldl, med("m1", "Simvistatin 10 MG, 1")))
    assert "starting a moderate-intensity statin" not in text(taking)
    assert "consider:statin" not in {i.key for i in taking.items("medications")}  # the statin is there
    (line,) = [i for i in taking.items("medications") if "Simvistatin" in i.text]
    assert "low-intensity statin (simvastatin 10 mg" in line.text
    none = draft(chart(76, "female", LIPIDS, ldl))
    assert "starting a moderate-intensity statin" in text(none)


def test_statin_after_stroke_over_75_is_a_shared_decision_not_high_intensity() -> None:
    """Reader 17b (Reba Nolan, 76, stroke 1988): "High-intensity statin for atherosclerotic stroke"
    at 76; over 75, ACC/AHA 2018 finds moderate or high intensity reasonable after discussion (IIa),
    as the coronary-disease line already says."""
    stroke = cond("c-st", "230690007", "Cerebrovascular accident", ago(13000))
    old = [i.text for i in draft(chart(76, "female", stroke)).items("medications") if i.key == "consider:statin"]
    assert old and "Over 75 after a stroke: a moderate- or high-intensity statin is reasonable" in old[0]
    young = [i.text for i in draft(chart(65, "female", stroke)).items("medications") if i.key == "consider:statin"]
    assert young and "High-intensity statin for atherosclerotic stroke" in young[0]
