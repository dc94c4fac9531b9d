"""Risk rules: score thresholds, laboratory limits, trends, care gaps, ordering and the report shape."""

from __future__ import annotations

import json

import pytest
from test_chart_builder import (
    AF,
    AS_OF,
    CIRRHOSIS,
    DIABETES,
    HTN,
    IBUPROFEN,
    MI,
    STROKE,
    WARFARIN,
    Chart,
)

from assistant.clinical.calculators import get
from assistant.clinical.flags import Flag, RiskReport, evaluate
from assistant.clinical.rules.base import finalize


def run(c: Chart) -> RiskReport:
    return evaluate(c.build(), AS_OF)


def ids(c: Chart, prefix: str = "") -> dict[str, Flag]:
    return {f.id: f for f in run(c).flags if f.id.startswith(prefix)}


def score(report: RiskReport, calc_id: str):
    return next((s for s in report.scores if s.calculator_id == calc_id), None)


# --- CHA2DS2-VASc ------------------------------------------------------------------------------
@pytest.mark.parametrize("sex,extra,expected_score,flag_id,severity", [
    ("male", [], 0, None, None),
    ("male", [HTN], 1, "score:cha2ds2_vasc:consider", "moderate"),
    ("male", [HTN, DIABETES], 2, "score:cha2ds2_vasc:untreated", "high"),
    ("female", [], 1, None, None),
    ("female", [HTN], 2, "score:cha2ds2_vasc:consider", "moderate"),
    ("female", [HTN, DIABETES], 3, "score:cha2ds2_vasc:untreated", "high"),
])
def test_cha2ds2_vasc_thresholds_by_sex(sex, extra, expected_score, flag_id, severity) -> None:
    c = Chart(sex=sex, age=60)
    af = c.cond(*AF)
    for cond in extra:
        c.cond(*cond)
    report = run(c)
    assert score(report, "cha2ds2_vasc").result.value == expected_score
    found = {f.id: f for f in report.flags if f.id.startswith("score:cha2ds2_vasc")}
    if flag_id is None:
        assert found == {}
    else:
        f = found[flag_id]
        assert f.severity == severity and af in f.evidence and f.category == "score"
        assert f"CHA2DS2-VASc score is {expected_score}" in f.explanation
        assert "Joglar" in f.reference


def test_cha2ds2_vasc_no_flag_on_anticoagulant_and_not_scored_without_af() -> None:
    c = Chart(sex="female", age=80)
    c.cond(*AF)
    c.cond(*HTN)
    c.med(*WARFARIN)
    report = run(c)
    assert score(report, "cha2ds2_vasc").result.value == 4
    assert not [f for f in report.flags if f.id.startswith("score:cha2ds2")]
    no_af = Chart(age=80)
    no_af.cond(*HTN)
    report = run(no_af)
    assert score(report, "cha2ds2_vasc") is None
    assert "cha2ds2_vasc" not in [s.calculator_id for s in report.not_computed]


def test_past_stroke_counts_in_cha2ds2_vasc() -> None:
    c = Chart(sex="male", age=50)
    c.cond(*AF)
    stroke = c.cond(*STROKE, days=2000, active=False, abated_days=1990)
    report = run(c)
    assert score(report, "cha2ds2_vasc").result.value == 2
    assert stroke in ids(c)["score:cha2ds2_vasc:untreated"].evidence


# --- HAS-BLED -----------------------------------------------------------------------------------
def test_has_bled_band() -> None:
    c = Chart(age=70)
    c.cond(*AF)
    c.med(*WARFARIN)
    c.med(*IBUPROFEN)
    assert score(run(c), "has_bled").result.value == 2 and "score:has_bled" not in ids(c)
    c.cond(*STROKE)
    f = ids(c)["score:has_bled"]
    assert f.severity == "moderate" and "HAS-BLED is 3" in f.explanation
    assert any("labile_inr" in m for m in f.missing)


# --- NEWS2 and qSOFA ---------------------------------------------------------------------------
@pytest.mark.parametrize("vitals,total,severity", [
    (dict(rr=26, spo2=90, hr=112), 8, "critical"),
    (dict(rr=24, spo2=93, hr=95), 5, "high"),
    (dict(rr=22, sbp=105, hr=95, temp=38.2), 5, "high"),
    (dict(rr=8), 3, "moderate"),  # a single parameter scoring 3
    (dict(rr=22, hr=95, temp=38.2), 4, None),
])
def test_news2_thresholds(vitals, total, severity) -> None:
    c = Chart()
    v = c.vitals(days=0.2, **vitals)
    report = run(c)
    assert score(report, "news2").result.value == total
    f = {x.id: x for x in report.flags}.get("score:news2")
    assert (f.severity if f else None) == severity
    if f:
        assert v["rr"] in f.evidence and any("consciousness" in m for m in f.missing)


def test_news2_from_old_vitals_is_historical() -> None:
    c = Chart()
    c.vitals(days=10, rr=26, spo2=90, hr=112)
    f = ids(c)["score:news2"]
    assert f.severity == "info" and "historical" in f.title


@pytest.mark.parametrize("rr,sbp,severity", [(22, 100, "high"), (21, 100, None), (22, 101, None)])
def test_qsofa_threshold(rr, sbp, severity) -> None:
    c = Chart()
    c.vitals(days=0.2, rr=rr, sbp=sbp)
    f = ids(c).get("score:qsofa")
    assert (f.severity if f else None) == severity


def test_bedside_scores_missing_vitals_are_reported() -> None:
    c = Chart()
    c.bp(120, 80, days=3)
    report = run(c)
    nc = {s.calculator_id: s for s in report.not_computed}
    assert set(nc["news2"].missing) == {"respiratory_rate", "spo2", "pulse", "temperature"}
    assert nc["qsofa"].missing == ("respiratory_rate",)


# --- Pooled Cohort Equations -----------------------------------------------------------------
def _pce_chart(sex, age, tc, hdl, sbp, smoker=False, diabetes=False, treated=False, statin=False):
    c = Chart(sex=sex, age=age)
    c.obs("2093-3", tc, "mg/dL", days=30)
    c.obs("2085-9", hdl, "mg/dL", days=30)
    c.bp(sbp, 80, days=30)
    c.obs("72166-2", None, days=30, text="Current every day smoker" if smoker else "Never smoker")
    if diabetes:
        c.cond(*DIABETES)
    if treated:
        c.cond(*HTN)
        c.med("Hydrochlorothiazide 25 MG", "316049")
    if statin:
        c.med("Atorvastatin 80 MG Oral Tablet", "259255")
    return c


@pytest.mark.parametrize("profile,band,severity", [
    (dict(sex="female", age=45, tc=180, hdl=60, sbp=115), (0, 7.5), None),
    (dict(sex="male", age=62, tc=220, hdl=45, sbp=142), (7.5, 20), "moderate"),
    (dict(sex="male", age=70, tc=240, hdl=35, sbp=160, smoker=True, diabetes=True, treated=True),
     (20, 100), "high"),
])
def test_pce_ascvd_threshold_without_statin(profile, band, severity) -> None:
    c = _pce_chart(**profile)
    report = run(c)
    risk = score(report, "pce_ascvd").result.value
    assert band[0] <= risk < band[1]
    f = {x.id: x for x in report.flags}.get("score:pce_ascvd")
    assert (f.severity if f else None) == severity
    if f:
        assert f"{risk}%" in f.title and any("race" in m for m in f.missing)


def test_pce_no_flag_with_statin_and_not_scored_with_ascvd() -> None:
    c = _pce_chart(sex="male", age=70, tc=240, hdl=35, sbp=160, smoker=True, statin=True)
    assert "score:pce_ascvd" not in ids(c)
    d = _pce_chart(sex="male", age=70, tc=240, hdl=35, sbp=160)
    d.cond(*MI, days=3000, active=False, abated_days=2990)
    assert score(run(d), "pce_ascvd") is None  # secondary prevention: the equations do not apply


@pytest.mark.parametrize("age,attempted", [(39, False), (40, True), (79, True), (80, False)])
def test_pce_only_attempted_in_its_age_range(age, attempted) -> None:
    c = _pce_chart(sex="male", age=age, tc=200, hdl=50, sbp=130)
    report = run(c)
    assert (score(report, "pce_ascvd") is not None) is attempted
    assert "pce_ascvd" not in {s.calculator_id for s in report.not_computed}


def test_complete_inputs_refused_by_the_calculator_give_a_reason() -> None:
    c = _pce_chart(sex="male", age=60, tc=400, hdl=50, sbp=130)  # above the estimator's 320 limit
    nc = {s.calculator_id: s for s in run(c).not_computed}
    assert "total_cholesterol" in nc["pce_ascvd"].error


# --- FIB-4 and MELD-Na -------------------------------------------------------------------------
def _liver(age, ast, alt, plt, risk=DIABETES):
    c = Chart(age=age)
    if risk:
        c.cond(*risk)
    c.obs("1920-8", ast, "U/L", days=10)
    c.obs("1742-6", alt, "U/L", days=10)
    c.obs("777-3", plt, "10*3/uL", days=10)
    return c


@pytest.mark.parametrize("age,ast,severity", [(50, 15, None), (50, 40, "moderate"), (50, 80, "high"),
                                              (66, 30, None), (66, 32, "moderate")])
def test_fib4_bands(age, ast, severity) -> None:
    c = _liver(age, ast, 25, 150 if age == 50 else 200)
    f = ids(c).get("score:fib4")
    assert (f.severity if f else None) == severity


def test_fib4_only_with_a_liver_risk_factor() -> None:
    assert score(run(_liver(50, 80, 25, 150, risk=None)), "fib4") is None


def test_meld_na_with_cirrhosis() -> None:
    c = Chart()
    c.cond(*CIRRHOSIS)
    for loinc, v, unit in (("2160-0", 2.0, "mg/dL"), ("1975-2", 3.0, "mg/dL"), ("6301-6", 2.0, ""),
                           ("2951-2", 128, "mmol/L")):
        c.obs(loinc, v, unit, days=3)
    report = run(c)
    value = score(report, "meld_na").result.value
    assert value == get("meld_na").compute({"creatinine": 2.0, "bilirubin": 3.0, "inr": 2.0,
                                            "sodium": 128}).value
    f = ids(c)["score:meld_na"]
    assert f.severity == ("high" if value >= 30 else "moderate")


# --- laboratory values -------------------------------------------------------------------------
@pytest.mark.parametrize("k,fid,severity", [
    (6.2, "lab:potassium:critically-high", "critical"),
    (6.1, "lab:potassium:critically-high", "critical"),  # critical from 6.0 (CAP 2007 median)
    (6.0, "lab:potassium:critically-high", "critical"),
    (5.9, "lab:potassium:high", "moderate"),
    (5.2, "lab:potassium:high", "moderate"),
    (5.1, None, None),
    (3.5, None, None),
    (3.4, "lab:potassium:low", "moderate"),
    (2.8, "lab:potassium:critically-low", "critical"),
])
def test_potassium_limits(k, fid, severity) -> None:
    c = Chart()
    ref = c.obs("2823-3", k, "mmol/L", days=2)
    f = ids(c, "lab:")
    if fid is None:
        assert f == {}
    else:
        assert list(f) == [fid] and f[fid].severity == severity and f[fid].evidence[0] == ref
        assert "Kost" in f[fid].reference


def test_lab_uses_its_own_range_and_interpretation() -> None:
    c = Chart()
    c.obs("2823-3", 5.3, "mmol/L", days=2, low=3.5, high=5.5)
    assert ids(c, "lab:") == {}
    d = Chart()
    d.obs("2823-3", 5.8, "mmol/L", days=2, interpretation="HH")
    assert ids(d, "lab:")["lab:potassium:critically-high"].severity == "critical"


def test_old_critical_value_is_high_and_very_old_is_ignored() -> None:
    c = Chart()
    c.obs("2823-3", 6.8, "mmol/L", days=40)
    f = ids(c, "lab:")["lab:potassium:critically-high"]
    assert f.severity == "high" and "not been repeated" in f.explanation
    d = Chart()
    d.obs("2823-3", 6.8, "mmol/L", days=400)
    assert ids(d, "lab:") == {}


def test_only_the_newest_result_is_judged() -> None:
    c = Chart()
    c.obs("2823-3", 6.8, "mmol/L", days=20)
    newest = c.obs("2823-3", 4.4, "mmol/L", days=2)
    assert ids(c, "lab:") == {}
    assert newest


@pytest.mark.parametrize("on_warfarin,inr,severity", [
    (True, 2.5, None), (True, 3.8, "high"), (True, 1.6, "high"), (True, 5.0, "critical"),
    (False, 1.5, "moderate"), (False, 1.1, None),
])
def test_inr_ranges_depend_on_warfarin(on_warfarin, inr, severity) -> None:
    c = Chart()
    if on_warfarin:
        c.med(*WARFARIN)
    c.obs("6301-6", inr, "{INR}", days=2)
    found = ids(c, "lab:inr")
    assert (next(iter(found.values())).severity if found else None) == severity


@pytest.mark.parametrize("sex,hb,severity", [("female", 11.7, None), ("male", 11.7, "moderate"),
                                             ("female", 6.9, "critical"), ("male", 17.0, "moderate")])
def test_haemoglobin_sex_specific(sex, hb, severity) -> None:
    c = Chart(sex=sex)
    c.obs("718-7", hb, "g/dL", days=2)
    found = ids(c, "lab:hemoglobin")
    assert (next(iter(found.values())).severity if found else None) == severity


def test_low_creatinine_is_not_flagged() -> None:
    c = Chart()
    c.obs("2160-0", 0.4, "mg/dL", days=2)
    assert ids(c, "lab:") == {}


# --- trends ------------------------------------------------------------------------------------
@pytest.mark.parametrize("before,after,days_before,severity", [
    (60, 44, 200, "high"),      # -26.7%, G2 -> G3b, below 60
    (100, 74, 200, "moderate"),  # -26%, G1 -> G2, still above 60
    (60, 46, 200, None),        # -23%
    (60, 45, 200, None),        # exactly -25% is not more than 25%
    (60, 40, 400, None),        # baseline outside 12 months
])
def test_egfr_decline(before, after, days_before, severity) -> None:
    c = Chart()
    base = c.obs("33914-3", before, "mL/min/{1.73_m2}", days=days_before)
    new = c.obs("33914-3", after, "mL/min/{1.73_m2}", days=5)
    f = ids(c).get("trend:egfr-decline")
    assert (f.severity if f else None) == severity
    if f:
        assert f.evidence == (new, base) and f.category == "trend" and "KDIGO" in f.reference


@pytest.mark.parametrize("diabetic,before,after,severity", [
    (True, 7.5, 8.0, "moderate"), (True, 7.5, 7.9, None), (True, 8.6, 9.1, "high"),
    (True, 6.0, 6.6, "info"), (False, 5.9, 6.5, "moderate"),
])
def test_hba1c_rise(diabetic, before, after, severity) -> None:
    c = Chart()
    if diabetic:
        c.cond(*DIABETES)
    c.obs("4548-4", before, "%", days=200)
    c.obs("4548-4", after, "%", days=5)
    f = ids(c).get("trend:hba1c-rising")
    assert (f.severity if f else None) == severity


def test_hba1c_rise_measured_from_the_lowest_earlier_value() -> None:
    c = Chart()
    c.cond(*DIABETES)
    low = c.obs("4548-4", 7.0, "%", days=300)
    c.obs("4548-4", 7.3, "%", days=150)
    c.obs("4548-4", 7.6, "%", days=5)
    f = ids(c)["trend:hba1c-rising"]
    assert low in f.evidence and "7 % on" in f.explanation


@pytest.mark.parametrize("before,after,days_before,flagged", [
    (80, 75.9, 150, True), (80, 76, 150, False), (80, 70, 200, False)])
def test_weight_loss(before, after, days_before, flagged) -> None:
    c = Chart()
    c.obs("29463-7", before, "kg", days=days_before)
    c.obs("29463-7", after, "kg", days=5)
    assert ("trend:weight-loss" in ids(c)) is flagged


# --- care gaps ---------------------------------------------------------------------------------
@pytest.mark.parametrize("last_days,flagged", [(None, True), (100, False), (183, False), (184, True)])
def test_diabetes_hba1c_interval(last_days, flagged) -> None:
    c = Chart()
    dm = c.cond(*DIABETES)
    if last_days is not None:
        c.obs("4548-4", 6.8, "%", days=last_days)
    f = ids(c).get("gap:hba1c")
    assert (f is not None) is flagged
    if f:
        assert dm in f.evidence and f.category == "care gap"
        assert bool(f.missing) is (last_days is None)


def test_undiagnosed_diabetes_from_hba1c() -> None:
    c = Chart()
    c.obs("4548-4", 6.7, "%", days=5)
    assert ids(c)["gap:undiagnosed-diabetes"].severity == "moderate"


@pytest.mark.parametrize("age,cond,ldl,statin,fid", [
    (60, MI, None, False, "gap:statin:ascvd"),
    (60, DIABETES, None, False, "gap:statin:diabetes"),
    (35, DIABETES, None, False, None),
    (76, DIABETES, None, False, None),
    (45, None, 195, False, "gap:statin:ldl190"),
    (60, MI, None, True, None),
])
def test_statin_gap(age, cond, ldl, statin, fid) -> None:
    c = Chart(age=age)
    if cond:
        c.cond(*cond)
    if ldl:
        c.obs("18262-6", ldl, "mg/dL", days=30)
    if statin:
        c.med("Simvastatin 20 MG Oral Tablet", "312961")
    found = ids(c, "gap:statin")
    assert list(found) == ([fid] if fid else [])


@pytest.mark.parametrize("age,last_days,severity", [(70, None, "moderate"), (70, 400, "moderate"),
                                                    (70, 200, None), (30, None, "info")])
def test_influenza_gap(age, last_days, severity) -> None:
    c = Chart(age=age)
    if last_days is not None:
        c.imm("140", last_days)
    f = ids(c).get("gap:influenza")
    assert (f.severity if f else None) == severity


@pytest.mark.parametrize("age,vaccinated,flagged", [(64, False, False), (65, False, True), (70, True, False)])
def test_pneumococcal_gap(age, vaccinated, flagged) -> None:
    c = Chart(age=age)
    if vaccinated:
        c.imm("33", 300)
    assert ("gap:pneumococcal" in ids(c)) is flagged


@pytest.mark.parametrize("diagnosed,readings,fid", [
    (True, [(142, 85), (135, 82)], "gap:bp:above-target"),
    (True, [(142, 85), (125, 75)], None),
    (True, [(128, 80), (126, 82)], "gap:bp:above-target"),  # diastolic 80 is not below 80
    (True, [(185, 100), (150, 90)], "gap:bp:severe"),
    (False, [(145, 92), (150, 95)], "gap:bp:undiagnosed"),
    (False, [(135, 85), (150, 95)], None),
])
def test_blood_pressure_gap(diagnosed, readings, fid) -> None:
    c = Chart()
    if diagnosed:
        c.cond(*HTN)
    for n, (s, d) in enumerate(readings):
        c.bp(s, d, days=10 + 30 * n)
    found = ids(c, "gap:bp")
    assert list(found) == ([fid] if fid else [])


def test_no_care_gaps_for_a_deceased_patient() -> None:
    c = Chart(age=80, deceased=True)
    c.cond(*DIABETES)
    assert ids(c, "gap:") == {}


def test_a_deceased_patient_gets_one_plain_flag_and_no_medicine_warnings() -> None:
    c = Chart(age=80, deceased=True)
    c.med(*WARFARIN)
    c.med(*IBUPROFEN)
    c.obs("2823-3", 6.8, "mmol/L", days=1)
    report = evaluate(c.build(), AS_OF)
    assert [(f.id, f.severity) for f in report.flags] == [("info:deceased", "info")]
    assert "deceased" in report.flags[0].title.lower()


# --- ordering, de-duplication, report ----------------------------------------------------------
def _flag(fid: str, severity: str, category: str = "lab", ev: tuple[str, ...] = ("a",)) -> Flag:
    return Flag(fid, fid, severity, category, ev, "text", (), "ref")


def test_finalize_sorts_and_deduplicates() -> None:
    out = finalize([_flag("x", "moderate", ev=("a",)), _flag("y", "critical"), _flag("z", "info"),
                    _flag("x", "high", ev=("b",)), _flag("w", "high", "score")])
    assert [f.id for f in out] == ["y", "x", "w", "z"]  # within a level: lab before score
    x = out[1]
    assert x.severity == "high" and x.evidence == ("b", "a")


def test_within_a_level_current_values_before_trends_before_gaps() -> None:
    out = finalize([_flag("gap", "high", "care gap"), _flag("trend", "high", "trend"),
                    _flag("med", "high", "medication"), _flag("lab", "high", "lab"),
                    _flag("crit", "critical", "care gap"), _flag("info", "info", "lab")])
    assert [f.id for f in out] == ["crit", "lab", "med", "trend", "gap", "info"]


def test_flag_validates_severity_and_category() -> None:
    with pytest.raises(ValueError):
        _flag("x", "urgent")
    with pytest.raises(ValueError):
        _flag("x", "high", "vibes")


def test_report_to_dict_shape() -> None:
    c = Chart(sex="female", age=78)
    c.cond(*AF)
    c.cond(*HTN)
    c.med(*IBUPROFEN)
    c.obs("2823-3", 6.4, "mmol/L", days=1)
    report = run(c)
    d = json.loads(json.dumps(report.to_dict()))
    assert set(d) == {"patient", "as_of", "flags", "scores", "not_computed", "knowledge_version"}
    assert d["patient"] == c.patient.id
    for f in d["flags"]:
        assert set(f) == {"id", "title", "severity", "category", "evidence", "explanation", "missing",
                          "reference", "points"}
    severities = [f["severity"] for f in d["flags"]]
    order = ["critical", "high", "moderate", "info"]
    assert severities == sorted(severities, key=order.index)
    cha = next(s for s in d["scores"] if s["id"] == "cha2ds2_vasc")
    assert cha["value"] == 4 and cha["sources"]["hypertension"].startswith("Condition/")
    assert report.counts()["critical"] == 1


def test_every_flag_cites_entries_that_exist() -> None:
    c = Chart(sex="female", age=78)
    c.cond(*AF)
    c.cond(*DIABETES)
    c.med(*WARFARIN)
    c.med(*IBUPROFEN)
    c.obs("6301-6", 4.2, "", days=1)
    c.obs("33914-3", 28, "mL/min/{1.73_m2}", days=1)
    c.obs("33914-3", 50, "mL/min/{1.73_m2}", days=100)
    rec = c.build()
    report = evaluate(rec, AS_OF)
    assert len(report.flags) >= 5
    for f in report.flags:
        assert f.reference and f.explanation and f.title
        for ref in f.evidence:
            assert rec.entry(ref) is not None or ref == rec.patient.ref


def test_a_failing_rule_becomes_an_info_flag(monkeypatch) -> None:
    import assistant.clinical.flags as flags_mod

    def boom(chart):
        raise RuntimeError("bug")

    monkeypatch.setattr(flags_mod, "trend_flags", boom)
    c = Chart()
    c.obs("2823-3", 6.4, "mmol/L", days=1)
    report = evaluate(c.build(), AS_OF)
    by_id = {f.id: f for f in report.flags}
    assert by_id["error:trend"].severity == "info"
    assert "lab:potassium:critically-high" in by_id  # the other rules still ran
