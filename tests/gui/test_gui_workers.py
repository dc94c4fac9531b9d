"""The DB worker and background tasks: one DB thread, main-thread delivery, cancel, superseded ops."""

from __future__ import annotations

import threading
import time

import pytest
from gui_support import PASSWORD, USER
from PySide6.QtWidgets import QLabel

from assistant.errors import AuthenticationError, BadInputError
from assistant.gui import tasks
from assistant.gui.dbworker import DbWorker


@pytest.fixture
def db(qtbot, db_path):
    worker = DbWorker()
    done = []
    worker.sign_in(db_path, USER, PASSWORD, success=lambda a: done.append(a))
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    yield worker
    worker.stop()


def test_every_op_runs_on_one_thread_and_results_arrive_on_main(qtbot, db):
    seen_threads, delivered_on = set(), []
    main = threading.current_thread()

    def op(store):
        seen_threads.add(threading.get_ident())
        return store.patients.count()

    results = []
    for _ in range(5):
        db.submit(op, lambda n: (results.append(n), delivered_on.append(threading.current_thread())))
    qtbot.waitUntil(lambda: len(results) == 5, timeout=5000)
    assert results == [3] * 5
    assert len(seen_threads) == 1 and threading.get_ident() not in seen_threads
    assert all(t is main for t in delivered_on)


def test_errors_go_to_failure_callback(qtbot, db):
    errors = []
    db.submit(lambda s: s.patients.load_patient("no-such-id"), failure=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], BadInputError)


def test_newer_op_with_same_key_supersedes_queued_one(qtbot, db):
    gate = threading.Event()
    got = []
    db.submit(lambda s: gate.wait(5))  # holds the DB thread while the next two queue up
    db.submit(lambda s: "old", got.append, key="search")
    db.submit(lambda s: "new", got.append, key="search")
    gate.set()
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    qtbot.wait(100)
    assert got == ["new"]


def test_no_callback_after_context_deleted(qtbot, db):
    label = QLabel()
    got = []
    gate = threading.Event()
    db.submit(lambda s: gate.wait(5) and 1, got.append, context=label)
    label.deleteLater()
    qtbot.wait(50)
    gate.set()
    done = []
    db.submit(lambda s: 2, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert got == []


def test_call_refuses_main_thread(db):
    with pytest.raises(RuntimeError):
        db.call(lambda s: 1)


def test_call_from_worker_thread_blocks_for_result(qtbot, db):
    results = []
    task = tasks.run_task(lambda c: db.call(lambda s: s.patients.count()), on_result=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == [3] and not task.running


def test_wrong_password_fails_sign_in(qtbot, db_path):
    worker = DbWorker()
    errors = []
    worker.sign_in(db_path, USER, "wrong password!", failure=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    worker.stop()
    assert isinstance(errors[0], AuthenticationError)


def test_task_progress_partial_result_on_main_thread(qtbot):
    events = []

    def work(c):
        for i in range(3):
            c.progress(i + 1, 3)
            c.partial(f"chunk{i}")
        return "done"

    task = tasks.run_task(work, on_progress=lambda p: events.append(("p", p.done)),
                          on_partial=lambda v: events.append(("x", v)),
                          on_result=lambda r: events.append(("r", r)))
    qtbot.waitUntil(lambda: ("r", "done") in events, timeout=5000)
    assert events[-1] == ("r", "done")
    assert [e for e in events if e[0] == "p"] == [("p", 1), ("p", 2), ("p", 3)]
    assert not task.running


def test_task_cancel_calls_on_cancelled_not_on_result(qtbot):
    outcome = []

    def work(c):
        while True:
            c.check()
            time.sleep(0.01)

    task = tasks.run_task(work, on_result=lambda r: outcome.append("result"),
                          on_cancelled=lambda: outcome.append("cancelled"))
    qtbot.wait(50)
    assert task.running and tasks.live_threads()
    task.cancel()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    assert outcome == ["cancelled"]
    assert not tasks.live_threads()


def test_task_error_is_delivered(qtbot):
    errors = []

    def work(c):
        raise ValueError("boom")

    tasks.run_task(work, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ValueError)
