"""Reference intervals for fact-sheet labs: the result's own range first, else the clinical knowledge table."""

from __future__ import annotations

import logging
from functools import lru_cache

from assistant.clinical.knowledge import KnowledgeError, register_cache
from assistant.clinical.reference_ranges import LabRange, general_range, lab_ranges
from assistant.records.domain import Observation

from .vocabulary import LabSpec

log = logging.getLogger(__name__)
Range = tuple[float | None, float | None]


@register_cache
@lru_cache(maxsize=1)
def _table() -> bool:
    """Whether the clinical engine's table (lab_reference_ranges.csv, with its sources) can be read.

    If it cannot, results fall back to their own reference range and interpretation code, which is
    what the laboratory said: a broken table must not break the summary (the risk review reports it).
    """
    try:
        lab_ranges()
    except KnowledgeError as e:
        log.warning("lab reference table unavailable, using result ranges only: %s", e)
        return False
    return True


def _row(analyte: str, obs: Observation, sex: str) -> LabRange | None:
    """The table's row without a medication context for the result's analyte, sex and unit."""
    return general_range(analyte, sex, obs.unit) if _table() else None


def reference_range(spec: LabSpec, obs: Observation, sex: str) -> Range | None:
    """The result's own range, else the knowledge table's, else the vocabulary's fallback."""
    if obs.reference_low is not None or obs.reference_high is not None:
        return (obs.reference_low, obs.reference_high)
    row = _row(spec.analyte, obs, sex)
    if row is not None:
        return (row.low, row.high)
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
    lo, hi = row.critical_low, row.critical_high
    return (lo is not None and value <= lo) or (hi is not None and value >= hi)
