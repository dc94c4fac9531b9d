"""Unit conversion for calculator inputs: physical units through pint, analytes through molar mass."""

from __future__ import annotations

from functools import lru_cache

from assistant.clinical.units import canonical_unit
from assistant.errors import BadInputError

# Unit spellings come from the one unit table (assistant.clinical.units); only factors live here.
# Analyte-specific factors: value_in_conventional = value_in_SI * factor. Molar conversions need the
# analyte's molar mass, which pint cannot know, so they live here as data with their derivation.
_ANALYTE_FACTORS: dict[str, dict[tuple[str, str], float]] = {
    # creatinine 113.12 g/mol: 1 mg/dL = 88.4 umol/L (KDIGO 2012 uses 88.4)
    "creatinine": {("umol/L", "mg/dL"): 1 / 88.4},
    # glucose 180.16 g/mol: 1 mmol/L = 18.016 mg/dL (conventionally 18)
    "glucose": {("mmol/L", "mg/dL"): 18.016},
    # cholesterol 386.65 g/mol: 1 mmol/L = 38.67 mg/dL
    "cholesterol": {("mmol/L", "mg/dL"): 38.67},
    # triglycerides (as triolein 885.7 g/mol): 1 mmol/L = 88.57 mg/dL
    "triglycerides": {("mmol/L", "mg/dL"): 88.57},
    # urea nitrogen (BUN, 28.014 g/mol of N2): 1 mmol/L urea = 2.801 mg/dL BUN
    "bun": {("mmol/L", "mg/dL"): 2.801},
    # calcium 40.08 g/mol: 1 mmol/L = 4.008 mg/dL
    "calcium": {("mmol/L", "mg/dL"): 4.008},
    # bilirubin 584.66 g/mol: 1 mg/dL = 17.1 umol/L
    "bilirubin": {("umol/L", "mg/dL"): 1 / 17.1},
    # albumin: 1 g/dL = 10 g/L (mass units; kept here so g/L works for the analyte too)
    "albumin": {("g/L", "g/dL"): 0.1},
    # haemoglobin: 1 g/dL = 10 g/L; 1 mmol/L (monomer) = 1.611 g/dL
    "hemoglobin": {("g/L", "g/dL"): 0.1, ("mmol/L", "g/dL"): 1.611},
    # insulin: 1 uIU/mL = 6.0 pmol/L (Heinemann 2010)
    "insulin": {("pmol/L", "uU/mL"): 1 / 6.0},
}


@lru_cache(maxsize=1)
def _ureg():  # pint is slow to build its registry; build it once, on first use
    import pint

    return pint.UnitRegistry()


_PINT_NAMES = {"degC": "degC", "degF": "degF", "kg": "kg", "lb": "lb", "cm": "cm", "in": "inch",
               "m": "m", "ms": "ms", "s": "s", "mg": "mg", "mcg": "microgram"}


def convert(value: float, from_unit: str, to_unit: str, analyte: str | None = None) -> float:
    """Convert `value` from `from_unit` to `to_unit`; analyte-specific molar factors when needed.

    Raises BadInputError naming both units when no conversion is known.
    """
    src, dst = canonical_unit(from_unit), canonical_unit(to_unit)
    if src == dst:
        return value
    if analyte:
        table = _ANALYTE_FACTORS.get(analyte, {})
        if (src, dst) in table:
            return value * table[(src, dst)]
        if (dst, src) in table:
            return value / table[(dst, src)]
    if src in _PINT_NAMES and dst in _PINT_NAMES:
        import pint

        ureg = _ureg()
        q = ureg.Quantity(value, _PINT_NAMES[src])
        try:
            return float(q.to(_PINT_NAMES[dst]).magnitude)
        except pint.DimensionalityError:  # e.g. kg given where ms is expected: a user error, not a bug
            raise BadInputError(f"cannot convert {from_unit!r} to {to_unit!r}") from None
    what = f" for {analyte}" if analyte else ""
    raise BadInputError(f"cannot convert {from_unit!r} to {to_unit!r}{what}; give the value in {to_unit}")
