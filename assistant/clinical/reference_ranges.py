"""Lab reference intervals and critical limits (lab_reference_ranges.csv): the one reader of the table."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.clinical.extract.chart import Chart
from assistant.clinical.extract.codes import analyte
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv
from assistant.clinical.rules.base import SEVERITIES
from assistant.clinical.units import unit_key

FILE = "lab_reference_ranges.csv"


@dataclass(frozen=True)
class LabRange:
    """One row: an analyte's interval for a sex and medication context, in the analyte's unit."""

    analyte: str
    sex: str
    context: str  # '' or 'med:<ingredient or class:NAME>'
    unit: str
    low: float | None
    high: float | None
    critical_low: float | None
    critical_high: float | None
    abnormal_severity: str
    source: str


def _num(cell: str) -> float | None:
    return float(cell) if cell else None


@derived_table
def lab_ranges() -> dict[str, tuple[LabRange, ...]]:
    """Every row by analyte; a row in another unit than loinc_map.csv's is an installation error."""
    out: dict[str, list[LabRange]] = {}
    for row in read_csv(FILE):
        a = analyte(row["analyte"])  # unknown analytes fail loudly at load
        if row["unit"] != a.unit:
            raise KnowledgeError(f"{FILE}: {a.name} range is in {row['unit']!r} "
                                 f"but loinc_map.csv reports it in {a.unit!r}")
        if row["abnormal_severity"] not in SEVERITIES:
            raise KnowledgeError(f"{FILE}: {a.name}: bad abnormal_severity")
        out.setdefault(a.name, []).append(LabRange(
            a.name, row["sex"], row["context"], row["unit"], _num(row["low"]), _num(row["high"]),
            _num(row["critical_low"]), _num(row["critical_high"]), row["abnormal_severity"],
            row["source"]))
    return {k: tuple(v) for k, v in out.items()}


def select_range(chart: Chart, ranges: tuple[LabRange, ...]) -> LabRange | None:
    """The most specific row: a medication context the patient is in, then sex, then generic."""
    def applies(r: LabRange) -> bool:
        if r.sex and r.sex != chart.sex:
            return False
        if r.context:
            return r.context.startswith("med:") and bool(chart.meds_with(r.context[4:]))
        return True

    candidates = [r for r in ranges if applies(r)]
    candidates.sort(key=lambda r: (not r.context, not r.sex))
    return candidates[0] if candidates else None


def in_table_unit(name: str, unit: str) -> bool:
    """Whether a result in `unit` can be read against the table's rows for analyte `name` as it
    stands (any spelling of the analyte's unit; none is converted)."""
    return unit_key(unit) in analyte(name).same_units


def general_range(name: str, sex: str, unit: str) -> LabRange | None:
    """The row for analyte `name` outside any medication context, for `sex` (a sex-specific row
    wins over one for both), when a result in `unit` can be read against it; None otherwise."""
    rows = [r for r in lab_ranges().get(name, ()) if not r.context and r.sex in ("", sex)]
    if not rows or (analyte(name).unit and not in_table_unit(name, unit)):
        return None
    rows.sort(key=lambda r: r.sex == "")
    return rows[0]
