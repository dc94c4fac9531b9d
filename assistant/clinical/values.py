"""One way to print a record value everywhere: per-analyte decimals (value_precision.csv) and display units."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv
from assistant.clinical.units import display_unit, unit_key
from assistant.records.domain import Component, Observation

FILE = "value_precision.csv"
SYSTOLIC, DIASTOLIC = "8480-6", "8462-4"


@dataclass(frozen=True)
class Precision:
    """Decimals for one analyte's codes, in one unit ('' = any unit)."""

    analyte: str
    unit_key: str
    decimals: int


@derived_table
def precisions() -> dict[str, tuple[Precision, ...]]:
    """Rows of the precision table by LOINC code."""
    out: dict[str, list[Precision]] = {}
    for row in read_csv(FILE):
        try:
            decimals = int(row["decimals"])
        except ValueError:
            raise KnowledgeError(f"{FILE}: {row['analyte']}: decimals must be a whole number") from None
        p = Precision(row["analyte"], unit_key(row["unit"]) if row["unit"] else "", decimals)
        for code in row["loinc"].split():
            out.setdefault(code, []).append(p)
    return {k: tuple(v) for k, v in out.items()}


def decimals_for(analyte_code: str | None, unit: str) -> int | None:
    """The decimals the table gives the analyte (LOINC code) in `unit`; None without a row."""
    if not analyte_code:
        return None
    key = unit_key(unit) if unit else ""
    for p in precisions().get(analyte_code, ()):
        if not p.unit_key or p.unit_key == key:
            return p.decimals
    return None


def _as_recorded(value: float) -> str:
    # Without a row: as the record gave it, without float noise or trailing zeros (7.2, 132, 0.015).
    if float(value).is_integer():
        return str(int(value))
    if abs(value) < 1:
        return f"{value:.3g}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def format_number(value: float, unit: str = "", analyte_code: str | None = None) -> str:
    """The number alone: 4.1 (potassium, one decimal), 143 (sodium), 0.75 (creatinine), 7.2."""
    decimals = decimals_for(analyte_code, unit)
    if decimals is None:
        return _as_recorded(value)
    text = f"{value:.{decimals}f}"
    return text.lstrip("-") if float(text) == 0 else text  # never '-0.0'


def with_unit(number: str, unit: str) -> str:
    """'8.9' and '%' -> '8.9 %'; a number without a unit stands alone."""
    return f"{number} {unit}" if unit else number


def format_value(value: float, unit: str, analyte_code: str | None = None) -> str:
    """A value as every screen, PDF, fact sheet and care plan prints it: '4.1 mmol/L', '37.2 °C'."""
    return with_unit(format_number(value, unit, analyte_code), display_unit(unit))


def _blood_pressure(o: Observation) -> tuple[Component, Component] | None:
    sbp, dbp = o.component(SYSTOLIC), o.component(DIASTOLIC)
    if sbp is None or dbp is None or sbp.value is None or dbp.value is None:
        return None
    return sbp, dbp


def observation_value(o: Observation) -> str:
    """An observation's value as read: '7.2 %', '132/84 mmHg' (systolic first), or its text; a value
    marked implausible at import says so (it is shown, never used)."""
    if o.implausible:
        raw = [x for x in (o.value, *(c.value for c in o.components)) if x is not None]
        shown = "/".join(f"{x:.4g}" for x in raw) or o.value_text
        return f"{with_unit(shown, display_unit(o.unit))} (implausible, not used)".strip()
    if o.value is not None:
        return format_value(o.value, o.unit, o.code.code)
    bp = _blood_pressure(o)
    nums = list(bp) if bp else [c for c in o.components if c.value is not None]
    if nums:
        unit = nums[0].unit if all(c.unit == nums[0].unit for c in nums) else ""
        text = "/".join(format_number(c.value, c.unit, c.code.code) for c in nums if c.value is not None)
        return with_unit(text, display_unit(unit))
    if o.components:
        return "; ".join(c.value_text for c in o.components if c.value_text)
    return o.value_text
