"""Safe Harbor generalisation rules: ZIP prefixes by population, geography above the city, ages over 89."""

from __future__ import annotations

import csv
import re
from datetime import date
from functools import cache

from assistant.config import resources_dir

# 45 CFR 164.514(b)(2)(i)(C): ages over 89 are aggregated into one category of 90 or older.
AGE_CAP = 90
_ZIP = re.compile(r"^(\d{3})\d{2}(?:-\d{4})?$")


@cache
def restricted_zip3() -> frozenset[str]:
    """The three-digit ZIP prefixes that must become 000 (resources/deidentify/restricted_zip3.csv)."""
    path = resources_dir() / "deidentify" / "restricted_zip3.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        out = frozenset(r["zip3"].strip() for r in rows if r.get("source", "").strip())
    if len(out) < 17:  # the HHS list has 17 prefixes; fewer means the file was damaged
        raise ValueError(f"{path}: expected the 17 restricted ZIP prefixes, found {len(out)}")
    return out


def zip3(postal_code: str) -> str:
    """The first three digits of a US ZIP code, or 000 where that area has 20,000 people or fewer."""
    m = _ZIP.match(postal_code.strip())
    if not m:
        return ""
    return "000" if m.group(1) in restricted_zip3() else m.group(1)


def generalise_address(address: str) -> tuple[str, str]:
    """(generalised address text, what was kept). Keeps the state, the ZIP prefix and the country when
    a US ZIP code marks where they are in 'line, city, state, zip, country'; otherwise only the last
    part when it is a two-letter country code; everything below the state goes."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    for i, part in enumerate(parts):
        prefix = zip3(part)
        if prefix:
            # The state sits just before the ZIP only when a street line and a city come first.
            kept = [parts[i - 1] if i >= 3 else "", prefix, *parts[i + 1:i + 2]]
            text = ", ".join(k for k in kept if k)
            return text, "state and ZIP prefix"
    if parts and re.fullmatch(r"[A-Z]{2}", parts[-1]) and len(parts) > 1:
        return parts[-1], "country"
    return "", "nothing"


def fold_birth_date(shifted_birth: date, shifted_reference: date) -> tuple[date, bool]:
    """Birth date reduced to 1 January of its year; for anyone over 89 on the reference date, the
    year that makes them exactly 90 (the 90+ category). Returns (birth date, folded)."""
    years = shifted_reference.year - shifted_birth.year - (
        (shifted_reference.month, shifted_reference.day) < (shifted_birth.month, shifted_birth.day))
    if years >= AGE_CAP:
        return date(shifted_reference.year - AGE_CAP, 1, 1), True
    return date(shifted_birth.year, 1, 1), False
