"""Import heavy GUI modules (the chart library) on a worker thread, so no import stalls the main thread."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
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


def _finish(name: str, error: str) -> None:
    _pending.pop(name, None)
    module = None if error else sys.modules.get(name)
    for cb in _waiting.pop(name, []):
        cb(module, error or ("" if module is not None else "not imported"))


def preload_in_order(names: Sequence[str], then: Callable[[], None] | None = None,
                     on_done: Callable[[], None] | None = None) -> None:
    """Import `names` one after another on a single worker, then run `then()` there.

    One thread, not one per module: every busy worker competes with the interface thread for the
    interpreter lock, and five importing at once left it waiting for over 100 ms. `when_loaded`
    callbacks for each name run as soon as that module is in; `on_done()` on the main thread at
    the end.
    """
    todo = [n for n in dict.fromkeys(names) if n not in sys.modules and n not in _pending]

    def work(c: Any) -> None:
        for name in todo:
            c.check()
            try:
                importlib.import_module(name)
                c.partial((name, ""))
            except Exception as e:  # noqa: BLE001 - reported to whoever waits for the module
                c.partial((name, f"{type(e).__name__}: {e}"))
        if then is not None:
            then()

    def settle(error: str) -> None:
        for name in todo:
            if _pending.get(name) is task:
                _finish(name, error)
        if on_done is not None:
            on_done()

    task = run_task(work, name="preload", on_partial=lambda p: _finish(*p),
                    on_result=lambda _r: settle("not imported"),
                    on_error=lambda e: settle(f"{type(e).__name__}: {e}"),
                    on_cancelled=lambda: settle("cancelled"))
    for name in todo:
        _pending[name] = task
