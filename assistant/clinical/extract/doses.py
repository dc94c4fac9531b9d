"""Daily dose of one ingredient from a medication's dosage text and product name ('Simvastatin 20 MG')."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .drugs import ResolvedMed

_MG = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(mg|milligrams?|micrograms?|mcg|µg)\b", re.I)
_STRENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*MG(?!\s*/)", re.I)  # '20 MG', not '0.25 MG/ACTUAT'
_UNITS = re.compile(r"\b(\d+|one|two|three|four)\s+(tablets?|capsules?)\b", re.I)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}
# How many administrations a day, by the wording prescriptions use.
_TIMES = ((re.compile(r"\b(once|one time)\b|\bat night\b|\bdaily\b|\bevery morning\b", re.I), 1),
          (re.compile(r"\b(twice|two times|bid|every 12 hours)\b", re.I), 2),
          (re.compile(r"\b(three times|tid|every 8 hours)\b", re.I), 3),
          (re.compile(r"\b(four times|qid|every 6 hours)\b", re.I), 4))


@dataclass(frozen=True)
class DailyDose:
    mg: float
    assumed: str = ""  # what was assumed ('once daily'), shown beside the dose; '' when all stated

    def text(self) -> str:
        from .chart import fmt

        return f"{fmt(self.mg)} mg a day" + (f" (assuming {self.assumed})" if self.assumed else "")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _per_dose_mg(text: str) -> float | None:
    m = _MG.search(text)
    if m is None:
        return None
    value = _number(m.group(1))
    return value / 1000 if m.group(2).lower() in ("mcg", "µg", "microgram", "micrograms") else value


def _times_a_day(text: str) -> int | None:
    # the most frequent wording wins: 'twice daily' also contains 'daily'
    found = [n for pattern, n in _TIMES if pattern.search(text)]
    return max(found) if found else None


def daily_dose_mg(med: ResolvedMed) -> DailyDose | None:
    """The daily dose of a single-ingredient product in mg, or None when it cannot be read.

    The dose per administration comes from the dosage text ('Take 2 tablets (1,000 mg)'), else the
    number of tablets times the strength in the name; the frequency from the dosage text or the
    frequency field. A product with a strength and no dosage is taken as one unit once daily, and
    the result says so.
    """
    if len(med.ingredients) != 1:
        return None
    m = med.med
    strengths = _STRENGTH.findall(f"{m.name} {m.code.display}")
    strength = float(strengths[0]) if len(set(strengths)) == 1 else None
    dosage = f"{m.dose_text} {m.frequency}"
    per_dose = _per_dose_mg(m.dose_text)
    assumed: list[str] = []
    if per_dose is None and strength is not None:
        units = _UNITS.search(m.dose_text)
        count = 1.0
        if units:
            count = float(_WORDS.get(units.group(1).lower(), 0) or units.group(1))
        else:
            assumed.append("one unit a dose")
        per_dose = count * strength
    if per_dose is None:
        return None
    times = _times_a_day(dosage)
    if times is None:
        times = 1
        assumed.append("once daily")
    return DailyDose(per_dose * times, " and ".join(assumed))


def over_limit(med: ResolvedMed, limit_mg: float) -> tuple[bool | None, DailyDose | None]:
    """(True/False, dose) when the daily dose is known; (None, None) when it cannot be read."""
    dose = daily_dose_mg(med)
    if dose is None:
        return None, None
    return dose.mg > limit_mg + 1e-9, dose


def parse_limit(cell: str, where: str) -> tuple[str, float] | None:
    """'simvastatin>20' -> ('simvastatin', 20.0); '' -> None (a table's dose_limit cell)."""
    from assistant.clinical.knowledge import KnowledgeError

    if not cell.strip():
        return None
    name, sep, mg = cell.partition(">")
    try:
        limit = float(mg)
    except ValueError:
        limit = -1.0
    if not sep or not name.strip() or limit <= 0:
        raise KnowledgeError(f"{where}: dose_limit must be INGREDIENT>MG, not {cell!r}")
    return name.strip(), limit
