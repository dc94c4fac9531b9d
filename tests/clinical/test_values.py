"""One value formatter, one unit table, one reference-range reader: every layer reads a value alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.clinical.reference_ranges import general_range
from assistant.clinical.units import canonical_unit, display_unit, prose_units, unit_key
from assistant.clinical.values import format_number, format_value, observation_value
from assistant.records.domain import LOINC, Coding, Component, Observation

GLUCOSE, POTASSIUM, CREATININE = "2345-7", "2823-3", "2160-0"
WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _obs(code: str, name: str, value: float | None, unit: str, **kw) -> Observation:
    return Observation(id=f"o-{code}", patient_id="p1", code=Coding(LOINC, code, name), value=value, unit=unit,
                       effective=WHEN, category="laboratory", status="final", **kw)


@pytest.mark.parametrize(("value", "unit", "code", "expected"), [
    (145.6, "mg/dL", None, "145.6 mg/dL"),  # no analyte: as the record gave it
    (1234.5, "mg/dL", None, "1234.5 mg/dL"),
    (0.015, "mg/L", None, "0.015 mg/L"),
    (7.0, "%", None, "7 %"),
    (145.6, "mg/dL", GLUCOSE, "146 mg/dL"),  # glucose in mg/dL: whole numbers
    (3.812, "mmol/L", POTASSIUM, "3.8 mmol/L"),  # potassium: one decimal, trailing zero kept
    (5.0, "mEq/L", POTASSIUM, "5.0 mEq/L"),
    (0.7539, "mg/dL", CREATININE, "0.75 mg/dL"),
    (88.4, "umol/L", CREATININE, "88.4 umol/L"),  # the row's decimals belong to mg/dL only
    (37.04, "Cel", "8310-5", "37.0 °C"),
    (2.35, "{score}", None, "2.35"),
])
def test_format_value(value: float, unit: str, code: str | None, expected: str) -> None:
    assert format_value(value, unit, code) == expected


def test_no_negative_zero() -> None:
    assert format_number(-0.04, "mmol/L", POTASSIUM) == "0.0"


@pytest.mark.parametrize(("unit", "shown"), [
    ("mm[Hg]", "mmHg"), ("Cel", "°C"), ("degC", "°C"), ("{score}", ""), ("(score)", ""),
    ("10*3/uL", "×10⁹/L"), ("K/uL", "×10⁹/L"), ("10*6/uL", "×10¹²/L"), ("kg/m2", "kg/m²"), ("ug", "mcg"),
    ("mL/min/{1.73_m2}", "mL/min/1.73 m²"), ("mg/dL", "mg/dL"), ("", ""),
])
def test_display_units(unit: str, shown: str) -> None:
    assert display_unit(unit) == shown


def test_one_unit_table_for_conversion_and_prose() -> None:
    assert canonical_unit("mEq/L") == canonical_unit("mmol/l") == "mmol/L"
    assert canonical_unit("10^3/uL") == canonical_unit("K/uL") == "10^9/L"
    assert canonical_unit("furlongs") == "furlongs"  # unknown spellings pass through
    assert unit_key("mm[Hg]") == unit_key("mm Hg") == unit_key("mmHg")
    assert unit_key("{beats}/min") == unit_key("/min")
    assert prose_units()["meq/l"] == prose_units()["mmol/l"] == "mmol/l"
    assert prose_units()["tablets"] == "tablet"


def test_blood_pressure_reads_systolic_first() -> None:
    o = _obs("85354-9", "Blood pressure panel", None, "", components=(
        Component(Coding(LOINC, "8462-4", "Diastolic"), 84.52, "mm[Hg]"),
        Component(Coding(LOINC, "8480-6", "Systolic"), 115.07, "mm[Hg]")))
    assert observation_value(o) == "115/85 mmHg"


def test_reference_ranges_read_once_with_one_unit_rule() -> None:
    k = general_range("potassium", "female", "mEq/L")
    assert k is not None and (k.low, k.high) == (3.5, 5.1)
    assert general_range("alt", "male", "IU/L") is not None  # IU/L is the table's U/L
    assert general_range("creatinine", "male", "umol/L") is None  # another unit: not read against it
    cr = general_range("creatinine", "female", "mg/dL")
    assert cr is not None and cr.sex == "female"  # the sex-specific row
    assert general_range("not-an-analyte", "male", "mg/dL") is None
