"""Display text for record values: dates, quantities, codes, people (no Qt; used by models and views)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from assistant.clinical.units import display_unit
from assistant.clinical.values import format_number, with_unit
from assistant.records.domain import Coding, Observation, Patient

SEX_LABEL = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Unknown"}


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.hour == 0 and value.minute == 0:
        return value.date().isoformat()
    return value.strftime("%Y-%m-%d %H:%M")


def sort_date(value: date | datetime | None) -> str:
    # ISO text sorts chronologically and Qt compares it natively; undated sorts first ascending.
    if value is None:
        return ""
    return value.isoformat()


def obs_range(low: float | None, high: float | None, unit: str = "", code: str = "") -> str:
    """'3.5–5.1 mmol/L', '≥ 60 mL/min/1.73 m2': limits printed as the values they bound."""
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        text = f"{format_number(low, unit, code)}–{format_number(high, unit, code)}"
    elif low is not None:
        text = f"≥ {format_number(low, unit, code)}"
    else:
        assert high is not None
        text = f"≤ {format_number(high, unit, code)}"
    return with_unit(text, display_unit(unit))


INTERPRETATION = {"H": "High", "HH": "Critical high", "L": "Low", "LL": "Critical low", "N": "Normal",
                  "A": "Abnormal", "AA": "Critical", "HU": "Very high", "LU": "Very low"}


def interpretation(o: Observation) -> str:
    if o.interpretation:
        return INTERPRETATION.get(o.interpretation, o.interpretation)
    if o.value is not None:
        if o.reference_high is not None and o.value > o.reference_high:
            return "High"
        if o.reference_low is not None and o.value < o.reference_low:
            return "Low"
    return ""


def age_text(p: Patient) -> str:
    age = p.age_years()
    if age is None:
        return "age unknown"
    dead = p.deceased or p.deceased_date is not None
    return f"{age} y" + (" at death" if dead else "")


def deceased_text(p: Patient) -> str:
    """'Deceased 2024-03-02' (or without a date when the record has none); '' for the living."""
    if p.deceased_date is not None:
        return f"Deceased {fmt_date(p.deceased_date)}"
    return "Deceased" if p.deceased else ""


def sex_text(sex: str) -> str:
    return SEX_LABEL.get(sex, sex.capitalize() if sex else "Unknown")


def title_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def plain(value: Any) -> str:
    """Any field value as short text (for the generic entry detail)."""
    if value is None or value == "" or value == ():
        return ""
    if isinstance(value, datetime):
        return fmt_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(t for t in (plain(v) for v in value) if t)
    if isinstance(value, Coding):
        return value.display or value.code
    return str(value)
