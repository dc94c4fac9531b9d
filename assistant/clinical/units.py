"""The unit table (units.csv): canonical spellings for conversion, display spellings, prose spellings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv

FILE = "units.csv"
_ANNOTATION = re.compile(r"\{([^}]*)\}")
# '{score}' (UCUM) or Synthea's '(score)': a word in brackets alone is an annotation, no unit.
_ANNOTATION_ONLY = re.compile(r"\{[^}]*\}|\([A-Za-z -]*\)")


@dataclass(frozen=True)
class UnitTable:
    """The rows of units.csv as look-ups; keys are lower case (and without spaces but for prose)."""

    canonical: dict[str, str]  # spelling -> the unit conversion works in
    display: dict[str, str]  # spelling -> the spelling printed
    prose: dict[str, str]  # spelling after a number in generated text -> what is compared


def _key(unit: str) -> str:
    return unit.strip().replace(" ", "").lower()


@derived_table
def unit_table() -> UnitTable:
    canonical: dict[str, str] = {}
    display: dict[str, str] = {}
    prose: dict[str, str] = {}
    for row in read_csv(FILE):
        spelling = row["spelling"]
        for column, table, key in (("canonical", canonical, _key(spelling)),
                                   ("display", display, _key(spelling)),
                                   ("prose", prose, spelling.lower())):
            value = row[column]
            if not value:
                continue
            if table.get(key, value) != value:  # two rows that differ only in case or spaces
                raise KnowledgeError(f"{FILE}: {spelling!r} has two {column} spellings")
            table[key] = value
    return UnitTable(canonical, display, prose)


def canonical_unit(unit: str) -> str:
    """The canonical spelling of a unit string (unknown units pass through unchanged)."""
    return unit_table().canonical.get(_key(unit), unit.strip())


def unit_key(unit: str) -> str:
    """A comparison key: two spellings of one unit get one key ('mEq/L' and 'mmol/L', 'mm[Hg]' and 'mmHg')."""
    return canonical_unit(unit).replace(" ", "").lower()


def display_unit(unit: str) -> str:
    """How a unit is printed, as clinicians write it: 'mm[Hg]' -> 'mmHg', 'Cel' -> '°C', '10*3/uL' ->
    '×10⁹/L', 'kg/m2' -> 'kg/m²', '{score}' and '(score)' -> '' (an annotation alone is no unit)."""
    unit = (unit or "").strip()
    shown = unit_table().display.get(_key(unit))
    if shown is not None:
        return shown
    if _ANNOTATION_ONLY.fullmatch(unit):
        return ""
    # Inside a unit an annotation carries meaning: mL/min/{1.73_m2} -> mL/min/1.73 m2.
    return _ANNOTATION.sub(r"\1", unit).replace("_", " ").replace("[", "").replace("]", "")


def prose_units() -> dict[str, str]:
    """Spellings the summary verifier reads after a number, each with the unit it compares."""
    return unit_table().prose
