"""Guard against PySide6 releases that drop references to True/None (6.12.0 does), which aborts Python.

Measured on PySide6 6.12.0 with Python 3.11: every `SignalInstance.emit()` from Python releases one
reference to `True` it never took, and every `QTimer.singleShot(ms, callable)` one to `None`. After a
few thousand emits the interpreter aborts ("bool_dealloc: deallocating True or False"; the same for
None). 6.11.0 does not do this. The real fix is a PySide6 without the bug; until the project pins
one, this module detects the leak at start-up and gives those singletons enough spare references
that no session can use them up. The singletons are never freed anyway, so the spare references
change nothing else.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

SPARE = 1 << 40  # ~10^12 references: far more than any session can leak
_applied = False


def _leaks() -> dict[str, int]:
    """How many references to True and None 100 emits and 100 single-shot timers lose."""
    from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before_true = sys.getrefcount(True)
    for _ in range(100):
        probe.ping.emit()
    true_lost = before_true - sys.getrefcount(True)
    fired: list[int] = []

    def tick() -> None:
        fired.append(1)

    before_none = sys.getrefcount(None)
    for _ in range(100):
        QTimer.singleShot(0, tick)
    QCoreApplication.sendPostedEvents()
    deadline = 200
    while len(fired) < 100 and deadline:
        QCoreApplication.processEvents()
        deadline -= 1
    none_lost = before_none - sys.getrefcount(None)
    probe.deleteLater()
    return {"True": true_lost, "None": none_lost}


def _add_references(obj: object, n: int) -> None:
    # ob_refcnt is the first field of every CPython object (3.11 has no immortal objects yet).
    field = ctypes.c_ssize_t.from_address(id(obj))
    field.value += n


def guard_refcount_leaks() -> dict[str, int]:
    """Apply the guard once if this PySide6 leaks; returns what was measured (empty if skipped)."""
    global _applied
    if _applied or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return {}  # 3.12+ makes True/None immortal: a lost reference cannot free them
    leaks = _leaks()
    if leaks["True"] > 50 or leaks["None"] > 50:
        for obj in (True, False, None):
            _add_references(obj, SPARE)
        import PySide6

        log.info("PySide6 %s loses references to True/None (%s per 100 calls); guarded. "
                    "Use a PySide6 release without this bug (6.11 is fine).", PySide6.__version__, leaks)
    _applied = True
    return leaks
