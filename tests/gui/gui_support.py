"""Constants and chart-entry steps the GUI tests share (imported by conftest.py and the test modules)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest

USER, PASSWORD = "admin", "a long password"
FAST_KDF = {"name": "argon2id", "time_cost": 1, "memory_kib": 1024, "parallelism": 1}
SMALL = "Zachary_Kutch_01396393-ed81-4f7f-a073-553cb407837f.json"
SECOND = "Matt_Mosciski_11bfb5ea-d969-43ae-8411-953b246de98d.json"
LARGEST = "Beatriz_Salazar_c837db1d-d74b-4707-be68-b87bb25b4504.json"  # most entries of the shared set
SYNTHEA = Path(__file__).resolve().parents[2].parent / "shared" / "fhir" / "synthea-r4"


def shared_file(name: str) -> Path:
    path = SYNTHEA / name
    if not path.exists():
        pytest.skip(f"shared record {name} not available")
    return path


def leftover_workers(before: set[threading.Thread]) -> tuple[list[str], list[str], list[str]]:
    """GUI QThreads still running, Python threads started since `before`, child processes."""
    from PySide6.QtWidgets import QApplication

    from assistant.gui import tasks

    app = QApplication.instance()
    if app is not None:
        app.processEvents()  # deliver queued "finished" signals so reaped threads are untracked
    qthreads = [t.objectName() or "unnamed" for t in tasks.live_threads()]
    pythreads = [t.name for t in threading.enumerate()
                 if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)]
    children = [p.name for p in multiprocessing.active_children()]
    return qthreads, pythreads, children


def save_dialog(qtbot: Any, dialog: Any) -> None:
    """Press save on a chart-entry dialog and wait until the store thread has written it."""
    with qtbot.waitSignal(dialog.saved, timeout=10000):
        dialog.save()


def resolve_first_problem(qtbot: Any, view: Any) -> None:
    """Resolve the chart's first active problem through the Problems tab's Resolve dialog."""
    problems = view.ensure("problems")
    problem = next(c for c in view.record.conditions if c.is_active)
    assert problems.select_ref(problem.ref)
    bar = view.entry_bars["problems"]
    qtbot.waitUntil(lambda: bar.buttons["Resolve"].isEnabled(), timeout=5000)
    bar.buttons["Resolve"].click()
    save_dialog(qtbot, bar.dialog)
    assert view.record.entry(problem.ref).clinical_status == "resolved"
