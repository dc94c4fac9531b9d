"""Statin intensity by drug and daily dose from the ACC/AHA 2018 table (resources/knowledge/statin_intensity.csv)."""

from __future__ import annotations

import re

from assistant.clinical.extract.drugs import ingredients_in_text
from assistant.clinical.knowledge import derived_table, read_csv

_DOSE = re.compile(r"(\d+(?:\.\d+)?)\s*mg\b", re.IGNORECASE)


@derived_table
def _table() -> tuple[tuple[str, float, float, str], ...]:
    return tuple((r["ingredient"], float(r["min_mg"]), float(r["max_mg"]), r["intensity"])
                 for r in read_csv("statin_intensity.csv"))


def statin_intensity(text: str) -> tuple[str, str, float] | None:
    """(ingredient, intensity, mg) for a medication text such as 'Simvastatin 20 MG Oral Tablet',
    or None when it names no tabled statin or no dose. A dose outside every row gives intensity ''.

    The statin is found as every other medicine is (whole words, with the brand names and other
    spellings of drug_ingredients.csv: 'Zocor', Synthea's 'Simvistatin'), so a statin the class
    table knows is never one the intensity table misses."""
    named = ingredients_in_text(text)
    dose = _DOSE.search(text)
    for ingredient in dict.fromkeys(r[0] for r in _table()):
        if ingredient in named:
            if dose is None:
                return None
            mg = float(dose.group(1))
            found = next((r[3] for r in _table() if r[0] == ingredient and r[1] <= mg <= r[2]), "")
            return ingredient, found, mg
    return None


def statin_label(text: str) -> str:
    """'moderate-intensity statin (simvastatin 20 mg, ACC/AHA 2018 table)', or '' if not a tabled statin."""
    found = statin_intensity(text)
    if found is None:
        return ""
    ingredient, intensity, mg = found
    dose = f"{mg:g} mg"
    if not intensity:
        return f"statin ({ingredient} {dose}: dose outside the ACC/AHA 2018 intensity table)"
    return f"{intensity}-intensity statin ({ingredient} {dose}, ACC/AHA 2018 table)"
