"""The test guard that catches leaked workers, and the PySide6 reference-leak guard."""

from __future__ import annotations

import sys
import threading

from gui_support import leftover_workers
from PySide6.QtCore import QObject, Signal

from assistant.gui import tasks


def test_leak_guard_sees_a_running_task_and_a_python_thread(qtbot):
    before = set(threading.enumerate())
    gate = threading.Event()
    task = tasks.run_task(lambda c: gate.wait(10), name="leaky")
    thread = threading.Thread(target=gate.wait, args=(10,), name="leaky-python")
    thread.start()
    qthreads, pythreads, _ = leftover_workers(before)
    assert "gui-leaky" in qthreads and "leaky-python" in pythreads
    gate.set()
    task.wait()
    thread.join()
    qtbot.waitUntil(lambda: not any(leftover_workers(before)[:2]), timeout=5000)


def test_many_signal_emits_do_not_exhaust_true():
    class Probe(QObject):
        ping = Signal(object)

    probe = Probe()
    got = []
    probe.ping.connect(got.append)
    for i in range(20000):  # PySide6 6.12.0 without the guard aborts long before this
        probe.ping.emit(i % 2 == 0)
    assert len(got) == 20000 and sys.getrefcount(True) > 1000
