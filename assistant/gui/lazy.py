"""Import heavy GUI modules (the chart library) on a worker thread, so no import stalls the main thread."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import shiboken6

from .tasks import Task, run_task

CHART_MODULE = "assistant.gui.chart"

_pending: dict[str, Task] = {}
_waiting: dict[str, list[Callable[[ModuleType | None, str], None]]] = {}


def when_loaded(name: str, callback: Callable[[ModuleType | None, str], None],
                context: Any = None) -> None:
    """Call `callback(module, error_text)` on the main thread once `name` is imported.

    Python's import lock makes a second import of the same module wait for the first, so every
    caller shares one background import instead of importing on the main thread.
    """
    if context is not None:
        inner = callback

        def callback(module: ModuleType | None, error: str) -> None:
            if shiboken6.isValid(context):  # the widget that asked may be gone by now
                inner(module, error)

    module = sys.modules.get(name)
    if module is not None and name not in _pending:
        callback(module, "")
        return
    _waiting.setdefault(name, []).append(callback)
    if name in _pending:
        return

    def done(module: ModuleType | None, error: str) -> None:
        _pending.pop(name, None)
        for cb in _waiting.pop(name, []):
            cb(module, error)

    _pending[name] = run_task(lambda _c: importlib.import_module(name), name=f"import-{name}",
                              on_result=lambda m: done(m, ""),
                              on_error=lambda e: done(None, f"{type(e).__name__}: {e}"),
                              on_cancelled=lambda: done(None, "cancelled"))


def preload(name: str = CHART_MODULE) -> None:
    when_loaded(name, lambda _m, _e: None)
