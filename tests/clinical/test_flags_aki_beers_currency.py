"""Issue 14 follow-ups: KDIGO acute kidney injury, Beers NSAID escalation, blood pressure currency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import test_chart_builder as builder
from test_chart_builder import HTN, Chart

from assistant.clinical.flags import RiskReport, evaluate
from assistant.clinical.rules.base import Flag


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> datetime:
    now = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr(builder, "AS_OF", now)
    return now


def run(c: Chart) -> RiskReport:
    return evaluate(c.build())


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
