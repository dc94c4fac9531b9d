"""Short test names (loinc_display.csv) shown instead of LOINC long names: 'Potassium', 'eGFR (CKD-EPI 2021)'."""

from __future__ import annotations

from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv
from assistant.records.domain import Coding, Component, Observation

FILE = "loinc_display.csv"
LOINC = "http://loinc.org"


@derived_table
def display_table() -> dict[str, str]:
    """LOINC code -> the short name a clinician reads."""
    out: dict[str, str] = {}
    for row in read_csv(FILE):
        code, display = row["loinc"], row["display"]
        if not code or not display:
            raise KnowledgeError(f"{FILE}: every row needs a code and a display")
        if out.get(code, display) != display:
            raise KnowledgeError(f"{FILE}: {code} has two displays")
        out[code] = display
    return out


def display_name(code: Coding) -> str:
    """The name a test is shown by: the table's short name for a LOINC code, else the record's own
    display (a local code, or LOINC not in the table), else the bare code."""
    if code.code and (code.system in (LOINC, "") or code.system.endswith("loinc.org")):
        short = display_table().get(code.code)
        if short:
            return short
    return code.display or code.code


def observation_name(o: Observation) -> str:
    """An observation's test name: 'HbA1c', not 'Hemoglobin A1c/Hemoglobin.total in Blood'."""
    return display_name(o.code) or o.name


def component_name(c: Component) -> str:
    """A component's name: 'Systolic BP', 'Diastolic BP'."""
    return display_name(c.code)
