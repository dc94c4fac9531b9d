"""Care-plan recommendations only for patients who qualify (careplan_eligibility.toml), acute templates, current problems."""

from __future__ import annotations

import pytest
from careplan_support import (
    ago,
    chart,
    cond,
    demo_record,
    draft,
    lab,
    med,
    synthea_records,
    text,
)

from assistant.assist.careplan.drafting import draft_careplan
from assistant.assist.careplan.eligibility import tables
from assistant.assist.careplan.problems import DeceasedPatientError
from assistant.assist.careplan.statins import statin_intensity
from assistant.assist.careplan.templates import load_templates
from assistant.errors import BadInputError
from assistant.records.record import PatientRecord

ANAEMIA = cond("c-an", "271737000", "Anemia (disorder)", ago(3000))
OBESE = cond("c-ob", "162864005", "Body mass index 30+ - obesity (finding)", ago(3000))
PREDM = cond("c-pd", "15777000", "Prediabetes", ago(3000))


def test_every_rule_is_sourced_and_names_an_existing_item() -> None:
    keys = set()
    for t in load_templates():
        keys |= {f"intervention:{t.id}:{k}" for k, _ in t.interventions}
        keys |= {f"medication:{t.id}:{m.key}" for m in t.medications}
        keys |= {f"goal:{t.id}:{g.key}" for g in t.goals}
        keys |= {f"education:{t.id}:{n}" for n in range(len(t.education))}
    for rule in tables().rules:
        assert rule.source, rule.item
        assert rule.item.startswith("medicine:") or rule.item in keys, rule.item


def test_no_iron_unless_haemoglobin_or_ferritin_is_low_now() -> None:
    normal = draft(chart(77, "female", ANAEMIA, lab("hb", "718-7", 15.6, "g/dL", ago(30))))
    assert "Oral iron" not in text(normal) and "iron tablets" not in text(normal)
    old_low = draft(chart(77, "female", ANAEMIA, lab("hb", "718-7", 9.0, "g/dL", ago(2000))))
    assert "Oral iron" not in text(old_low)  # too old to count as low now
    low = draft(chart(77, "female", ANAEMIA, lab("hb", "718-7", 9.0, "g/dL", ago(10))))
    assert "Oral iron" in text(low, "interventions")


def test_obesity_medicine_and_bariatric_referral_only_within_the_criteria() -> None:
    bmi31 = draft(chart(40, "male", OBESE, lab("bmi", "39156-5", 31, "kg/m2", ago(20))))
    assert "anti-obesity medication" in text(bmi31, "interventions")
    assert "bariatric" not in text(bmi31)
    bmi41 = draft(chart(40, "male", OBESE, lab("bmi", "39156-5", 41, "kg/m2", ago(20))))
    assert "bariatric" in text(bmi41, "interventions")
    old = draft(chart(88, "female", OBESE, lab("bmi", "39156-5", 41, "kg/m2", ago(20))))
    assert "bariatric" not in text(old)  # age limit
    stale = draft(chart(40, "male", OBESE, lab("bmi", "39156-5", 41, "kg/m2", ago(2000))))
    assert "bariatric" not in text(stale) and "anti-obesity" not in text(stale).lower()


def test_prediabetes_metformin_only_under_60_with_bmi_35() -> None:
    old = draft(chart(88, "female", PREDM, lab("bmi", "39156-5", 36, "kg/m2", ago(20))))
    assert "metformin" not in text(old, "medications").lower()
    young = draft(chart(45, "female", PREDM, lab("bmi", "39156-5", 36, "kg/m2", ago(20))))
    assert "Consider Metformin" in text(young, "medications")


def test_statin_intensity_from_the_acc_aha_table() -> None:
    assert statin_intensity("Simvastatin 20 MG Oral Tablet")[1] == "moderate"
    assert statin_intensity("Simvastatin 10 MG Oral Tablet")[1] == "low"
    assert statin_intensity("atorvastatin 40 MG Oral Tablet")[1] == "high"
    assert statin_intensity("Rosuvastatin 10 MG")[1] == "moderate"


def test_nsaid_with_clopidogrel_is_stopped_and_the_antiplatelet_named() -> None:
    rec = chart(88, "female", cond("c-chd", "53741008", "Coronary Heart Disease", ago(5000)),
                cond("c-oa", "239873007", "Osteoarthritis of knee", ago(5000)),
                med("m-clo", "Clopidogrel 75 MG Oral Tablet"), med("m-nap", "Naproxen sodium 220 MG Oral Tablet"),
                med("m-sim", "Simvastatin 20 MG Oral Tablet"))
    doc = draft(rec)
    meds = text(doc, "medications")
    assert "Stop now: Naproxen" in meds and "clopidogrel" in meds
    assert "High-intensity" not in meds and "moderate-intensity statin (simvastatin 20 mg" in meds
    patient = text(doc, "patient")
    assert "Keep taking clopidogrel and simvastatin" in patient and "aspirin (or your other" not in patient
    assert "lowest dose for the shortest time" not in patient and "Stop taking naproxen" in patient
    assert "nitroglycerin" not in text(doc).lower()  # no angina, no nitrate


def test_hba1c_target_by_age_and_an_old_value_is_never_at_target() -> None:
    dm = cond("c-dm", "44054006", "Type 2 diabetes mellitus", ago(5000))
    young = draft(chart(50, "male", dm, lab("a1c", "4548-4", 6.5, "%", ago(30))))
    assert next(i for i in young.items("goals") if i.key == "goal:hba1c").target == "< 7.0 %"
    old = draft(chart(77, "female", dm, lab("a1c", "4548-4", 6.0, "%", ago(2400))))
    goal = next(i for i in old.items("goals") if i.key == "goal:hba1c")
    assert goal.state == "too-old" and "too old" in goal.text and "at target" not in goal.text
    assert goal.target.startswith("< 7.0-7.5 %")
    frail = draft(chart(84, "female", dm, cond("c-dem", "26929004", "Alzheimer's disease", ago(900)),
                        lab("a1c", "4548-4", 8.4, "%", ago(30))))
    goal = next(i for i in frail.items("goals") if i.key == "goal:hba1c")
    assert "avoid hypoglycaemia" in goal.target and goal.state == "unassessed"


def test_acute_templates_apply_from_the_lab_without_a_coded_condition() -> None:
    hypo = draft(chart(70, "male", lab("g", "2345-7", 48, "mg/dL", ago(2))))
    assert "hypoglycemia" in {c.concept for c in hypo.conditions}
    assert any(i.interval == "today" for i in hypo.items("followup"))
    aki = draft(chart(70, "male", lab("cr0", "2160-0", 1.0, "mg/dL", ago(6)), lab("cr1", "2160-0", 1.6, "mg/dL", ago(1)),
                      med("m-ibu", "Ibuprofen 400 MG Oral Tablet")))
    assert "aki" in {c.concept for c in aki.conditions} and "KDIGO" in text(aki, "problems")
    assert "Stop now: Ibuprofen" in text(aki, "medications")
    normal = draft(chart(70, "male", lab("k", "2823-3", 4.5, "mmol/L", ago(2))))
    assert "hyperkalemia" not in {c.concept for c in normal.conditions}


def test_cornelius_hyperkalaemia_same_day_with_the_culprits_held() -> None:
    doc = draft_careplan(demo_record("03"), use_model=False)
    assert "Hyperkalemia: no care-plan template" not in text(doc)
    assert "hyperkalemia" in {c.concept for c in doc.conditions}
    assert any("Contact the patient today" in i.text for i in doc.items("followup"))
    assert "within 1 week to resolve" not in text(doc, "followup")
    assert "titrated to target doses" not in text(doc)
    meds = text(doc, "medications")
    assert "Hold now: spironolactone" in meds and "Hold now: lisinopril" in meds
    assert "keep taking them" not in text(doc, "patient")
    assert "nitroglycerin" not in text(doc).lower()
    k = next(i for i in doc.items("monitoring") if "Potassium" in i.text)
    assert k.state == "now" and "up to date" not in k.text and "repeat today" in k.text


def test_miscarriage_decades_ago_is_not_a_current_problem_and_findings_fold() -> None:
    dm = cond("c-dm", "44054006", "Type 2 diabetes mellitus", ago(5000))
    rec = chart(77, "female", dm, PREDM, cond("c-mc", "19169002", "Miscarriage in first trimester", ago(17000)))
    problems = text(draft(rec), "problems")
    assert "Miscarriage" not in problems and "Prediabetes: no care-plan template" not in problems
    assert "also recorded: Prediabetes" in problems


def test_a_deceased_patient_gets_no_draft() -> None:
    rec = chart(80, "male", ANAEMIA, deceased=True)
    with pytest.raises(DeceasedPatientError, match="deceased") as e:
        draft(rec)
    assert isinstance(e.value, BadInputError)


def _synthea(shared_fhir, family: str) -> PatientRecord:
    for rec in synthea_records(shared_fhir):
        if rec.patient.family.startswith(family):
            return rec
    pytest.skip(f"{family} not in the shared bundles")


def test_synthea_latanya_kohler(shared_fhir) -> None:
    doc = draft_careplan(_synthea(shared_fhir, "Kohler"), use_model=False)
    all_text = text(doc)
    assert "Oral iron" not in all_text and "Miscarriage" not in text(doc, "problems")
    assert "anti-obesity" not in all_text.lower()
    assert "ages 40-75" not in all_text and "shared decision" in text(doc, "medications")
    goal = next(i for i in doc.items("goals") if i.key == "goal:hba1c")
    assert goal.state == "too-old" and "(at target)" not in goal.text


def test_synthea_arla_lang(shared_fhir) -> None:
    doc = draft_careplan(_synthea(shared_fhir, "Lang"), use_model=False)
    all_text = text(doc)
    assert "bariatric" not in all_text and "metformin" not in all_text.lower()
    assert "High-intensity statin for" not in all_text and "lose at least 7 %" not in all_text
    assert "aspirin (or your other antiplatelet)" not in all_text and "Keep taking clopidogrel" in all_text
    assert "Stop now: Naproxen" in text(doc, "medications") and "lowest dose for the shortest time" not in all_text


def test_anaemia_on_the_problem_list_with_normal_haemoglobin_gets_no_anaemia_plan() -> None:
    for sex, hb in (("female", 15.6), ("male", 13.8)):
        doc = draft(chart(77, sex, ANAEMIA, lab("hb", "718-7", hb, "g/dL", ago(30))))
        assert "anemia" not in {c.concept for c in doc.conditions}
        assert "Ferritin" not in text(doc) and "look for the cause" not in text(doc, "patient")
        assert "Anaemia on the problem list, but haemoglobin" in text(doc, "problems") and f"{hb}" in text(doc, "problems")
        assert "Anaemia" not in text(doc, "followup") and "Haemoglobin" not in text(doc, "monitoring")
    low = draft(chart(77, "male", ANAEMIA, lab("hb", "718-7", 11.0, "g/dL", ago(30))))
    assert "anemia" in {c.concept for c in low.conditions} and "Ferritin" in text(low)


def test_no_prediabetes_hba1c_target_at_75_or_with_dementia() -> None:
    a1c = lab("a1c", "4548-4", 6.0, "%", ago(30))
    young = draft(chart(60, "female", PREDM, a1c))
    assert "5.7" not in text(young)  # ADA section 3 sets no HbA1c target for prediabetes at any age
    for rec in (chart(88, "female", PREDM, a1c),
                chart(70, "female", PREDM, a1c, cond("c-dem", "26929004", "Alzheimer's disease", ago(900)))):
        doc = draft(rec)
        assert "5.7 %" not in text(doc, "goals") and "5.7" not in text(doc, "patient")


def test_no_oral_nsaid_advice_for_older_or_at_risk_patients() -> None:
    oa = cond("c-oa", "239873007", "Osteoarthritis of knee", ago(5000))
    young = draft(chart(50, "male", oa))
    assert "lowest dose for the shortest time" in text(young, "patient")
    for rec in (chart(77, "female", oa), chart(50, "male", oa, med("m-w", "Warfarin 5 MG Oral Tablet")),
                chart(50, "male", oa, med("m-h", "Hydrochlorothiazide 25 MG Oral Tablet")),
                chart(50, "male", oa, lab("sbp", "8480-6", 150, "mm[Hg]", ago(10)))):
        doc = draft(rec)
        assert "lowest dose" not in text(doc), text(doc, "medications")
        assert "Avoid oral NSAIDs" in text(doc, "medications") and "Do not take anti-inflammatory" in text(doc, "patient")


def test_copd_oxygen_target_is_88_to_92_when_acutely_ill_on_oxygen_or_hypercapnic() -> None:
    copd = cond("c-copd", "13645005", "Chronic obstructive lung disease", ago(3000))
    exacerbation = cond("c-ex", "195951007", "Acute exacerbation of COPD", ago(10))
    doc = draft(chart(70, "female", copd, exacerbation, lab("o2", "59408-5", 89, "%", ago(5))))
    goal = next(i for i in doc.items("goals") if i.key == "goal:spo2")
    assert goal.target.startswith("88-92 %") and goal.state == "at-target"
    assert "at least 92" not in text(doc, "patient")
    # Stable on air (BTS 2017 ranges are for oxygen therapy): 89 % is a reason to assess for
    # long-term oxygen (NICE NG115), not "at target".
    stable = draft(chart(70, "female", copd, lab("o2", "59408-5", 89, "%", ago(5))))
    goal = next(i for i in stable.items("goals") if i.key == "goal:spo2")
    assert goal.state == "below-target" and "long-term oxygen" in goal.text


def test_no_weight_loss_programme_at_80_or_with_bmi_under_30_alone() -> None:
    for rec in (chart(88, "female", OBESE, lab("bmi", "39156-5", 29.998, "kg/m2", ago(20))),
                chart(85, "male", OBESE, lab("bmi", "39156-5", 33, "kg/m2", ago(20))),
                chart(50, "male", OBESE, lab("bmi", "39156-5", 29, "kg/m2", ago(20)))):
        doc = draft(rec)
        assert "lifestyle programme" not in text(doc) and "500-750 kcal" not in text(doc)
        assert "5 in every 100 kg" not in text(doc, "patient") and "Monthly contact" not in text(doc, "followup")
        assert "no weight-loss programme drafted" in text(doc, "problems")
    assert "500-750 kcal" in text(draft(chart(50, "male", OBESE, lab("bmi", "39156-5", 31, "kg/m2", ago(20)))))
