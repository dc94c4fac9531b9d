"""Short test names: every LOINC code in the demo patients and the shared Synthea bundles has one."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.clinical.display_names import (
    component_name,
    display_name,
    display_table,
    observation_name,
)
from assistant.clinical.knowledge import read_csv
from assistant.records.domain import Coding, Component, Observation
from tools.loinc_codes import codes_in

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo"
SYNTHEA = ROOT.parent / "shared" / "fhir" / "synthea-r4"
LOINC = "http://loinc.org"


def test_every_loinc_code_in_the_demo_patients_has_a_short_name() -> None:
    codes = codes_in([DEMO])
    assert len(codes) > 30
    assert sorted(set(codes) - set(display_table())) == []


def test_every_loinc_code_in_the_shared_synthea_bundles_has_a_short_name() -> None:
    if not SYNTHEA.is_dir():
        pytest.skip("shared Synthea bundles not available")
    codes = codes_in([SYNTHEA])
    assert len(codes) > 50
    assert sorted(set(codes) - set(display_table())) == []


def test_every_row_is_sourced_short_and_not_the_long_name() -> None:
    for row in read_csv("loinc_display.csv"):
        assert row["source"] == "LOINC 2.76 short name / common clinical usage"
        assert len(row["display"]) <= 40, row
        assert "[" not in row["display"] and "/1.73 sq M" not in row["display"], row


@pytest.mark.parametrize(("code", "long_name", "short"), [
    ("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "Potassium"),
    ("98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or "
                "Blood by Creatinine-based formula (CKD-EPI 2021)", "eGFR (CKD-EPI 2021)"),
    ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "HbA1c"),
    ("18262-6", "Low Density Lipoprotein Cholesterol", "LDL cholesterol"),
])
def test_observations_are_named_by_the_short_name(code: str, long_name: str, short: str) -> None:
    assert observation_name(Observation(id="o", patient_id="p", code=Coding(LOINC, code, long_name))) == short


def test_a_code_outside_the_table_keeps_the_record_display() -> None:
    assert display_name(Coding(LOINC, "00000-0", "Something rare")) == "Something rare"
    assert display_name(Coding("http://local", "2823-3", "Local potassium")) == "Local potassium"
    assert display_name(Coding(LOINC, "99999-9", "")) == "99999-9"


def test_blood_pressure_components_are_named_short() -> None:
    sbp = Component(code=Coding(LOINC, "8480-6", "Systolic blood pressure"), value=168.0, unit="mm[Hg]")
    assert component_name(sbp) == "Systolic BP"
