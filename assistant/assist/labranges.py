"""Reference intervals for fact-sheet labs: the result's own range first, else the clinical knowledge table."""

from __future__ import annotations

import logging
from functools import lru_cache

from assistant.records.domain import Observation

from .vocabulary import LabSpec

log = logging.getLogger(__name__)
Range = tuple[float | None, float | None]


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], ...]:
    # The clinical engine owns lab_reference_ranges.csv (with its sources); we only read the rows
    # that apply without a medication context. If the table cannot be read, results fall back to
    # their own reference range and interpretation code, which is what the laboratory said.
    try:
        from assistant.clinical.knowledge import read_csv

        return tuple(r for r in read_csv("lab_reference_ranges.csv") if not r.get("context"))
    except Exception as e:  # noqa: BLE001 - a broken optional table must not break the summary
        log.warning("lab reference table unavailable, using result ranges only: %s", e)
        return ()


def _float(cell: str | None) -> float | None:
    try:
        return float(cell) if cell not in (None, "") else None
    except ValueError:
        return None


def _units_match(table_unit: str, unit: str) -> bool:
    same = {"10^9/l": "10*3/ul", "k/ul": "10*3/ul", "meq/l": "mmol/l"}
    a, b = table_unit.strip().lower(), unit.strip().lower()
    return not a or a == b or same.get(a, a) == same.get(b, b)


def _row(analyte: str, obs: Observation, sex: str) -> dict[str, str] | None:
    rows = [r for r in _table() if r.get("analyte") == analyte and r.get("sex", "") in ("", sex)
            and _units_match(r.get("unit", ""), obs.unit)]
    rows.sort(key=lambda r: r.get("sex", "") == "")  # a sex-specific interval wins
    return rows[0] if rows else None


def reference_range(spec: LabSpec, obs: Observation, sex: str) -> Range | None:
    """The result's own range, else the knowledge table's, else the vocabulary's fallback."""
    if obs.reference_low is not None or obs.reference_high is not None:
        return (obs.reference_low, obs.reference_high)
    row = _row(spec.analyte, obs, sex)
    if row is not None:
        return (_float(row.get("low")), _float(row.get("high")))
    if spec.low is not None or spec.high is not None:
        return (spec.low, spec.high)
    return None


def abnormal(value: float, rng: Range | None, interpretation: str = "") -> str:
    """'high', 'low', 'abnormal' or '' (normal or unknown)."""
    code = (interpretation or "").upper()
    if code in ("H", "HH", "HU"):
        return "high"
    if code in ("L", "LL", "LU"):
        return "low"
    if code in ("A", "AA"):
        return "abnormal"
    if rng is None:
        return ""
    low, high = rng
    if low is not None and value < low:
        return "low"
    if high is not None and value > high:
        return "high"
    return ""


def critical(analyte: str, value: float, obs: Observation, sex: str) -> bool:
    if (obs.interpretation or "").upper() in ("HH", "LL", "AA"):
        return True
    row = _row(analyte, obs, sex)
    if row is None:
        return False
    lo, hi = _float(row.get("critical_low")), _float(row.get("critical_high"))
    return (lo is not None and value <= lo) or (hi is not None and value >= hi)
