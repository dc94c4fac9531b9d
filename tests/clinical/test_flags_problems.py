"""Issue 14 on the flags: urgency first, one problem one flag, data currency, rules that fail alone.

Charts here are dated relative to today (the builder's clock is moved to now), and evaluated now.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from test_chart_builder import DIABETES, HTN, LISINOPRIL, NAPROXEN, SPIRONOLACTONE, WARFARIN, Chart

from assistant.clinical.flags import RiskReport, evaluate
from assistant.clinical.rules.base import Flag
from assistant.records.domain import LOINC, Coding, Medication, Observation

HCTZ = ("Hydrochlorothiazide 25 MG Oral Tablet", "310798")
AMLODIPINE = ("Amlodipine 5 MG Oral Tablet", "197361")


# The builder's clock at now for every test here (the `today` fixture of tests/clinical/conftest.py).
pytestmark = pytest.mark.usefixtures("today")


def run(c: Chart, as_of: datetime | None = None) -> RiskReport:
    return evaluate(c.build(), as_of)


def by_id(report: RiskReport) -> dict[str, Flag]:
    return {f.id: f for f in report.flags}


# --- 1. urgency ------------------------------------------------------------------------------------
def test_potassium_6_1_on_raising_drugs_is_one_critical_flag_listed_first() -> None:
    c = Chart(age=72)
    c.cond(*HTN)
    lis, spi = c.med(*LISINOPRIL), c.med(*SPIRONOLACTONE)
    k = c.obs("2823-3", 6.1, "mmol/L", days=2)
    c.obs("33914-3", 58, "mL/min/{1.73_m2}", days=150)
    c.obs("33914-3", 36, "mL/min/{1.73_m2}", days=2)  # a high trend, listed after the critical value
    report = run(c)
    first = report.flags[0]
    assert first.id == "lab:potassium:critically-high" and first.severity == "critical"
    assert {lis, spi, k} <= set(first.evidence)
    # the drug-disease caution and the ACE inhibitor + spironolactone interaction are sub-points
    assert len(first.points) == 2 and "same day" in first.explanation
    assert "Related findings: (1)" in first.explanation
    assert not [i for i in by_id(report) if i.startswith(("ddi:", "drug-disease:"))]
    assert report.flags[1].id == "trend:egfr-decline"
    assert first.to_dict()["points"] == list(first.points)


def test_an_old_critical_potassium_is_high_not_critical() -> None:
    c = Chart()
    c.obs("2823-3", 6.3, "mmol/L", days=45)
    assert by_id(run(c))["lab:potassium:critically-high"].severity == "high"


# --- 2. one problem, one flag ----------------------------------------------------------------------
def test_thiazide_nsaid_and_nsaid_with_hypertension_are_one_flag() -> None:
    c = Chart(age=77, sex="female")
    c.cond(*HTN)
    c.med(*HCTZ)
    c.med(*NAPROXEN)
    flags = by_id(run(c))
    nsaid = [f for f in flags.values() if "naproxen" in f.title.lower() or "NSAID" in f.title]
    assert len(nsaid) == 1
    f = nsaid[0]
    assert f.id == "ddi:hydrochlorothiazide+naproxen" and f.severity == "moderate"
    assert any(p.startswith("NSAID with essential hypertension") for p in f.points)


def test_an_unrelated_interaction_is_not_pulled_into_the_potassium_problem() -> None:
    c = Chart()
    c.med(*WARFARIN)
    c.med(*SPIRONOLACTONE)
    c.med(*LISINOPRIL)
    c.obs("2823-3", 5.8, "mmol/L", days=2)
    flags = by_id(run(c))
    potassium = [f for f in flags.values() if "potassium" in f.id or "potassium" in f.title.lower()]
    assert len(potassium) == 1  # K 5.8, the drug-disease caution and the interaction: one flag
    k = potassium[0]
    assert k.severity == "high" and any("lisinopril + spironolactone" in p for p in k.points)
    assert not any("warfarin" in p.lower() for p in k.points)


# --- 3. dose-aware rules -----------------------------------------------------------------------------
@pytest.mark.parametrize("strength,severity", [(20, "info"), (40, "moderate")])
def test_simvastatin_with_amlodipine_by_dose(strength: int, severity: str) -> None:
    c = Chart()
    c.med(f"Simvastatin {strength} MG Oral Tablet")
    c.med(*AMLODIPINE)
    f = by_id(run(c))["ddi:simvastatin+amlodipine"]
    assert f.severity == severity and f"{strength} mg a day" in f.explanation


# --- 4. data currency ------------------------------------------------------------------------------
def test_a_chart_with_only_old_data_says_so_and_calls_old_values_too_old(today: datetime) -> None:
    c = Chart(age=77, sex="female")
    c.cond(*HTN, days=6 * 365)
    c.cond(*DIABETES, days=6 * 365)
    c.bp(168, 94, days=6 * 365)
    c.bp(157, 112, days=7 * 365)
    c.obs("2160-0", 0.84, "mg/dL", days=6 * 365)
    report = run(c)
    flags = by_id(report)
    stale = flags["currency:stale-chart"]
    old_day = (today - timedelta(days=6 * 365)).date().isoformat()
    assert stale.severity == "moderate" and old_day in stale.title
    bp = flags["gap:bp:last-above-target"]
    assert "168/94" in bp.title and f"last on {old_day}" in bp.title
    egfr = next(s for s in report.not_computed if s.calculator_id == "ckd_epi_2021")
    assert egfr.error.startswith("creatinine too old (last 0.84 mg/dL on")  # not 'missing'


def test_recent_high_blood_pressure_is_a_flag() -> None:
    c = Chart(age=60)
    c.cond(*HTN)
    c.bp(168, 94, days=10)
    c.bp(150, 92, days=60)
    f = by_id(run(c))["gap:bp:above-target"]
    assert "168/94" in f.explanation and "130/80" in f.explanation
    assert "currency:stale-chart" not in by_id(run(c))


def test_a_medicine_past_its_end_date_is_inactive_everywhere(today: datetime) -> None:
    c = Chart()
    ref = c.med("Amoxicillin 500 MG Oral Capsule", "308191", days=12)
    c.entries = [Medication(**{**m.__dict__, "end": today - timedelta(days=2)}) if m.ref == ref else m
                 for m in c.entries]
    rec = c.build()
    med = rec.entry(ref)
    assert isinstance(med, Medication) and med.status == "active"
    assert not med.is_active and med.status_at(today) == "ended"
    assert rec.active_medications == () and rec.active_medications_at(today - timedelta(days=5))
    from assistant.clinical.extract import Chart as View

    assert View(rec, today).meds == () and View(rec, today - timedelta(days=5)).meds


# --- 5. one absurd value does not stop the other flags ----------------------------------------------
def test_absurd_values_leave_the_critical_flags_standing() -> None:
    c = Chart(age=70)
    c.cond(*HTN)
    c.cond("44054006", "x" * 100_000)  # a 100,000-character display
    c.obs("2823-3", 6.5, "mmol/L", days=1)
    c.obs("2951-2", 1e308, "mmol/L", days=1)
    c.bp(1e28, 90, days=1)
    c.bp(1e28, 95, days=3)
    rec = c.build()
    odd = Observation(id="odd-date", patient_id=rec.patient.id, code=Coding(LOINC, "4548-4", "HbA1c"),
                      value=7.0, unit="%",
                      effective=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))))
    report = evaluate(rec.with_entries(odd))
    flags = by_id(report)
    assert flags["lab:potassium:critically-high"].severity == "critical"
    assert report.flags[0].severity == "critical"
    news2 = next(s for s in report.not_computed if s.calculator_id == "news2")
    assert news2.error  # says why it was not computed


def test_one_failing_rule_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.clinical.rules.trends as trends

    def boom(chart: object) -> list[Flag]:
        raise OverflowError("absurd value")

    boom.__name__ = "egfr_decline"
    monkeypatch.setattr(trends, "egfr_decline", boom)
    c = Chart()
    c.cond(*DIABETES)
    c.obs("4548-4", 7.0, "%", days=200)
    c.obs("4548-4", 8.2, "%", days=2)
    flags = by_id(run(c))
    assert flags["error:trend:egfr_decline"].severity == "info"
    assert "trend:hba1c-rising" in flags  # the other trend rules of the same group still ran


def test_a_creatinine_just_above_range_on_an_nsaid_is_part_of_the_nsaid_problem() -> None:
    """Reader 17b (Beatrice: creatinine 1.08, 0.04 above range, a standalone MODERATE flag beside
    'Stop now' ibuprofen with warfarin): the raised creatinine is evidence for stopping the NSAID.
    Without an NSAID problem (no NSAID flag) it stays with the kidney findings."""
    c = Chart(age=78)
    c.cond(*HTN)
    c.med(*WARFARIN)
    c.med(*NAPROXEN)
    c.obs("2160-0", 1.08, "mg/dL", days=3, low=0.59, high=1.04)
    flags = by_id(run(c))
    assert not [f for f in flags if f.startswith("lab:creatinine")]
    nsaid = next(f for f in flags.values() if "naproxen" in f.title.lower())
    assert any(p.startswith("Creatinine high") for p in nsaid.points)
    # No NSAID on record: the creatinine is a flag of its own, as before.
    alone = Chart(age=78)
    alone.cond(*HTN)
    alone.obs("2160-0", 1.08, "mg/dL", days=3, low=0.59, high=1.04)
    assert "lab:creatinine:high" in by_id(run(alone))
