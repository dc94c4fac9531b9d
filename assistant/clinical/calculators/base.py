"""Calculator framework: typed inputs with units and plausible ranges, results with points and references."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Literal

from assistant.errors import BadInputError

from .units import canonical_unit, convert

InputKind = Literal["number", "integer", "bool", "choice", "date"]


def round_half_up(x: float, ndigits: int = 0) -> Any:
    """Round halves away from zero (438.5 -> 439), as clinicians round; built-in round() goes to even.

    Returns an int when ndigits is 0, else a float. repr() keeps e.g. 2.675 from rounding down because
    of its binary representation.
    """
    r = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP)
    return int(r) if ndigits <= 0 else float(r) + 0.0  # + 0.0 turns -0.0 into 0.0


@dataclass(frozen=True)
class Reference:
    """A published source: first author, journal, year (and title/DOI when known)."""

    first_author: str
    journal: str
    year: int
    title: str = ""
    doi: str = ""
    et_al: bool = True  # False for a single-author paper, so the citation does not invent co-authors

    def __str__(self) -> str:
        s = f"{self.first_author}{' et al.' if self.et_al else '.'} {self.journal} {self.year}"
        if self.title:
            s += f". {self.title}"
        if self.doi:
            s += f". doi:{self.doi}"
        return s

    def to_dict(self) -> dict[str, Any]:
        return {"first_author": self.first_author, "journal": self.journal, "year": self.year,
                "title": self.title, "doi": self.doi, "text": str(self)}


@dataclass(frozen=True)
class Input:
    """One calculator input. Numbers are stored in `unit`; `alt_units` are accepted and converted.

    `low`/`high` bound the plausible range (in `unit`); a value outside it is refused with an error
    naming the input, because a typo (creatinine 12 instead of 1.2) must never yield a score.
    Optional inputs may declare `default`, used only when the input is absent (e.g. a boolean
    criterion that is absent unless stated); required inputs never have one.
    """

    name: str
    description: str
    unit: str = ""
    kind: InputKind = "number"
    required: bool = True
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    alt_units: tuple[str, ...] = ()
    analyte: str | None = None
    default: Any = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "unit": self.unit, "required": self.required,
                             "description": self.description, "type": self.kind}
        if self.low is not None or self.high is not None:
            d["range"] = [self.low, self.high]
        if self.choices:
            d["choices"] = list(self.choices)
        if self.alt_units:
            d["alt_units"] = list(self.alt_units)
        if not self.required and self.default is not None:
            d["default"] = self.default.isoformat() if isinstance(self.default, date) else self.default
        return d

    def parse(self, raw: Any) -> Any:
        """Turn a raw value (number, string such as '1.2 mg/dL', (value, unit) pair) into `kind`."""
        if self.kind == "bool":
            return _parse_bool(self.name, raw)
        if self.kind == "choice":
            text = str(raw).strip().lower()
            for c in self.choices:
                if c.lower() == text:
                    return c
            raise BadInputError(f"{self.name}: {raw!r} is not one of {', '.join(self.choices)}")
        if self.kind == "date":
            if isinstance(raw, date):
                return raw
            try:
                return date.fromisoformat(str(raw).strip())
            except ValueError:
                raise BadInputError(f"{self.name}: {raw!r} is not a date (use YYYY-MM-DD)") from None
        value, unit = _split_quantity(self.name, raw)
        if unit and self.unit and canonical_unit(unit) != canonical_unit(self.unit):
            if self.alt_units and canonical_unit(unit) not in {canonical_unit(u) for u in self.alt_units}:
                raise BadInputError(f"{self.name}: unit {unit!r} not accepted; use {self.unit} or "
                                    f"{', '.join(self.alt_units)}")
            try:
                value = convert(value, unit, self.unit, self.analyte)
            except BadInputError as e:  # name the input, as every other input error does
                raise BadInputError(f"{self.name}: {e.message}") from None
        if self.kind == "integer":
            if value != int(value):
                raise BadInputError(f"{self.name}: {raw!r} must be a whole number")
            value = int(value)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise BadInputError(f"{self.name}: {value:g} {self.unit} is outside the plausible range "
                                f"{_range_text(self.low, self.high)} {self.unit}".rstrip())
        return value


def _range_text(low: float | None, high: float | None) -> str:
    # One-sided ranges are allowed (e.g. only a lower bound); say so rather than fail formatting None.
    if low is None:
        return f"<= {high:g}"
    if high is None:
        return f">= {low:g}"
    return f"{low:g}-{high:g}"


def _parse_bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in ("true", "yes", "y", "1", "present"):
        return True
    if text in ("false", "no", "n", "0", "absent"):
        return False
    raise BadInputError(f"{name}: {raw!r} is not true/false")


_QTY = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+)\s*(.*?)\s*$")


def _split_quantity(name: str, raw: Any) -> tuple[float, str]:
    if isinstance(raw, bool):
        raise BadInputError(f"{name}: expected a number, got {raw!r}")
    if isinstance(raw, int | float):
        return float(raw), ""
    if isinstance(raw, tuple | list) and len(raw) == 2:
        return float(raw[0]), str(raw[1])
    m = _QTY.match(str(raw))
    if not m:
        raise BadInputError(f"{name}: {raw!r} is not a number")
    return float(m.group(1)), m.group(2)


@dataclass(frozen=True)
class Result:
    """A calculator's answer: value and unit, points per criterion, interpretation band, reference."""

    calculator_id: str
    value: float | int | str
    unit: str
    interpretation: str
    reference: Reference
    points: Mapping[str, float] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return v.isoformat() if isinstance(v, date) else v

        return {"id": self.calculator_id, "value": plain(self.value), "unit": self.unit,
                "interpretation": self.interpretation, "points": dict(self.points),
                "details": {k: plain(v) for k, v in self.details.items()},
                "inputs": {k: plain(v) for k, v in self.inputs.items()},
                "reference": str(self.reference)}


class Calculator(ABC):
    """Base class: subclasses set id, title, inputs, reference and implement `_compute`."""

    id: ClassVar[str]
    title: ClassVar[str]
    inputs: ClassVar[tuple[Input, ...]]
    reference: ClassVar[Reference]
    notes: ClassVar[str] = ""

    def input(self, name: str) -> Input:
        for i in self.inputs:
            if i.name == name:
                return i
        raise KeyError(name)

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Parse and range-check every input; unknown names and missing required inputs are errors."""
        known = {i.name for i in self.inputs}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise BadInputError(f"{self.id}: unknown input(s) {', '.join(unknown)}; "
                                f"expected {', '.join(sorted(known))}")
        values: dict[str, Any] = {}
        missing: list[str] = []
        for i in self.inputs:
            if i.name in raw and raw[i.name] is not None and raw[i.name] != "":
                values[i.name] = i.parse(raw[i.name])
            elif i.required:
                missing.append(i.name)
            else:
                values[i.name] = i.default
        if missing:
            raise BadInputError(f"{self.id}: missing required input(s) {', '.join(missing)}")
        return values

    def compute(self, raw: Mapping[str, Any]) -> Result:
        return self._compute(self.validate(raw))

    @abstractmethod
    def _compute(self, v: dict[str, Any]) -> Result: ...

    def result(self, v: Mapping[str, Any], value: float | int | str, unit: str, interpretation: str,
               points: Mapping[str, float] | None = None, **details: Any) -> Result:
        """Helper for subclasses: wrap a computed value with this calculator's id and reference."""
        return Result(self.id, value, unit, interpretation, self.reference, dict(points or {}),
                      details, dict(v))

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "reference": str(self.reference),
                "notes": self.notes, "inputs": [i.to_dict() for i in self.inputs]}


REGISTRY: dict[str, Calculator] = {}


def register(cls: type[Calculator]) -> type[Calculator]:
    """Class decorator adding one instance of the calculator to the registry under its id."""
    if cls.id in REGISTRY:
        raise ValueError(f"duplicate calculator id {cls.id}")
    REGISTRY[cls.id] = cls()
    return cls
