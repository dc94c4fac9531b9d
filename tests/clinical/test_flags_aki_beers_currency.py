"""Issue 14 follow-ups: KDIGO acute kidney injury, Beers NSAID escalation, blood pressure currency."""

from __future__ import annotations

from datetime import datetime

import pytest
from test_chart_builder import HTN, IBUPROFEN, NAPROXEN, WARFARIN, Chart

from assistant.clinical.flags import RiskReport, evaluate
from assistant.clinical.rules.base import Flag

# The builder's clock at now for every test here (the `today` fixture of tests/clinical/conftest.py).
pytestmark = pytest.mark.usefixtures("today")


def run(c: Chart) -> RiskReport:
    return evaluate(c.build())


CLOPIDOGREL = ("clopidogrel 75 MG Oral Tablet", "309362")
ASPIRIN = ("Aspirin 81 MG Oral Tablet", "243670")


def by_id(report: RiskReport) -> dict[str, Flag]:
    return {f.id: f for f in report.flags}


# --- blood pressure: recent is judged, old is 'too old' ------------------------------------------
@pytest.mark.parametrize("readings,fid", [
    ([(138, 86, 5)], "gap:bp:above-target"),                  # one recent reading, above 130/80
    ([(138, 86, 5), (150, 95, 700)], "gap:bp:above-target"),  # the old one is outside the window
    ([(125, 75, 5), (150, 95, 700)], None),                   # recent and at target
    ([(150, 95, 400), (148, 92, 500)], "gap:bp:last-above-target"),
])
def test_blood_pressure_recent_is_above_target_and_old_is_too_old(readings, fid) -> None:
    c = Chart(age=59)
    c.cond(*HTN)
    for s, d, days in readings:
        c.bp(s, d, days=days)
    found = {k: f for k, f in by_id(run(c)).items() if k.startswith("gap:bp")}
    assert list(found) == ([fid] if fid else [])
    if fid == "gap:bp:above-target":
        f = found[fid]
        assert "138/86" in f.explanation and "too old" not in f.title.lower()
        assert "older than" not in f.explanation
    if fid == "gap:bp:last-above-target":
        assert "too old" in found[fid].title and "older than 365 days" in found[fid].explanation


def test_one_raised_reading_without_a_diagnosis_is_not_called_old_or_diagnosed() -> None:
    c = Chart(age=50)
    c.bp(150, 95, days=5)
    assert not [k for k in by_id(run(c)) if k.startswith("gap:bp")]


# --- acute kidney injury (KDIGO 2012) --------------------------------------------------------------
@pytest.mark.parametrize("series,stage,severity", [
    ([(1.0, 5.5), (2.3, 0.5)], 2, "critical"),   # 2.3 times within 7 days (scenario 18)
    ([(1.0, 5.5), (1.6, 0.5)], 1, "high"),       # 1.6 times
    ([(1.0, 2.5), (1.35, 1.0)], 1, "high"),      # +0.35 mg/dL within 36 hours, 1.35 times
    ([(1.0, 6.0), (3.1, 0.5)], 3, "critical"),   # 3.1 times
    ([(3.5, 2.5), (4.1, 1.0)], 3, "critical"),   # +0.6 in 36 h to >= 4.0 mg/dL: stage 3
    ([(1.0, 5.0), (1.25, 0.5)], None, None),     # +0.25 over 4.5 days: no criterion met
    ([(1.0, 30.0), (2.0, 0.5)], None, None),     # baseline outside the 7 days: not acute by KDIGO
    ([(1.0, 65.0), (2.3, 60.0)], 2, "moderate"),  # a past episode, not repeated since
])
def test_aki_by_kdigo_criteria(series, stage, severity) -> None:
    c = Chart(age=68, sex="male")
    for value, days in series:
        c.obs("2160-0", value, "mg/dL", days=days)
    f = by_id(run(c)).get("lab:aki")
    if stage is None:
        assert f is None
        return
    assert f is not None and f.severity == severity and f"KDIGO stage {stage}" in f.title
    assert "KDIGO" in f.reference and "Kidney Int Suppl 2012" in f.reference


def test_aki_leads_and_folds_in_the_creatinine_and_egfr_flags() -> None:
    c = Chart(age=68, sex="male")
    c.cond(*HTN)
    c.obs("33914-3", 80, "mL/min/{1.73_m2}", days=200)
    c.obs("2160-0", 1.0, "mg/dL", days=5.5)
    c.obs("2160-0", 2.3, "mg/dL", days=0.5)
    c.obs("33914-3", 29, "mL/min/{1.73_m2}", days=0.5)
    report = run(c)
    first = report.flags[0]
    assert first.id == "lab:aki" and first.severity == "critical"
    assert not {"lab:creatinine:high", "trend:egfr-decline"} & set(by_id(report))
    assert any(p.startswith("Creatinine high") for p in first.points)
    # An acute change is never also called a chronic fall (KDIGO: CKD needs > 3 months).
    assert not any("falling" in p for p in first.points)


def test_slow_rise_in_ckd_is_no_aki() -> None:
    c = Chart(age=70)
    for value, days in ((1.4, 300), (1.5, 180), (1.6, 90), (1.7, 3)):
        c.obs("2160-0", value, "mg/dL", days=days)
    assert "lab:aki" not in by_id(run(c))


# --- AGS Beers 2023: NSAIDs in older adults ----------------------------------------------------------
@pytest.mark.parametrize("age,meds,severity", [
    (88, [NAPROXEN, CLOPIDOGREL], "high"),   # scenario 08
    (70, [IBUPROFEN, WARFARIN], "high"),     # with an anticoagulant from 65
    (80, [NAPROXEN], "moderate"),            # age alone: avoid chronic use
    (74, [NAPROXEN], None),
    (60, [NAPROXEN, CLOPIDOGREL], None),     # not an older adult: the interaction row alone
    (85, [ASPIRIN, CLOPIDOGREL], None),      # aspirin is no NSAID here
])
def test_beers_nsaid_in_older_adults(age, meds, severity) -> None:
    c = Chart(age=age)
    for name, code in meds:
        c.med(name, code)
    report = run(c)
    nsaid = [f for f in report.flags if "Beers" in f.reference]
    if severity is None:
        assert nsaid == []
        return
    # One NSAID flag: with an interacting partner it is the interaction, raised to the Beers level.
    assert len(nsaid) == 1 and nsaid[0].severity == severity
    assert report.flags[0] is nsaid[0]
    assert any(w in nsaid[0].title.lower() for w in ("naproxen", "ibuprofen"))
    if len(meds) == 2:
        assert nsaid[0].id.startswith("ddi:") and f"at age {age} (AGS Beers 2023)" in nsaid[0].title
    else:
        assert nsaid[0].id.startswith("older-adult:")


def test_nsaid_with_an_antiplatelet_the_table_does_not_pair_is_its_own_flag() -> None:
    c = Chart(age=72)
    c.med("Naproxen sodium 220 MG Oral Tablet", "849574")
    c.med("ticagrelor 90 MG Oral Tablet", "1116635")
    report = run(c)
    assert not [f for f in report.flags if f.id.startswith("ddi:")]  # no interactions.csv row
    f = report.flags[0]
    assert f.id == "older-adult:naproxen" and f.severity == "high" and "ticagrelor" in f.title


def test_nsaid_with_a_corticosteroid_interaction_is_raised_to_high() -> None:
    c = Chart(age=72)
    c.med("Naproxen sodium 220 MG Oral Tablet", "849574")
    c.med("predniSONE 5 MG Oral Tablet", "312617")
    report = run(c)
    ddi = next(f for f in report.flags if f.id.startswith("ddi:"))
    assert ddi.severity == "high" and "Beers" in ddi.reference
    assert not [f for f in report.flags if f.id.startswith("older-adult:")]


# --- texts that agree with their own dates (found on the shared Synthea records) -------------------
def test_a_stale_chart_counts_completed_years(today: datetime) -> None:
    c = Chart(age=70)
    c.obs("2160-0", 1.0, "mg/dL", days=int(6.7 * 365.25))  # 6 years 8 months ago
    stale = by_id(run(c))["currency:stale-chart"]
    assert "more than 6 years before" in stale.explanation and "7 years" not in stale.explanation


def test_a_deceased_patients_age_stops_at_death(today: datetime) -> None:
    from dataclasses import replace
    from datetime import timedelta

    c = Chart(age=116)
    died = today - timedelta(days=48 * 365.25)
    c.patient = replace(c.patient, deceased=True, deceased_date=died)
    c.med(*WARFARIN)
    c.med(*NAPROXEN)
    from assistant.clinical.extract import Chart as View

    assert View(c.build(), today).age in (67, 68)  # the age every score and rule reads
    report = run(c)
    assert all("116" not in f.title + f.explanation for f in report.flags)
