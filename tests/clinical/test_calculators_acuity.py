"""Batch B calculators: NEWS2 and the Glasgow Coma Scale."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.clinical.calculators import get
from assistant.errors import BadInputError


def run(calc_id: str, **inputs: Any):
    return get(calc_id).compute(inputs)


# --- NEWS2 (Royal College of Physicians 2017, chart 1 and the SpO2 scale 2 rows) --------------

NORMAL = {"respiratory_rate": 16, "spo2": 97, "on_oxygen": False, "sbp": 120, "pulse": 70,
          "consciousness": "alert", "temperature": 37.0}


def news(**change: Any):
    return run("news2", **{**NORMAL, **change})


def test_news2_normal_observations_score_zero() -> None:
    r = news()
    assert r.value == 0
    assert all(p == 0 for p in r.points.values())
    assert r.interpretation.startswith("low clinical risk")


@pytest.mark.parametrize("rr, pts", [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2),
                                     (25, 3), (0, 3)])
def test_news2_respiration_rate(rr: int, pts: int) -> None:
    assert news(respiratory_rate=rr).points["respiratory_rate"] == pts


@pytest.mark.parametrize("spo2, pts", [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0),
                                       (100, 0)])
def test_news2_spo2_scale_1(spo2: int, pts: int) -> None:
    assert news(spo2=spo2).points["spo2"] == pts


@pytest.mark.parametrize("spo2, oxygen, pts", [
    (83, False, 3), (84, False, 2), (85, False, 2), (86, False, 1), (87, False, 1), (88, False, 0),
    (92, False, 0), (92, True, 0), (93, False, 0), (100, False, 0), (93, True, 1), (94, True, 1),
    (95, True, 2), (96, True, 2), (97, True, 3), (100, True, 3),
])
def test_news2_spo2_scale_2(spo2: int, oxygen: bool, pts: int) -> None:
    r = news(spo2=spo2, on_oxygen=oxygen, spo2_scale=2)
    assert r.points["spo2"] == pts
    assert r.details["spo2_scale"] == 2


def test_news2_air_or_oxygen() -> None:
    r = news(on_oxygen=True)
    assert r.points["air_or_oxygen"] == 2 and r.value == 2


@pytest.mark.parametrize("sbp, pts", [(90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0),
                                      (219, 0), (220, 3)])
def test_news2_systolic_bp(sbp: int, pts: int) -> None:
    assert news(sbp=sbp).points["sbp"] == pts


@pytest.mark.parametrize("pulse, pts", [(40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1),
                                        (110, 1), (111, 2), (130, 2), (131, 3)])
def test_news2_pulse(pulse: int, pts: int) -> None:
    assert news(pulse=pulse).points["pulse"] == pts


@pytest.mark.parametrize("level, pts", [("alert", 0), ("confusion", 3), ("voice", 3), ("pain", 3),
                                        ("unresponsive", 3), ("Voice", 3)])
def test_news2_consciousness_acvpu(level: str, pts: int) -> None:
    assert news(consciousness=level).points["consciousness"] == pts


@pytest.mark.parametrize("temp, pts", [(35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0),
                                       (38.1, 1), (39.0, 1), (39.1, 2), (41.0, 2)])
def test_news2_temperature(temp: float, pts: int) -> None:
    assert news(temperature=temp).points["temperature"] == pts


@pytest.mark.parametrize("fahrenheit, pts", [("95.0 F", 3), ("96.8 °F", 1), ("100.4 F", 0),
                                             ("102.2 F", 1), ("102.4 F", 2)])
def test_news2_temperature_in_fahrenheit(fahrenheit: str, pts: int) -> None:
    # 95.0 F = 35.0 C, 96.8 F = 36.0 C, 100.4 F = 38.0 C, 102.2 F = 39.0 C, 102.4 F = 39.1 C
    assert news(temperature=fahrenheit).points["temperature"] == pts


def test_news2_aggregate_bands() -> None:
    four = news(respiratory_rate=22, pulse=115)  # 2 + 2
    assert four.value == 4 and four.interpretation.startswith("low clinical risk")
    red = news(respiratory_rate=26)  # a single 3 with aggregate 3
    assert red.value == 3 and red.interpretation.startswith("low-medium clinical risk")
    assert red.details["red_parameters"] == ["respiratory_rate"]
    five = news(on_oxygen=True, pulse=111, temperature=38.5)  # 2 + 2 + 1
    assert five.value == 5 and five.interpretation.startswith("medium clinical risk")
    six = news(on_oxygen=True, pulse=111, temperature=39.5)  # 2 + 2 + 2
    assert six.value == 6 and six.interpretation.startswith("medium clinical risk")
    # a red score inside an aggregate of 5-6 is reported by the aggregate (medium), not low-medium
    red5 = news(consciousness="voice", on_oxygen=True)
    assert red5.value == 5 and red5.interpretation.startswith("medium clinical risk")
    seven = news(on_oxygen=True, pulse=111, respiratory_rate=26)  # 2 + 2 + 3
    assert seven.value == 7 and seven.interpretation.startswith("high clinical risk")


def test_news2_worked_example() -> None:
    # RR 23 (2), SpO2 93% scale 1 (2), on oxygen (2), SBP 98 (2), pulse 118 (2), new
    # confusion (3), 38.4 C (1): aggregate 14, high clinical risk.
    r = news(respiratory_rate=23, spo2=93, on_oxygen=True, sbp=98, pulse=118,
             consciousness="confusion", temperature=38.4)
    assert dict(r.points) == {"respiratory_rate": 2, "spo2": 2, "air_or_oxygen": 2, "sbp": 2,
                              "pulse": 2, "consciousness": 3, "temperature": 1}
    assert r.value == 14
    assert r.interpretation.startswith("high clinical risk")


def test_news2_input_errors() -> None:
    with pytest.raises(BadInputError, match="on_oxygen"):
        run("news2", **{k: v for k, v in NORMAL.items() if k != "on_oxygen"})
    with pytest.raises(BadInputError, match="spo2.*whole number"):
        news(spo2=91.5)
    with pytest.raises(BadInputError, match="spo2_scale"):
        news(spo2_scale=3)
    with pytest.raises(BadInputError, match="consciousness"):
        news(consciousness="drowsy")
    with pytest.raises(BadInputError, match="temperature"):
        news(temperature=50)


# --- GCS (Teasdale, Lancet 1974) -----------------------------------------------------------------

@pytest.mark.parametrize("e, v, m, total, band", [
    (4, 5, 6, 15, "normal"), (3, 5, 6, 14, "mild"), (3, 4, 6, 13, "mild"), (3, 4, 5, 12, "moderate"),
    (2, 2, 5, 9, "moderate"), (2, 2, 4, 8, "severe (coma)"), (1, 1, 1, 3, "severe (coma)"),
])
def test_gcs_total_and_bands(e: int, v: int, m: int, total: int, band: str) -> None:
    r = run("gcs", eye=e, verbal=v, motor=m)
    assert r.value == total
    assert r.interpretation == band
    assert dict(r.points) == {"eye": e, "verbal": v, "motor": m}
    assert r.details["notation"] == f"E{e}V{v}M{m}"


def test_gcs_component_descriptions() -> None:
    r = run("gcs", eye=2, verbal=3, motor=4)
    assert (r.details["eye"], r.details["verbal"], r.details["motor"]) == (
        "to pain", "inappropriate words", "normal flexion (withdrawal)")


@pytest.mark.parametrize("bad", [{"eye": 5}, {"verbal": 0}, {"motor": 7}, {"motor": 5.5}])
def test_gcs_out_of_range_components(bad: dict) -> None:
    name = next(iter(bad))
    with pytest.raises(BadInputError, match=name):
        run("gcs", **{"eye": 4, "verbal": 5, "motor": 6, **bad})


def test_gcs_missing_component() -> None:
    with pytest.raises(BadInputError, match="missing required input.*motor"):
        run("gcs", eye=4, verbal=5)
