"""Flags an internist found missing: stroke with no antithrombotic, ChEI with a slowing drug, an old bad result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_chart_builder import AF, AS_OF, STROKE, Chart, ago

from assistant.clinical.flags import evaluate
from assistant.records.domain import SNOMED, Coding, Medication, Procedure
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord
from support import SHARED_FHIR

ISCHAEMIC = ("422504002", "Ischemic stroke")
TIA = ("266257000", "Transient ischemic attack")
ICH = ("274100004", "Cerebral hemorrhage")
ASPIRIN = ("Aspirin 81 MG Oral Tablet", "243670")
APIXABAN = ("Apixaban 5 MG Oral Tablet", "")
CREATININE, EGFR, POTASSIUM = "2160-0", "33914-3", "2823-3"


def flags(c: Chart) -> dict:
    return {f.id: f for f in evaluate(c.build(), AS_OF).flags}


# --- secondary stroke prevention --------------------------------------------------------------
def test_resolved_ischaemic_stroke_without_antithrombotic_is_a_high_gap() -> None:
    c = Chart(age=65)
    ref = c.cond(*ISCHAEMIC, days=4900, active=False, abated_days=4880)
    f = flags(c)["gap:antithrombotic:stroke"]
    year = (AS_OF - timedelta(days=4900)).year
    assert f.severity == "high" and f.category == "care gap"
    assert f.title == f"Ischemic stroke ({year}) without an antiplatelet or anticoagulant"
    assert f.evidence == (ref,) and "Kleindorfer" in f.reference and "Stroke 2021" in f.reference
    assert "resolved" in f.explanation and "type not recorded" not in f.explanation


@pytest.mark.parametrize("med,status,flagged", [
    (ASPIRIN, "active", False),
    (APIXABAN, "active", False),
    (ASPIRIN, "stopped", True),  # medicines must be current
])
def test_only_a_current_antithrombotic_closes_the_gap(med, status, flagged) -> None:
    c = Chart()
    c.cond(*TIA, days=800)
    c.med(*med, status=status)
    assert ("gap:antithrombotic:stroke" in flags(c)) is flagged


def test_unspecified_stroke_counts_but_a_haemorrhage_alone_does_not() -> None:
    unspecified = Chart()
    unspecified.cond(*STROKE, days=3000)
    f = flags(unspecified)["gap:antithrombotic:stroke"]
    assert "type not recorded" in f.title and "not a haemorrhage" in f.explanation
    haemorrhage = Chart()
    haemorrhage.cond(*ICH, days=3000)
    assert "gap:antithrombotic:stroke" not in flags(haemorrhage)
    icd = Chart()
    icd.cond("", "Nontraumatic intracerebral hemorrhage", days=3000, icd="I61.9")
    assert "gap:antithrombotic:stroke" not in flags(icd)
    both = Chart()
    both.cond(*STROKE, days=3000)
    both.cond(*ICH, days=3000)
    assert "gap:antithrombotic:stroke" not in flags(both)
    typed = Chart()
    typed.cond(*ISCHAEMIC, days=3000)
    typed.cond(*ICH, days=2900)
    assert flags(typed)["gap:antithrombotic:stroke"].severity == "moderate"  # the stroke team's call


def _stroke_treated(c: Chart, days: float, alteplase_days: float) -> tuple[str, str]:
    """A 'Cerebrovascular accident' with alteplase and a thrombectomy for it; the two refs."""
    c.cond(*STROKE, days=days)
    drug = c.med("Alteplase 100 MG Injection", "1804799", days=alteplase_days, status="stopped")
    proc = c._add(Procedure(id=c._id(), patient_id=c.patient.id, status="completed",
                            code=Coding(SNOMED, "433112001", "Percutaneous mechanical thrombectomy"),
                            performed_start=ago(days), reason="Cerebrovascular accident"))
    return drug, proc


def _stopped(c: Chart, name: str, days: float, ended: float | None, why: str = "") -> str:
    return c._add(Medication(id=c._id(), patient_id=c.patient.id, code=Coding("", "", name), name=name,
                             status="stopped", intent="order", start=ago(days),
                             end=None if ended is None else ago(ended), status_reason=why))


def test_an_uncoded_stroke_treated_by_thrombolysis_or_thrombectomy_is_ischaemic() -> None:
    c = Chart(age=65)
    drug, proc = _stroke_treated(c, 4880, 4880)
    clop = _stopped(c, "Clopidogrel 75 MG Oral Tablet", 4880, 4500)
    f = flags(c)["gap:antithrombotic:stroke"]
    year, ended = (AS_OF - timedelta(days=4880)).year, (AS_OF - timedelta(days=4500)).date().isoformat()
    assert f.title == (f"Cerebrovascular accident ({year}, ischaemic: thrombolysis (alteplase) and "
                       f"thrombectomy) without an antiplatelet or anticoagulant (clopidogrel stopped "
                       f"{ended}, reason not recorded: ask why)")
    assert "not a haemorrhage" not in f.explanation and "it was ischaemic" in f.explanation
    assert f"was stopped on {ended} and no reason is recorded: ask why" in f.explanation
    assert {drug, proc, clop} <= set(f.evidence) and "Stroke 2019;50:e344" in f.reference


def test_thrombolysis_long_after_the_stroke_does_not_type_it_and_a_stop_reason_is_shown() -> None:
    c = Chart(age=65)
    _stroke_treated(c, 4880, 1000)  # alteplase years later (e.g. for a pulmonary embolism)
    c.entries = [e for e in c.entries if not isinstance(e, Procedure)]
    _stopped(c, "Clopidogrel 75 MG Oral Tablet", 4880, 4500, why="Gastrointestinal hemorrhage")
    f = flags(c)["gap:antithrombotic:stroke"]
    assert "type not recorded" in f.title and "not a haemorrhage" in f.explanation
    assert f.title.endswith("(Gastrointestinal hemorrhage))") and "ask why" not in f.title


def test_no_stroke_gap_for_a_deceased_patient() -> None:
    c = Chart(deceased=True)
    c.cond(*ISCHAEMIC, days=3000)
    assert list(flags(c)) == ["info:deceased"]


def test_stroke_with_af_and_no_anticoagulant_is_one_flag() -> None:
    c = Chart(age=72)
    c.cond(*AF, days=2000)
    c.cond(*ISCHAEMIC, days=1500)
    f = flags(c)
    assert "gap:antithrombotic:stroke" not in f
    lead = f["score:cha2ds2_vasc:untreated"]
    assert any(p.startswith("Ischemic stroke") and "oral anticoagulant" in p for p in lead.points)


# --- cholinesterase inhibitors with drugs that slow the heart ---------------------------------
@pytest.mark.parametrize("chei,other,fid", [
    ("Galantamine 4 MG Oral Tablet", "24 HR metoprolol succinate 100 MG Extended Release Oral Tablet",
     "ddi:galantamine+metoprolol"),
    ("Donepezil hydrochloride 10 MG Oral Tablet", "Bisoprolol fumarate 5 MG Oral Tablet",
     "ddi:donepezil+bisoprolol"),
    ("Donepezil hydrochloride 10 MG Oral Tablet", "Digoxin 0.125 MG Oral Tablet", "ddi:donepezil+digoxin"),
    ("Rivastigmine 1.5 MG Oral Capsule", "Diltiazem 120 MG Oral Capsule", "ddi:rivastigmine+diltiazem"),
    ("Galantamine 4 MG Oral Tablet", "Verapamil Hydrochloride 40 MG", "ddi:galantamine+verapamil"),
])
def test_cholinesterase_inhibitor_with_a_bradycardic_drug(chei, other, fid) -> None:
    c = Chart(age=79)
    c.med(chei)
    c.med(other)
    f = flags(c)[fid]
    assert f.severity == "moderate" and f.category == "medication"
    assert "bradycardia" in f.explanation and "syncope" in f.explanation and "BNF" in f.reference


def test_cholinesterase_inhibitor_with_a_dihydropyridine_is_no_interaction() -> None:
    c = Chart(age=79)
    c.med("Galantamine 4 MG Oral Tablet")
    c.med("Amlodipine 5 MG Oral Tablet", "197361")
    assert not [i for i in flags(c) if i.startswith("ddi:")]


# --- a markedly abnormal last result that is too old ------------------------------------------
def test_old_severely_reduced_creatinine_is_flagged_for_recheck() -> None:
    c = Chart(age=75)
    c.obs(CREATININE, 2.62, "mg/dL", days=1250)
    c.obs(CREATININE, 3.16, "mg/dL", days=880)
    last = c.obs(CREATININE, 3.44, "mg/dL", days=520)
    c.obs(EGFR, 79.1, "mL/min/{1.73_m2}", days=520)  # the source's implausible eGFR, same day
    f = flags(c)
    assert [i for i in f if "creatinine" in i or "egfr" in i] == ["stale:creatinine"]
    flag = f["stale:creatinine"]
    assert flag.severity == "moderate" and flag.category == "lab" and flag.evidence[0] == last
    assert flag.title.startswith("Kidney function severely reduced on the last result (creatinine "
                                 "3.44 mg/dL, eGFR ~")
    assert "too old to judge as current - recheck now" in flag.title and "KDIGO" in flag.reference
    assert "to act on" not in flag.title + flag.explanation
    assert "79.1" in flag.explanation and "does not match" in flag.explanation


CONFLICT = "more likely a sample, unit or laboratory error than kidney disease, or acute kidney injury"


def test_a_normal_creatinine_between_high_ones_is_a_conflict_not_a_diagnosis() -> None:
    c = Chart(sex="female", age=59)
    c.obs(CREATININE, 0.94, "mg/dL", days=4000)
    c.obs(CREATININE, 2.76, "mg/dL", days=4000, hours=1)  # same day, three times higher
    c.obs(CREATININE, 3.06, "mg/dL", days=700)
    normal = c.obs(CREATININE, 0.81, "mg/dL", days=550)
    last = c.obs(CREATININE, 2.81, "mg/dL", days=400)
    flag = flags(c)["stale:creatinine"]
    day = lambda d: (AS_OF - timedelta(days=d)).date().isoformat()  # noqa: E731
    assert flag.title == (f"Creatinine results conflict (0.81 mg/dL on {day(550)}, 2.81 on {day(400)}; "
                          f"0.94 and 2.76 on the same day, {day(4000)}): {CONFLICT} - recheck once")
    assert "severely reduced" not in flag.title + flag.explanation
    assert flag.severity == "moderate" and flag.evidence[:2] == (last, normal)
    assert "too old to judge as current" in flag.explanation


def test_a_same_day_disagreement_alone_is_a_conflict() -> None:
    c = Chart(age=70)
    c.obs(CREATININE, 0.9, "mg/dL", days=500, hours=3)
    c.obs(CREATININE, 2.9, "mg/dL", days=500)
    flag = flags(c)["stale:creatinine"]
    assert flag.title.startswith("Creatinine results conflict (0.9 and 2.9 mg/dL on the same day, ")


def test_a_normal_value_long_before_a_steady_rise_is_no_conflict() -> None:
    c = Chart(age=70)
    c.obs(CREATININE, 0.9, "mg/dL", days=3000)  # normal years ago, then progressive disease
    c.obs(CREATININE, 1.9, "mg/dL", days=1500)
    c.obs(CREATININE, 2.9, "mg/dL", days=1000)
    c.obs(CREATININE, 3.4, "mg/dL", days=500)
    assert flags(c)["stale:creatinine"].title.startswith("Kidney function severely reduced")


def test_no_old_result_flag_when_a_recent_value_exists_or_the_old_one_was_fine() -> None:
    recent = Chart(age=75)
    recent.obs(CREATININE, 3.44, "mg/dL", days=520)
    recent.obs(CREATININE, 1.0, "mg/dL", days=100)
    assert not [i for i in flags(recent) if i.startswith("stale:")]
    fine = Chart(age=75)
    fine.obs(CREATININE, 1.1, "mg/dL", days=520)
    fine.obs(POTASSIUM, 5.5, "mmol/L", days=520)  # abnormal, not critical: no recheck flag
    assert not [i for i in flags(fine) if i.startswith("stale:")]


def test_old_low_egfr_and_creatinine_are_one_kidney_flag() -> None:
    c = Chart(age=75)
    c.obs(CREATININE, 3.44, "mg/dL", days=520)
    c.obs(EGFR, 17, "mL/min/{1.73_m2}", days=500)
    f = flags(c)
    kidney = [i for i in f if i.startswith("stale:")]
    assert len(kidney) == 1 and f[kidney[0]].points


def test_any_old_critical_value_gets_a_recheck_flag_but_never_critical() -> None:
    c = Chart()
    c.obs(POTASSIUM, 6.8, "mmol/L", days=500)
    f = flags(c)
    assert f["stale:potassium"].severity == "moderate"
    assert f["stale:potassium"].title.startswith("Potassium critically high on the last result (6.8 mmol/L")
    assert not [i for i in f if i.startswith("lab:potassium")]
    recent = Chart()
    recent.obs(POTASSIUM, 6.8, "mmol/L", days=100)
    f = flags(recent)
    assert "stale:potassium" not in f and f["lab:potassium:critically-high"].severity == "high"


# --- the three real charts the internist read ------------------------------------------------
@pytest.mark.parametrize("name,fid,severity,words", [
    ("Brant_Jacobson", "gap:antithrombotic:stroke", "high",
     "Stroke (2013, ischaemic: thrombolysis (alteplase) and thrombectomy) without an antiplatelet or "
     "anticoagulant (clopidogrel stopped, reason not recorded: ask why)"),
    ("Reba_Nolan", "gap:antithrombotic:stroke", "high", "Stroke (1988, type not recorded)"),
    ("Tommy_Friesen", "ddi:galantamine+metoprolol", "moderate", "galantamine + metoprolol"),
    ("Cody_Larson", "stale:creatinine", "moderate", "creatinine 3.44 mg/dL, eGFR ~18, 2020-07-03"),
    ("Louie_Jast", "stale:creatinine", "moderate", "Kidney function severely reduced on the last result"),
    ("Beatriz_Salazar", "stale:creatinine", "moderate",
     "Creatinine results conflict (0.81 mg/dL on 2020-06-07, 2.81 on 2021-01-10; 0.94 and 2.76 on the same "
     "day, 2013-12-22)"),
])
def test_the_synthea_charts_now_show_the_missing_flag(name, fid, severity, words) -> None:
    paths = sorted(SHARED_FHIR.glob(f"{name}_*.json")) if SHARED_FHIR.is_dir() else []
    if not paths:
        pytest.skip("shared Synthea bundles (../shared/fhir/synthea-r4) not present")
    parsed = parse_file(paths[0])
    record = PatientRecord.build(parsed.patients[0], parsed.entries)
    report = evaluate(record, AS_OF.replace(year=2026, month=12))
    ids = [f.id for f in report.flags]
    assert len(ids) == len(set(ids)) and ids.count(fid) == 1
    f = next(f for f in report.flags if f.id == fid)
    assert f.severity == severity and words in f.title
    assert [x.severity for x in report.flags] == sorted((x.severity for x in report.flags),
                                                        key=("critical", "high", "moderate", "info").index)
