"""Display text for record values: dates, quantities, codes, people (no Qt; used by models and views)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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


def fmt_number(value: float | None) -> str:
    """As recorded, without float noise: 7.2, 132, 0.015 (never 7.199999 or 1.3e+02)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    if abs(value) < 1:
        return f"{value:.3g}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def obs_value(o: Observation) -> str:
    """The value of an observation as read: '7.2 %', '132/84 mm[Hg]', or its text."""
    if o.value is not None:
        return f"{fmt_number(o.value)} {o.unit}".strip()
    if o.components:
        nums = [c for c in o.components if c.value is not None]
        if nums:
            unit = nums[0].unit if all(c.unit == nums[0].unit for c in nums) else ""
            text = "/".join(fmt_number(c.value) for c in nums)
            return f"{text} {unit}".strip()
        return "; ".join(c.value_text for c in o.components if c.value_text)
    return o.value_text


def obs_range(low: float | None, high: float | None, unit: str = "") -> str:
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        text = f"{fmt_number(low)}–{fmt_number(high)}"
    elif low is not None:
        text = f"≥ {fmt_number(low)}"
    else:
        text = f"≤ {fmt_number(high)}"
    return f"{text} {unit}".strip()


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
    return f"{age} y" + (" (deceased)" if p.deceased else "")


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
        return fmt_number(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(t for t in (plain(v) for v in value) if t)
    if isinstance(value, Coding):
        return value.display or value.code
    return str(value)
