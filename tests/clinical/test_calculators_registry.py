"""Batch B calculators as a set: registration, references, input contracts, serialisation."""

from __future__ import annotations

import json

import pytest

from assistant.clinical.calculators import all_calculators, get
from assistant.errors import BadInputError

# id -> (first author, year) of the primary publication each calculator must cite
BATCH_B = {
    "cha2ds2_vasc": ("Lip", 2010), "has_bled": ("Pisters", 2010), "wells_pe": ("Wells", 2000),
    "wells_dvt": ("Wells", 2003), "perc": ("Kline", 2004), "curb65": ("Lim", 2003),
    "qsofa": ("Seymour", 2016), "sirs": ("Bone", 1992),
    "news2": ("Royal College of Physicians", 2017), "sofa": ("Vincent", 1996),
    "gcs": ("Teasdale", 1974), "heart": ("Six", 2008), "centor": ("McIsaac", 1998),
    "rcri": ("Lee", 1999), "caprini": ("Caprini", 2005), "charlson": ("Charlson", 1987),
    "framingham_chd": ("Wilson", 1998), "pce_ascvd": ("Goff", 2014),
    "glasgow_blatchford": ("Blatchford", 2000), "apache_ii": ("Knaus", 1985),
}


def test_all_batch_b_calculators_registered() -> None:
    ids = {c.id for c in all_calculators()}
    assert set(BATCH_B) <= ids


@pytest.mark.parametrize("calc_id", sorted(BATCH_B))
def test_reference_is_the_primary_publication(calc_id: str) -> None:
    calc = get(calc_id)
    author, year = BATCH_B[calc_id]
    assert calc.reference.first_author == author
    assert calc.reference.year == year
    assert calc.reference.journal and calc.reference.title


@pytest.mark.parametrize("calc_id", sorted(BATCH_B))
def test_input_contract(calc_id: str) -> None:
    calc = get(calc_id)
    names = [i.name for i in calc.inputs]
    assert len(names) == len(set(names)), "duplicate input names"
    for i in calc.inputs:
        if i.required:
            assert i.default is None, f"required input {i.name} must not have a default"
        if i.kind in ("number", "integer"):
            assert i.low is not None and i.high is not None, f"{i.name} needs a plausible range"
        if i.kind == "bool" and not i.required:
            assert i.default is False, f"optional criterion {i.name} must default to absent"
        if i.alt_units:
            assert i.unit, f"{i.name} lists alternative units without a primary unit"
    described = calc.describe()
    assert described["id"] == calc_id
    assert [d["name"] for d in described["inputs"]] == names


@pytest.mark.parametrize("calc_id", sorted(BATCH_B))
def test_empty_input_names_every_missing_required_input(calc_id: str) -> None:
    calc = get(calc_id)
    required = [i.name for i in calc.inputs if i.required]
    if not required:  # wells_dvt and sofa have none; SOFA refuses an empty call itself
        if calc_id == "sofa":
            with pytest.raises(BadInputError, match="no organ system"):
                calc.compute({})
        else:
            assert calc.compute({}).value == 0
        return
    with pytest.raises(BadInputError) as e:
        calc.compute({})
    for name in required:
        assert name in e.value.message


@pytest.mark.parametrize("calc_id", sorted(BATCH_B))
def test_unknown_input_is_refused(calc_id: str) -> None:
    with pytest.raises(BadInputError, match="unknown input.*not_an_input"):
        get(calc_id).compute({"not_an_input": 1})


def test_results_serialise_to_json() -> None:
    r = get("news2").compute({"respiratory_rate": 22, "spo2": 95, "on_oxygen": True, "sbp": 105,
                              "pulse": 115, "consciousness": "alert", "temperature": "101.3 F"})
    d = json.loads(json.dumps(r.to_dict()))
    assert d["id"] == "news2" and d["value"] == 9
    assert d["points"]["air_or_oxygen"] == 2
    assert d["reference"].startswith("Royal College of Physicians. RCP report")


def test_additive_scores_value_equals_sum_of_points() -> None:
    cases = {
        "cha2ds2_vasc": {"age": 70, "sex": "female", "hypertension": True},
        "has_bled": {"age": 70, "drugs": True},
        "wells_pe": {"heart_rate": 110, "hemoptysis": True},
        "curb65": {"urea": 8, "respiratory_rate": 31, "sbp": 120, "dbp": 70, "age": 70},
        "heart": {"history": "moderately", "ecg": "nonspecific", "age": 50, "troponin": "normal",
                  "smoking": True},
        "caprini": {"age": 62, "major_surgery": True},
        "glasgow_blatchford": {"urea": 9, "hemoglobin": 11, "sex": "female", "sbp": 95,
                               "pulse": 105},
        "gcs": {"eye": 3, "verbal": 4, "motor": 5},
        "apache_ii": {"temperature": 38.7, "map": 65, "heart_rate": 115, "respiratory_rate": 26,
                      "fio2": 0.3, "pao2": 65, "ph": 7.31, "sodium": 133, "potassium": 3.3,
                      "creatinine": 1.6, "hematocrit": 29, "wbc": 16, "gcs": 13, "age": 58},
    }
    for calc_id, inputs in cases.items():
        r = get(calc_id).compute(inputs)
        assert r.value == pytest.approx(sum(r.points.values())), calc_id
        assert r.value > 0, calc_id
