"""Medication safety: interactions, allergy cross-reactivity, drug-disease, renal dosing, duplicates."""

from __future__ import annotations

import pytest
from test_chart_builder import (
    AMOXICILLIN,
    AS_OF,
    CKD3,
    DEMENTIA,
    HF,
    IBUPROFEN,
    LISINOPRIL,
    METFORMIN,
    NAPROXEN,
    SPIRONOLACTONE,
    WARFARIN,
    Chart,
)

from assistant.clinical import knowledge
from assistant.clinical.extract import Chart as View
from assistant.clinical.medsafety import interaction_index, medication_flags
from assistant.clinical.rules.base import finalize


def flags(c: Chart, prefix: str = "") -> dict[str, object]:
    found = finalize(medication_flags(View(c.build(), AS_OF)))  # de-duplicated as evaluate() does
    return {f.id: f for f in found if f.id.startswith(prefix)}


# --- the interaction table -------------------------------------------------------------------
def test_interaction_table_size_severity_and_sources() -> None:
    rows = knowledge.read_csv("interactions.csv")
    assert len(rows) >= 60
    assert {r["severity"] for r in rows} <= {"critical", "high", "moderate"}
    assert all(r["mechanism"] and r["management"] and r["source"] for r in rows)
    pairs = {frozenset((r["a"], r["b"])) for r in rows}
    assert len(pairs) == len(rows), "a pair is listed twice"
    assert interaction_index()  # every ingredient and class in it is known (validated on load)


# --- drug-drug interactions ------------------------------------------------------------------
def test_warfarin_with_nsaid_is_high_with_both_refs() -> None:
    c = Chart()
    w = c.med(*WARFARIN)
    i = c.med(*IBUPROFEN)
    f = flags(c, "ddi:")
    assert set(f) == {"ddi:warfarin+ibuprofen"}
    flag = f["ddi:warfarin+ibuprofen"]
    assert flag.severity == "high" and flag.category == "medication"
    assert set(flag.evidence) == {w, i}
    assert "Phansalkar" in flag.reference and "Warfarin Sodium 5 MG" in flag.explanation


def test_interaction_found_whatever_the_order_of_entry() -> None:
    c = Chart()
    c.med(*IBUPROFEN, days=100)
    c.med(*WARFARIN, days=10)
    assert "ddi:warfarin+ibuprofen" in flags(c, "ddi:")


@pytest.mark.parametrize("a,b,fid,severity", [
    (LISINOPRIL, SPIRONOLACTONE, "ddi:lisinopril+spironolactone", "high"),
    (("Sildenafil 50 MG Oral Tablet", ""), ("Nitroglycerin 0.4 MG/ACTUAT Mucosal Spray", "705129"),
     "ddi:sildenafil+nitroglycerin", "critical"),
    (("Simvastatin 40 MG Oral Tablet", ""), ("Clarithromycin 500 MG Oral Tablet", ""),
     "ddi:simvastatin+clarithromycin", "critical"),
    (("Digoxin 0.125 MG Oral Tablet", "197604"), ("Verapamil Hydrochloride 40 MG", "897718"),
     "ddi:digoxin+verapamil", "high"),
    (("Simvastatin 40 MG Oral Tablet", ""), ("Amlodipine 5 MG Oral Tablet", "197361"),
     "ddi:simvastatin+amlodipine", "moderate"),
    # 20 mg is the labelled limit with amlodipine (FDA 2011): an info note, not a warning
    (("Simvastatin 20 MG Oral Tablet", "312961"), ("Amlodipine 5 MG Oral Tablet", "197361"),
     "ddi:simvastatin+amlodipine", "info"),
    (("Citalopram 20 MG Oral Tablet", ""), ("Ondansetron 4 MG Oral Tablet", ""),
     "ddi:citalopram+ondansetron", "moderate"),
    (("Tramadol 50 MG Oral Tablet", ""), ("Phenelzine 15 MG Oral Tablet", ""),
     "ddi:tramadol+phenelzine", "critical"),
])
def test_interaction_rows(a, b, fid, severity) -> None:
    c = Chart()
    c.med(*a)
    c.med(*b)
    f = flags(c, "ddi:")
    assert fid in f and f[fid].severity == severity


def test_the_most_severe_row_wins_for_a_pair() -> None:
    # pimozide + clarithromycin matches 'qt + qt' (moderate) and 'pimozide + qt' (critical)
    c = Chart()
    c.med("Pimozide 2 MG Oral Tablet")
    c.med("Clarithromycin 500 MG Oral Tablet")
    f = flags(c, "ddi:")
    assert list(f) == ["ddi:pimozide+clarithromycin"] and f["ddi:pimozide+clarithromycin"].severity == "critical"


def test_no_interaction_for_safe_pairs_renewals_or_stopped_meds() -> None:
    c = Chart()
    c.med("Acetaminophen 325 MG Oral Tablet", "313782")
    c.med("Amlodipine 5 MG Oral Tablet", "197361")
    assert flags(c, "ddi:") == {}
    renewal = Chart()
    renewal.med(*WARFARIN, days=100)
    renewal.med(*WARFARIN, days=10)
    renewal.obs("6301-6", 2.5, "{INR}", days=10, low=2, high=3)  # monitored: no INR-gap flag either
    assert flags(renewal) == {}
    stopped = Chart()
    stopped.med(*WARFARIN)
    stopped.med(*IBUPROFEN, status="stopped")
    assert flags(stopped, "ddi:") == {}
    future = Chart()
    future.med(*WARFARIN)
    future.med(*IBUPROFEN, days=-3)  # starts after as_of
    assert flags(future, "ddi:") == {}


# --- allergies -------------------------------------------------------------------------------
def test_penicillin_allergy_with_amoxicillin() -> None:
    c = Chart()
    a = c.allergy("Penicillin", "91936005", reaction="Urticaria")
    m = c.med(*AMOXICILLIN)
    f = flags(c, "allergy:")["allergy:penicillin+amoxicillin"]
    assert f.severity == "high" and f.category == "allergy" and set(f.evidence) == {a, m}
    assert "Khan" in f.reference and "Urticaria" in f.explanation


def test_anaphylaxis_or_high_criticality_makes_it_critical() -> None:
    c = Chart()
    c.allergy("Penicillin", reaction="Anaphylaxis")
    c.med(*AMOXICILLIN)
    assert flags(c, "allergy:")["allergy:penicillin+amoxicillin"].severity == "critical"
    d = Chart()
    d.allergy("Penicillin V", criticality="high")
    d.med("Penicillin V Potassium 250 MG Oral Tablet", "834061")
    assert flags(d, "allergy:")["allergy:penicillin+penicillin"].severity == "critical"


@pytest.mark.parametrize("allergen,med,fid,severity", [
    ("Penicillin", "Cephalexin 500 MG Oral Capsule", "allergy:penicillin+cephalexin", "moderate"),
    ("Penicillin", "Meropenem 1000 MG Injection", "allergy:penicillin+meropenem", "info"),
    ("Sulfa drugs", "Furosemide 40 MG Oral Tablet", "allergy:sulfonamide_antibiotic+furosemide", "info"),
    ("Sulfonamide antibiotics", "Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet",
     "allergy:sulfonamide_antibiotic+sulfamethoxazole", "high"),
    ("Aspirin", "Ibuprofen 200 MG Oral Tablet", "allergy:nsaid+ibuprofen", "high"),
    ("Lisinopril (angioedema)", "Losartan 50 MG Oral Tablet", "allergy:ace_inhibitor+losartan", "moderate"),
    ("Ibuprofen", "Ibuprofen 400 MG Oral Tablet", "allergy:ibuprofen+ibuprofen", "high"),
])
def test_allergy_cross_reactivity(allergen, med, fid, severity) -> None:
    c = Chart()
    c.allergy(allergen)
    c.med(med)
    f = flags(c, "allergy:")
    assert fid in f, f.keys()
    assert f[fid].severity == severity


def test_no_allergy_flag_for_food_inactive_or_unrelated() -> None:
    c = Chart()
    c.allergy("Allergy to nut", "91934008", category="food")
    c.allergy("Penicillin", status="inactive")
    c.allergy("Codeine")
    c.med(*AMOXICILLIN)
    c.med("Lisinopril 10 MG Oral Tablet", "314076")
    assert flags(c, "allergy:") == {}


# --- drug-disease and drug-lab ---------------------------------------------------------------
@pytest.mark.parametrize("cond,med,fid,severity", [
    (CKD3, NAPROXEN, "drug-disease:nsaid:ckd", "high"),
    (HF, IBUPROFEN, "drug-disease:nsaid:heart_failure", "high"),
    (HF, ("Verapamil Hydrochloride 40 MG", "897718"), "drug-disease:nondhp_ccb:heart_failure", "high"),
    (DEMENTIA, ("diphenhydrAMINE Hydrochloride 25 MG Oral Tablet", "1049630"),
     "drug-disease:anticholinergic:dementia", "high"),
    (("90560007", "Gout"), ("Hydrochlorothiazide 25 MG", "316049"), "drug-disease:thiazide:gout", "moderate"),
])
def test_drug_disease(cond, med, fid, severity) -> None:
    c = Chart()
    cref = c.cond(*cond)
    mref = c.med(*med)
    f = flags(c, "drug-disease:")
    assert fid in f and f[fid].severity == severity
    assert set(f[fid].evidence) == {cref, mref}


def test_no_drug_disease_when_the_condition_resolved() -> None:
    c = Chart()
    c.cond(*CKD3, active=False, abated_days=10)
    c.med(*NAPROXEN)
    assert "drug-disease:nsaid:ckd" not in flags(c)


@pytest.mark.parametrize("k,severity", [(5.6, "high"), (5.51, "high"), (5.5, "moderate"), (5.2, "moderate"),
                                        (5.0, None), (4.4, None)])
def test_potassium_on_potassium_raising_drugs(k, severity) -> None:
    c = Chart()
    c.med(*LISINOPRIL)
    c.obs("2823-3", k, "mmol/L", days=2)
    f = flags(c, "drug-disease:potassium_raising:potassium")
    assert (f["drug-disease:potassium_raising:potassium"].severity if f else None) == severity


def test_potassium_flag_lists_every_potassium_raising_drug() -> None:
    c = Chart()
    lis = c.med(*LISINOPRIL)
    spi = c.med(*SPIRONOLACTONE)
    k = c.obs("2823-3", 6.1, "mmol/L", days=2)
    f = flags(c)["drug-disease:potassium_raising:potassium"]
    assert set(f.evidence) == {lis, spi, k} and "6.1 mmol/L" in f.explanation


def test_digoxin_with_hypokalaemia() -> None:
    c = Chart()
    c.med("Digoxin 0.125 MG Oral Tablet", "197604")
    c.obs("2823-3", 3.2, "mmol/L", days=2)
    assert flags(c)["drug-disease:digoxin:potassium"].severity == "high"


# --- renal dosing ----------------------------------------------------------------------------
@pytest.mark.parametrize("egfr,severity", [(29, "critical"), (29.9, "critical"), (30, "moderate"),
                                           (44, "moderate"), (45, None), (80, None)])
def test_metformin_by_egfr(egfr, severity) -> None:
    c = Chart()
    c.med(*METFORMIN)
    c.obs("33914-3", egfr, "mL/min/{1.73_m2}", days=10)
    f = flags(c, "renal:metformin")
    assert (f["renal:metformin"].severity if f else None) == severity


@pytest.mark.parametrize("dose_text,egfr,severity", [
    ("Take 2 tablets (1,000 mg) by mouth once daily.", 40, "info"),  # at the KDIGO 2022 limit
    ("Take 2 tablets by mouth twice daily.", 40, "moderate"),  # 2000 mg a day at eGFR 30-44
    ("Take 1 tablet (500 mg) by mouth twice daily.", 25, "critical"),  # contraindicated < 30
])
def test_metformin_dose_by_egfr_band(dose_text, egfr, severity) -> None:
    from dataclasses import replace

    c = Chart()
    ref = c.med("Metformin hydrochloride 500 MG Oral Tablet", "861007")
    c.obs("33914-3", egfr, "mL/min/{1.73_m2}", days=10)
    c.entries = [replace(e, dose_text=dose_text) if e.ref == ref else e for e in c.entries]
    f = flags(c, "renal:metformin")["renal:metformin"]
    assert f.severity == severity


def test_daily_dose_parsing() -> None:
    from assistant.clinical.extract.doses import daily_dose_mg
    from assistant.clinical.extract.drugs import resolve
    from assistant.records.domain import Coding, Medication

    def dose(name: str, text: str = "", freq: str = "") -> float | None:
        d = daily_dose_mg(resolve(Medication("m", "p", code=Coding("", "", name), name=name,
                                             dose_text=text, frequency=freq)))
        return None if d is None else d.mg

    assert dose("Simvastatin 20 MG Oral Tablet") == 20
    assert dose("Simvastatin 40 MG Oral Tablet", "Take 1 tablet (40 mg) at night.", "once daily") == 40
    assert dose("Ibuprofen 200 MG Oral Tablet", "Take 2 tablets (400 mg) three times daily.") == 1200
    assert dose("Digoxin 0.125 MG Oral Tablet", "Take 1 tablet (125 micrograms) once daily.") == 0.125
    assert dose("Acetaminophen 325 MG / Oxycodone 5 MG Oral Tablet") is None  # two ingredients


def test_nsaid_renal_thresholds_and_old_egfr() -> None:
    c = Chart()
    c.med(*IBUPROFEN)
    c.obs("33914-3", 25, "mL/min/{1.73_m2}", days=10)
    assert flags(c, "renal:")["renal:nsaid"].severity == "high"
    old = Chart()
    m = old.med(*IBUPROFEN)
    old.obs("33914-3", 25, "mL/min/{1.73_m2}", days=400)  # outside the lab window
    f = flags(old, "renal:")
    assert list(f) == ["renal:no-egfr"] and f["renal:no-egfr"].severity == "info"
    no_egfr = f["renal:no-egfr"]
    assert no_egfr.evidence[0] == m and no_egfr.missing
    # the old eGFR is cited as too old, not called missing
    assert len(no_egfr.evidence) == 2 and "too old" in no_egfr.explanation


def test_renal_flag_from_computed_egfr() -> None:
    c = Chart(sex="male", age=80)
    c.med(*METFORMIN)
    creat = c.obs("2160-0", 2.6, "mg/dL", days=3)  # CKD-EPI 2021 about 23
    f = flags(c, "renal:")["renal:metformin"]
    assert f.severity == "critical" and creat in f.evidence and "CKD-EPI 2021" in f.explanation


# --- duplicates ------------------------------------------------------------------------------
def test_same_ingredient_in_two_products() -> None:
    c = Chart()
    a = c.med("Lasix 40mg", "315971")
    b = c.med("10 ML Furosemide 10 MG/ML Injection", "1719286")
    f = flags(c, "duplicate:")
    assert list(f) == ["duplicate:furosemide"] and set(f["duplicate:furosemide"].evidence) == {a, b}


def test_two_nsaids_and_acetaminophen_combinations() -> None:
    c = Chart()
    ibu = c.med(*IBUPROFEN)
    nap = c.med(*NAPROXEN)
    apap = c.med("Acetaminophen 325 MG Oral Tablet", "313782")
    combo = c.med("Acetaminophen 325 MG / HYDROcodone Bitartrate 7.5 MG Oral Tablet", "857005")
    f = flags(c, "duplicate:")
    assert f["duplicate:class:nsaid"].severity == "high"
    assert set(f["duplicate:class:nsaid"].evidence) == {ibu, nap}
    assert "Naproxen" in f["duplicate:class:nsaid"].explanation
    assert set(f["duplicate:acetaminophen"].evidence) == {apap, combo}


def test_renewal_of_one_product_is_not_duplicate() -> None:
    c = Chart()
    c.med(*METFORMIN, days=300)
    c.med(*METFORMIN, days=10)
    assert flags(c, "duplicate:") == {}
