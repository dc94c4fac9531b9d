"""Record-to-input extraction: code tables, windows, units, provenance and what is missing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_chart_builder import (
    AF,
    AS_OF,
    CIRRHOSIS,
    DIABETES,
    HF,
    HTN,
    IBUPROFEN,
    MI,
    STROKE,
    WARFARIN,
    Chart,
)

from assistant.clinical import knowledge
from assistant.clinical.calculators import get
from assistant.clinical.extract import (
    Chart as View,
)
from assistant.clinical.extract import (
    concept_index,
    extract_inputs,
    ingredients_in_text,
    resolve,
)
from assistant.errors import BadInputError
from assistant.records.domain import ICD10, RXNORM, SNOMED, Coding, Medication

TABLES = ["allergen_groups.csv", "allergy_cross_reactivity.csv", "calculator_inputs.csv",
          "condition_map.csv", "drug_class_info.csv", "drug_disease.csv", "drug_ingredients.csv",
          "duplicate_classes.csv", "interactions.csv", "lab_reference_ranges.csv", "loinc_map.csv",
          "renal_dosing.csv", "rxnorm_ingredients.csv", "units.csv", "value_precision.csv"]


@pytest.mark.parametrize("name", TABLES)
def test_every_table_row_has_a_source(name: str) -> None:
    rows = knowledge.read_csv(name)
    assert rows, name
    assert all(r["source"] for r in rows)


def test_knowledge_dir_can_be_relocated(tmp_path, monkeypatch) -> None:
    (tmp_path / "loinc_map.csv").write_text("analyte,loinc,source\nx,1-1,test\n", encoding="utf-8")
    monkeypatch.setenv(knowledge.ENV_DIR, str(tmp_path))
    knowledge.clear_caches()
    try:
        assert knowledge.knowledge_path("loinc_map.csv") == tmp_path / "loinc_map.csv"
        assert knowledge.read_csv("loinc_map.csv")[0]["analyte"] == "x"
        with pytest.raises(knowledge.KnowledgeError):
            knowledge.read_csv("interactions.csv")  # not there: an installation error, clearly named
    finally:
        monkeypatch.delenv(knowledge.ENV_DIR)
        knowledge.clear_caches()


def test_row_without_source_is_refused(tmp_path, monkeypatch) -> None:
    (tmp_path / "t.csv").write_text("a,source\n1,\n", encoding="utf-8")
    monkeypatch.setenv(knowledge.ENV_DIR, str(tmp_path))
    knowledge.clear_caches()
    try:
        with pytest.raises(knowledge.KnowledgeError, match="no source"):
            knowledge.read_csv("t.csv")
    finally:
        monkeypatch.delenv(knowledge.ENV_DIR)
        knowledge.clear_caches()


# --- medications -----------------------------------------------------------------------------
def _med(name: str, code: str = "", system: str = RXNORM) -> Medication:
    return Medication(id="m", patient_id="p", code=Coding(system, code, name), name=name, status="active")


def test_rxnorm_code_maps_to_ingredients_and_classes() -> None:
    r = resolve(_med("Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet", "562251"))
    assert r.via == "rxnorm"
    assert r.ingredients == ("amoxicillin", "clavulanate")
    assert "penicillin" in r.classes and r.has("class:penicillin") and r.has("amoxicillin")


def test_brand_names_typos_and_salts_by_name() -> None:
    assert resolve(_med("Lasix 40mg", "999999999")).ingredients == ("furosemide",)
    assert resolve(_med("Simvistatin 10 MG")).ingredients == ("simvastatin",)
    # 'Penicillin V Potassium' is penicillin, not a potassium supplement
    pen = resolve(_med("Penicillin V Potassium 250 MG Oral Tablet", "1"))
    assert pen.ingredients == ("penicillin",) and not pen.has("class:potassium_supplement")
    assert ingredients_in_text("Yaz 28 Day Pack") == {"drospirenone", "ethinyl estradiol"}
    assert ingredients_in_text("Acetaminophen 325 MG / HYDROcodone Bitartrate") == {
        "acetaminophen", "hydrocodone"}


def test_unknown_medication_resolves_to_nothing() -> None:
    r = resolve(_med("Mystery elixir 5 ML", "123"))
    assert r.ingredients == () and r.classes == frozenset() and r.via == ""


def test_every_shared_synthea_medication_maps_to_an_ingredient(shared_fhir) -> None:
    import json

    seen: dict[str, str] = {}
    for path in shared_fhir.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data.get("entry", []):
            res = entry.get("resource", {})
            if res.get("resourceType") != "MedicationRequest":
                continue
            cc = res.get("medicationCodeableConcept") or {}
            for c in cc.get("coding", []):
                seen[c["code"]] = c.get("display", "")
    assert len(seen) > 40
    unmapped = {code: name for code, name in seen.items()
                if not resolve(_med(name, code)).ingredients}
    assert unmapped == {}
    from assistant.clinical.extract.drugs import rxcui_ingredients

    assert set(seen) <= set(rxcui_ingredients())  # every code is in the table, not just matched by name


# --- conditions ------------------------------------------------------------------------------
def test_concepts_from_snomed_and_icd10_prefixes() -> None:
    index = concept_index()
    assert index.concepts_for((Coding(SNOMED, "49436004"),)) == {"atrial_fibrillation"}
    assert "atrial_fibrillation" in index.concepts_for((Coding(ICD10, "I48.91"),))
    assert {"ckd", "diabetes"} <= index.concepts_for((Coding(SNOMED, "127013003"),))
    assert {"ascvd", "vascular_disease"} <= index.concepts_for((Coding(SNOMED, MI[0]),))
    assert index.concepts_for((Coding(SNOMED, "444814009"),)) == frozenset()  # viral sinusitis


def test_resolved_history_counts_but_resolved_disease_does_not() -> None:
    c = Chart()
    c.cond(*STROKE, days=3000, active=False, abated_days=2900)
    c.cond(*HTN, days=3000, active=False, abated_days=2900)
    view = View(c.build(), AS_OF)
    assert view.has("stroke_tia") and view.has("ascvd")
    assert not view.has("hypertension")


def test_condition_active_at_as_of_uses_onset_and_abatement() -> None:
    c = Chart()
    c.cond(*HTN, days=100, active=False, abated_days=10)
    rec = c.build()
    assert View(rec, AS_OF).has("hypertension") is False
    assert View(rec, AS_OF - timedelta(days=50)).has("hypertension")
    assert not View(rec, AS_OF - timedelta(days=200)).has("hypertension")


# --- calculator inputs -----------------------------------------------------------------------
def test_cha2ds2_vasc_inputs_with_sources() -> None:
    c = Chart(sex="female", age=76)
    af = c.cond(*AF)
    hf = c.cond(*HF)
    htn = c.cond(*HTN, icd="I10")
    ex = extract_inputs(c.build(), "cha2ds2_vasc", AS_OF)
    assert ex.complete and ex.missing == ()
    assert ex.values == {"age": 76, "sex": "female", "chf": True, "hypertension": True,
                         "diabetes": False, "stroke_tia_thromboembolism": False,
                         "vascular_disease": False}
    assert ex.sources["chf"] == hf and ex.sources["hypertension"] == htn
    assert ex.sources["age"] == c.patient.ref and "diabetes" not in ex.sources
    assert af not in ex.sources.values()
    assert get("cha2ds2_vasc").compute(ex.values).value == 5


def test_unknown_sex_is_missing() -> None:
    c = Chart(sex="unknown")
    c.cond(*AF)
    ex = extract_inputs(c.build(), "cha2ds2_vasc", AS_OF)
    assert ex.missing == ("sex",) and not ex.complete


def test_has_bled_lab_and_medication_terms() -> None:
    c = Chart(age=70)
    c.cond(*AF)
    c.bp(165, 90, days=3)
    creat = c.obs("2160-0", 2.3, "mg/dL", days=5)
    nsaid = c.med(*IBUPROFEN)
    c.med(*WARFARIN)
    ex = extract_inputs(c.build(), "has_bled", AS_OF)
    assert ex.values["hypertension"] is True and ex.values["drugs"] is True
    assert ex.values["abnormal_renal_function"] is True and ex.sources["abnormal_renal_function"] == creat
    assert ex.sources["drugs"] == nsaid
    assert "labile_inr" in ex.unassessed  # no rule can read it from a chart
    assert "abnormal_liver_function" in ex.unassessed  # no bilirubin on record
    assert get("has_bled").compute(ex.values).value == 4  # elderly, hypertension, renal, drugs


def test_lab_window_is_counted_from_as_of() -> None:
    c = Chart()
    c.obs("2160-0", 1.0, "mg/dL", days=365)
    c.obs("2160-0", 3.0, "mg/dL", days=366)
    ex = extract_inputs(c.build(), "ckd_epi_2021", AS_OF)
    assert ex.values["creatinine"] == (1.0, "mg/dL")
    old = Chart()
    old.obs("2160-0", 1.0, "mg/dL", days=366)
    assert extract_inputs(old.build(), "ckd_epi_2021", AS_OF).missing == ("creatinine",)


def test_newest_value_wins_and_later_entries_are_ignored() -> None:
    c = Chart()
    c.obs("2160-0", 1.1, "mg/dL", days=20)
    newer = c.obs("38483-4", 1.4, "mg/dL", days=2)
    c.obs("2160-0", 9.9, "mg/dL", days=-5)  # after as_of: not yet known
    ex = extract_inputs(c.build(), "ckd_epi_2021", AS_OF)
    assert ex.values["creatinine"] == (1.4, "mg/dL") and ex.sources["creatinine"] == newer


def test_units_are_converted_or_refused() -> None:
    c = Chart()
    c.obs("2160-0", 88.4, "umol/L", days=1)
    assert extract_inputs(c.build(), "ckd_epi_2021", AS_OF).values["creatinine"][0] == pytest.approx(1.0)
    odd = Chart()
    odd.obs("2160-0", 1.0, "furlongs", days=1)
    assert extract_inputs(odd.build(), "ckd_epi_2021", AS_OF).missing == ("creatinine",)


def test_news2_uses_one_vitals_set_and_reports_assumptions() -> None:
    c = Chart()
    v = c.vitals(rr=22, spo2=95.6, sbp=105, hr=95, temp=38.2, days=0.5)
    c.obs("9279-1", 30, "/min", days=0.5, hours=25)  # older set: outside 24 h of the newest
    ex = extract_inputs(c.build(), "news2", AS_OF)
    assert ex.complete
    assert ex.values["respiratory_rate"] == (22, "/min") and ex.sources["respiratory_rate"] == v["rr"]
    assert ex.values["spo2"] == (96, "%")  # charted as a whole number
    assert ex.values["consciousness"] == "alert" and "consciousness" in ex.assumed
    assert ex.values["on_oxygen"] is False and "on_oxygen" in ex.assumed
    assert ex.anchor == AS_OF - timedelta(days=0.5)
    res = get("news2").compute(ex.values)
    assert res.value == 2 + 0 + 1 + 1 + 1  # rr 22, spo2 96, sbp 105, pulse 95, temp 38.2


def test_news2_window_is_relative_to_the_newest_vitals_set() -> None:
    c = Chart()
    c.obs("9279-1", 18, "/min", days=400)  # a year old: still used, because the set is that old
    c.obs("59408-5", 97, "%", days=400, hours=-23)
    ex = extract_inputs(c.build(), "news2", AS_OF)
    assert ex.values["respiratory_rate"] == (18, "/min") and ex.values["spo2"] == (97, "%")
    assert ex.missing == ("sbp", "pulse", "temperature")


def test_consciousness_from_acvpu_gcs_or_confusion_diagnosis() -> None:
    c = Chart()
    c.vitals(days=0.2)
    c.obs("80288-4", None, days=0.2, text="Responds to voice")
    assert extract_inputs(c.build(), "news2", AS_OF).values["consciousness"] == "voice"
    g = Chart()
    g.vitals(days=0.2)
    g.obs("9269-2", 13, "{score}", days=0.2)
    ex = extract_inputs(g.build(), "qsofa", AS_OF)
    assert ex.values["gcs"] == 13
    d = Chart()
    d.vitals(days=0.2)
    d.cond("130987000", "Acute confusion", days=0.3)
    ex = extract_inputs(d.build(), "news2", AS_OF)
    assert ex.values["consciousness"] == "confusion" and "consciousness" not in ex.assumed


def test_oxygen_from_flow_rate() -> None:
    c = Chart()
    c.vitals(days=0.2)
    flow = c.obs("3151-8", 2, "L/min", days=0.2)
    ex = extract_inputs(c.build(), "news2", AS_OF)
    assert ex.values["on_oxygen"] is True and ex.sources["on_oxygen"] == flow


@pytest.mark.parametrize("answer,expected", [("Current every day smoker", True),
                                             ("Current some day smoker", True),
                                             ("Former smoker", False), ("Never smoker", False)])
def test_smoking_status_answers(answer: str, expected: bool) -> None:
    c = Chart(age=55)
    c.obs("72166-2", None, days=30, text=answer)
    ex = extract_inputs(c.build(), "pce_ascvd", AS_OF)
    assert ex.values["smoker"] is expected


def test_unknown_smoking_status_is_missing_and_race_is_assumed() -> None:
    c = Chart(age=55)
    c.obs("72166-2", None, days=30, text="Unknown if ever smoked")
    c.obs("2093-3", 200, "mg/dL", days=30)
    c.obs("2085-9", 50, "mg/dL", days=30)
    c.bp(130, 80, days=30)
    ex = extract_inputs(c.build(), "pce_ascvd", AS_OF)
    assert ex.missing == ("smoker",)
    assert ex.values["race"] == "other" and "race" in ex.assumed


def test_pce_treated_hypertension_and_diabetes_from_the_chart() -> None:
    c = Chart(age=60)
    c.cond(*DIABETES)
    hctz = c.med("Hydrochlorothiazide 25 MG", "316049")
    ex = extract_inputs(c.build(), "pce_ascvd", AS_OF)
    assert ex.values["treated_hypertension"] is True and ex.sources["treated_hypertension"] == hctz
    assert ex.values["diabetes"] is True


def test_meld_inputs_and_dialysis_default() -> None:
    c = Chart()
    c.cond(*CIRRHOSIS)
    for loinc, v, unit in (("2160-0", 1.2, "mg/dL"), ("1975-2", 2.0, "mg/dL"), ("6301-6", 1.5, ""),
                           ("2951-2", 132, "mmol/L")):
        c.obs(loinc, v, unit, days=3)
    ex = extract_inputs(c.build(), "meld_na", AS_OF)
    assert ex.complete and ex.values["dialysis"] is False and ex.values["inr"] == 1.5


def test_egfr_computed_from_a_newer_creatinine() -> None:
    c = Chart(sex="female", age=70)
    c.obs("33914-3", 75, "mL/min/{1.73_m2}", days=100)
    creat = c.obs("2160-0", 1.6, "mg/dL", days=2)
    egfr = View(c.build(), AS_OF).egfr()
    assert egfr is not None and egfr.ref == creat and "CKD-EPI 2021" in egfr.derived
    assert egfr.value == get("ckd_epi_2021").compute({"creatinine": 1.6, "age": 70, "sex": "female"}).value


def test_reported_egfr_used_when_newest() -> None:
    c = Chart()
    c.obs("2160-0", 1.6, "mg/dL", days=20)
    ref = c.obs("33914-3", 48, "mL/min/{1.73_m2}", days=2)
    egfr = View(c.build(), AS_OF).egfr()
    assert egfr.ref == ref and egfr.value == 48 and egfr.derived == ""


def test_unknown_calculator_is_bad_input() -> None:
    with pytest.raises(BadInputError):
        extract_inputs(Chart().build(), "no_such_score", AS_OF)


def test_naive_as_of_is_utc_and_default_is_now() -> None:
    c = Chart()
    c.obs("2160-0", 1.0, "mg/dL", days=1)
    ex = extract_inputs(c.build(), "ckd_epi_2021", AS_OF.replace(tzinfo=None))
    assert ex.values["creatinine"] == (1.0, "mg/dL")
    # The data are dated around AS_OF (2025); evaluated now they may be outside the lab window,
    # but the call must work without an as_of.
    extract_inputs(c.build(), "ckd_epi_2021")


def test_extraction_to_dict_is_plain() -> None:
    import json

    c = Chart()
    c.cond(*AF)
    d = extract_inputs(c.build(), "cha2ds2_vasc", AS_OF).to_dict()
    assert json.loads(json.dumps(d))["calculator"] == "cha2ds2_vasc"
    assert set(d) >= {"values", "sources", "missing", "assumed"}


@pytest.mark.parametrize("inrs,expected", [((2.5, 3.6, 1.7), True), ((2.5, 2.6, 3.6), False),
                                           ((2.5,), None)])
def test_labile_inr_from_share_in_range(inrs, expected) -> None:
    c = Chart(age=70)
    c.cond(*AF)
    c.med(*WARFARIN)
    for n, v in enumerate(inrs):
        c.obs("6301-6", v, "{INR}", days=10 + 30 * n)
    ex = extract_inputs(c.build(), "has_bled", AS_OF)
    if expected is None:
        assert ex.values["labile_inr"] is False and "labile_inr" in ex.unassessed
    else:
        assert ex.values["labile_inr"] is expected and "labile_inr" not in ex.unassessed
        assert "INRs in 2-3" in ex.details["labile_inr"]


def test_labile_inr_applies_only_on_a_vitamin_k_antagonist() -> None:
    # Pisters 2010: the criterion scores INR control on a VKA; without one it is simply absent
    c = Chart(age=70)
    c.cond(*AF)
    for n, v in enumerate((3.6, 1.7, 4.0)):
        c.obs("6301-6", v, "{INR}", days=10 + 30 * n)
    ex = extract_inputs(c.build(), "has_bled", AS_OF)
    assert ex.values["labile_inr"] is False and "labile_inr" not in ex.unassessed


def test_every_input_of_the_evaluated_scores_has_a_mapping() -> None:
    from assistant.clinical.extract import rule_for

    for spec in knowledge.read_toml("rules.toml")["scores"]:
        calc = get(spec["id"])
        for i in calc.inputs:
            assert rule_for(calc.id, i.name) is not None or not i.required, (calc.id, i.name)


def test_any_registered_calculator_can_be_extracted() -> None:
    from assistant.clinical.calculators import all_calculators

    c = Chart(sex="female", age=66)
    c.cond(*AF)
    c.cond(*DIABETES)
    c.vitals(days=0.2)
    c.obs("2160-0", 1.1, "mg/dL", days=3)
    rec = c.build()
    for calc in all_calculators():
        ex = extract_inputs(rec, calc.id, AS_OF)
        assert set(ex.values) | set(ex.missing) | set(ex.unassessed) == {i.name for i in calc.inputs}
