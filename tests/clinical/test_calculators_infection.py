"""Batch B calculators: CURB-65, qSOFA, SIRS, Centor/McIsaac."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.errors import BadInputError


def run(calc_id: str, **inputs: Any):
    return get(calc_id).compute(inputs)


# --- CURB-65 (Lim, Thorax 2003) ------------------------------------------------------------------

CURB_NORMAL = {"urea": 5.0, "respiratory_rate": 16, "sbp": 120, "dbp": 80, "age": 40}


@pytest.mark.parametrize("change, criterion, pts", [
    ({"confusion": True}, "confusion", 1),
    ({"urea": 7.0}, "urea", 0), ({"urea": 7.1}, "urea", 1),
    ({"urea": "19 mg/dL"}, "urea", 0), ({"urea": "20 mg/dL"}, "urea", 1),
    ({"respiratory_rate": 29}, "respiratory_rate", 0), ({"respiratory_rate": 30}, "respiratory_rate", 1),
    ({"sbp": 90}, "blood_pressure", 0), ({"sbp": 89}, "blood_pressure", 1),
    ({"dbp": 61}, "blood_pressure", 0), ({"dbp": 60}, "blood_pressure", 1),
    ({"age": 64}, "age", 0), ({"age": 65}, "age", 1),
])
def test_curb65_each_criterion(change: dict, criterion: str, pts: int) -> None:
    r = run("curb65", **{**CURB_NORMAL, **change})
    assert r.points[criterion] == pts
    assert r.value == pts


def test_curb65_groups() -> None:
    # Lim 2003: group 1 (0-1) 1.5%, group 2 (2) 9.2%, group 3 (3-5) 22% 30-day mortality
    def score(**change: Any):
        return run("curb65", **{**CURB_NORMAL, **change})

    assert score(age=70).interpretation.startswith("group 1")
    assert "1.5%" in score().interpretation
    r2 = score(age=70, confusion=True)
    assert r2.value == 2 and r2.interpretation.startswith("group 2") and "9.2%" in r2.interpretation
    r3 = score(age=70, confusion=True, urea=9)
    assert r3.value == 3 and r3.interpretation.startswith("group 3") and "22%" in r3.interpretation
    r5 = score(age=70, confusion=True, urea=9, respiratory_rate=32, sbp=85)
    assert r5.value == 5 and r5.interpretation.startswith("group 3")


def test_curb65_urea_required() -> None:
    with pytest.raises(BadInputError, match="missing required input.*urea"):
        run("curb65", respiratory_rate=16, sbp=120, dbp=80, age=40)


# --- qSOFA (Seymour, JAMA 2016) ------------------------------------------------------------------

@pytest.mark.parametrize("rr, sbp, altered, gcs, expected", [
    (21, 101, False, None, {"respiratory_rate": 0, "sbp": 0, "altered_mentation": 0}),
    (22, 101, False, None, {"respiratory_rate": 1, "sbp": 0, "altered_mentation": 0}),
    (21, 100, False, None, {"respiratory_rate": 0, "sbp": 1, "altered_mentation": 0}),
    (21, 101, True, None, {"respiratory_rate": 0, "sbp": 0, "altered_mentation": 1}),
    (21, 101, False, 14, {"respiratory_rate": 0, "sbp": 0, "altered_mentation": 1}),
    (21, 101, False, 15, {"respiratory_rate": 0, "sbp": 0, "altered_mentation": 0}),
])
def test_qsofa_criteria(rr: int, sbp: int, altered: bool, gcs: int | None, expected: dict) -> None:
    r = run("qsofa", respiratory_rate=rr, sbp=sbp, altered_mentation=altered, gcs=gcs)
    assert dict(r.points) == expected
    assert r.value == sum(expected.values())
    assert r.interpretation == "negative"


def test_qsofa_positive_at_two() -> None:
    r = run("qsofa", respiratory_rate=24, sbp=95)
    assert r.value == 2 and r.interpretation.startswith("positive")
    assert run("qsofa", respiratory_rate=30, sbp=80, gcs=10).value == 3


def test_qsofa_missing_sbp() -> None:
    with pytest.raises(BadInputError, match="sbp"):
        run("qsofa", respiratory_rate=24)


# --- SIRS (Bone, Chest 1992) ---------------------------------------------------------------------

SIRS_NORMAL = {"temperature": 37.0, "heart_rate": 80, "respiratory_rate": 16, "wbc": 8}


@pytest.mark.parametrize("change, criterion, met", [
    ({"temperature": 38.0}, "temperature", 0), ({"temperature": 38.1}, "temperature", 1),
    ({"temperature": 36.0}, "temperature", 0), ({"temperature": 35.9}, "temperature", 1),
    # 100.4 F is exactly 38.0 C: not >38 despite float noise in the conversion
    ({"temperature": "100.4 F"}, "temperature", 0), ({"temperature": "100.6 °F"}, "temperature", 1),
    ({"temperature": "96.6 F"}, "temperature", 1),
    ({"heart_rate": 90}, "heart_rate", 0), ({"heart_rate": 91}, "heart_rate", 1),
    ({"respiratory_rate": 20}, "respiratory", 0), ({"respiratory_rate": 21}, "respiratory", 1),
    ({"paco2": 32}, "respiratory", 0), ({"paco2": 31.9}, "respiratory", 1),
    ({"wbc": 12}, "wbc", 0), ({"wbc": 12.1}, "wbc", 1), ({"wbc": 4}, "wbc", 0),
    ({"wbc": 3.9}, "wbc", 1), ({"bands": 10}, "wbc", 0), ({"bands": 11}, "wbc", 1),
])
def test_sirs_each_criterion(change: dict, criterion: str, met: int) -> None:
    r = run("sirs", **{**SIRS_NORMAL, **change})
    assert r.points[criterion] == met
    assert r.value == met
    assert r.interpretation == "SIRS criteria not met"


def test_sirs_present_and_sepsis_1992() -> None:
    r = run("sirs", **{**SIRS_NORMAL, "temperature": 38.5, "heart_rate": 110})
    assert r.value == 2 and r.interpretation == "SIRS present (2/4 criteria)"
    s = run("sirs", **{**SIRS_NORMAL, "temperature": 38.5, "heart_rate": 110, "wbc": 15,
                       "respiratory_rate": 24}, suspected_infection=True)
    assert s.value == 4 and "sepsis by the 1992 ACCP/SCCM definition" in s.interpretation


def test_sirs_wbc_required_and_unit_checked() -> None:
    with pytest.raises(BadInputError, match="wbc"):
        run("sirs", temperature=37, heart_rate=80, respiratory_rate=16)
    with pytest.raises(BadInputError, match="temperature"):
        run("sirs", **{**SIRS_NORMAL, "temperature": "310 K"})


# --- Centor (1981) / McIsaac (CMAJ 1998) ---------------------------------------------------------

@pytest.mark.parametrize("criterion", ["tonsillar_exudate", "tender_anterior_nodes", "fever",
                                       "cough_absent"])
def test_centor_each_criterion(criterion: str) -> None:
    r = run("centor", age=30, **{criterion: True})
    assert r.points[criterion] == 1
    assert r.value == 1 and r.details["centor_score"] == 1


@pytest.mark.parametrize("age, pts", [(3, 1), (14, 1), (14.9, 1), (15, 0), (44, 0), (44.9, 0),
                                      (45, -1), (80, -1)])
def test_mcisaac_age_modification(age: float, pts: int) -> None:
    r = run("centor", age=age)
    assert r.points["age"] == pts
    assert r.value == pts
    assert r.details["centor_score"] == 0


def test_centor_value_is_mcisaac_and_bands() -> None:
    all4 = {"tonsillar_exudate": True, "tender_anterior_nodes": True, "fever": True,
            "cough_absent": True}
    r = run("centor", age=10, **all4)
    assert (r.value, r.details["centor_score"]) == (5, 4)
    assert r.details["score_type"] == "McIsaac (modified Centor)"
    assert "empirical antibiotic" in r.interpretation
    assert run("centor", age=50).value == -1
    # McIsaac 1998: <=1 no culture/antibiotic; 2-3 culture; >=4 culture and consider antibiotic
    one = run("centor", age=50, fever=True, cough_absent=True)
    assert one.value == 1 and "no throat culture" in one.interpretation
    two = run("centor", age=30, fever=True, cough_absent=True)
    assert two.value == 2 and "throat culture (or rapid antigen test)" in two.interpretation
    three = run("centor", age=30, fever=True, cough_absent=True, tonsillar_exudate=True)
    assert three.value == 3 and "antibiotic only if positive" in three.interpretation
    four = run("centor", age=50, **all4)
    assert four.value == 3 and four.details["centor_score"] == 4


def test_centor_age_required_and_range() -> None:
    with pytest.raises(BadInputError, match="age"):
        run("centor", fever=True)
    with pytest.raises(BadInputError, match="age"):
        run("centor", age=2)
