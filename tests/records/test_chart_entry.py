"""Chart entry in the core: checks that name the field, entries with author and time, corrections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.records import chart_entry as ce
from assistant.records.domain import Allergy, Condition, Medication
from assistant.records.entry_checks import FieldError, parse_bp, parse_number

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
WHO = ce.Author("Dr Ada Admin", NOW)


def test_vitals_become_observations_with_author_and_time() -> None:
    obs = ce.build_vitals("p1", ce.Vitals(128, 82, pulse=72, temperature=36.8, spo2=97), NOW, WHO)
    bp = obs[0]
    assert bp.code.code == "85354-9" and [c.value for c in bp.components] == [128, 82]
    assert {o.code.code for o in obs[1:]} == {"8867-4", "8310-5", "59408-5"}
    assert all(o.recorded_by == "Dr Ada Admin" and o.recorded_at == NOW and o.category == "vital-signs"
               for o in obs)
    assert len({o.id for o in obs}) == len(obs)


@pytest.mark.parametrize(("text", "field", "words"), [
    ("400/20", "bp", "400"), ("80/120", "bp", "not below systolic"), ("128", "bp", "systolic/diastolic"),
    ("12x/80", "bp", "not a number"),
])
def test_bad_pressures_are_refused_naming_the_field(text: str, field: str, words: str) -> None:
    with pytest.raises(FieldError) as e:
        parse_bp(field, text)
    assert e.value.field == field and words in e.value.text


def test_impossible_vitals_and_future_dates_are_refused() -> None:
    with pytest.raises(FieldError) as e:
        ce.build_vitals("p1", ce.Vitals(spo2=140), NOW, WHO)
    assert e.value.field == "spo2"
    with pytest.raises(FieldError) as e:
        ce.build_vitals("p1", ce.Vitals(pulse=72), NOW + timedelta(days=2), WHO)
    assert e.value.field == "date" and "future" in e.value.text
    with pytest.raises(FieldError) as e:
        ce.build_vitals("p1", ce.Vitals(), NOW, WHO)
    assert "at least one" in e.value.text
    with pytest.raises(FieldError):
        parse_number("pulse", "seventy")


def test_stop_and_change_dose_keep_the_old_order() -> None:
    med = ce.start_medication("p1", "Lisinopril", "10 mg", WHO, NOW - timedelta(days=30), frequency="daily")
    stopped = ce.stop_medication(med, "cough", WHO)
    assert stopped.id == med.id and stopped.status == "stopped" and stopped.status_reason == "cough"
    assert not stopped.active_at(NOW + timedelta(minutes=1))
    with pytest.raises(FieldError) as e:
        ce.stop_medication(med, "  ", WHO)
    assert e.value.field == "reason"
    old, new = ce.change_dose(med, "20 mg", WHO)
    assert isinstance(old, Medication) and old.status == "stopped"
    assert new.dose_text == "20 mg" and new.supersedes == med.ref and new.id != med.id and new.status == "active"


def test_allergies_and_the_no_known_allergies_statement() -> None:
    a = ce.build_allergy("p1", "Penicillin", WHO, reaction="anaphylaxis", criticality="high")
    assert a.is_active and a.verification_status == "confirmed"
    with pytest.raises(FieldError) as e:
        ce.build_allergy("p1", "Penicillin", WHO, criticality="deadly")
    assert e.value.field == "criticality"
    with pytest.raises(FieldError):
        ce.no_known_allergies("p1", (a,), WHO)
    nka = ce.no_known_allergies("p1", (), WHO)
    assert isinstance(nka, Allergy) and nka.is_no_known and not nka.is_active


def test_problems_resolve_and_corrections_supersede() -> None:
    c = ce.add_problem("p1", "Hypertension", WHO)
    assert isinstance(c, Condition) and c.is_active
    resolved = ce.set_problem_status(c, "resolved", WHO)
    assert not resolved.is_active and resolved.abatement == NOW and resolved.id == c.id
    with pytest.raises(FieldError):
        ce.set_problem_status(resolved, "resolved", WHO)
    (k,) = ce.build_vitals("p1", ce.Vitals(pulse=72), NOW, WHO)
    old, new = ce.correct_observation(k, WHO, value=68)
    assert old.status == "entered-in-error" and old.value == 72
    assert new.status == "amended" and new.value == 68 and new.supersedes == k.ref
    with pytest.raises(FieldError):
        ce.correct_observation(old, WHO, value=70)
