"""Registry of validated clinical calculators; importing this package registers them all."""

from __future__ import annotations

import importlib
import pkgutil

from assistant.errors import BadInputError

from .base import REGISTRY, Calculator, Input, Reference, Result, register

_loaded = False


def _load_all() -> None:
    # Every module in this package except the framework registers its calculators on import.
    global _loaded
    if _loaded:
        return
    for mod in pkgutil.iter_modules(__path__):
        if mod.name not in ("base", "units"):
            importlib.import_module(f"{__name__}.{mod.name}")
    _loaded = True


def all_calculators() -> list[Calculator]:
    _load_all()
    return [REGISTRY[k] for k in sorted(REGISTRY)]


def get(calc_id: str) -> Calculator:
    _load_all()
    try:
        return REGISTRY[calc_id]
    except KeyError:
        raise BadInputError(f"unknown calculator {calc_id!r}; see `assistant calc list`") from None


__all__ = ["Calculator", "Input", "Reference", "Result", "register", "all_calculators", "get"]
