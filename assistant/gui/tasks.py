"""Background operations: a QThread per task, with progress, partial results, cancel and main-thread delivery."""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal

from assistant.errors import AssistantError

log = logging.getLogger(__name__)

# Every thread this package starts, so that shutdown can stop them all and the test fixture can
# fail a test that leaves one running.
_live: set[QThread] = set()
_live_lock = threading.Lock()


def live_threads() -> list[QThread]:
    """QThreads started by the GUI that are still running (or not yet reaped)."""
    with _live_lock:
        return [t for t in _live if shiboken6.isValid(t) and t.isRunning()]


def track(thread: QThread) -> None:
    with _live_lock:
        _live.add(thread)


def untrack(thread: QThread) -> None:
    with _live_lock:
        _live.discard(thread)


# Set by the benchmark: main-thread callbacks slower than this (ms) are recorded by name.
SLOW_MS = float(os.environ.get("ASSISTANT_GUI_SLOW_MS", "0") or 0)
slow_calls: list[tuple[float, str]] = []


def call_timed(fn: Callable[..., Any], *args: Any, name: str = "") -> Any:
    """Call a main-thread callback; with SLOW_MS set, note the slow ones (name only, no data)."""
    if not SLOW_MS:
        return fn(*args)
    start = time.perf_counter()
    try:
        return fn(*args)
    finally:
        ms = (time.perf_counter() - start) * 1000
        if ms >= SLOW_MS:
            slow_calls.append((ms, name or getattr(fn, "__qualname__", repr(fn))))


class Cancelled(Exception):
    """Raised inside a task that noticed its cancel flag; delivered as a cancel, not an error."""


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    text: str = ""


class TaskControl:
    """What a task function gets: the cancel flag and ways to report back to the main thread."""

    def __init__(self, emitter: _Emitter, cancel: threading.Event) -> None:
        self._emitter = emitter
        self.cancel_event = cancel

    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def check(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._emitter.progress.emit(Progress(done, total, text))

    def partial(self, value: Any) -> None:
        """Hand an intermediate result (streamed text, one file's outcome) to the main thread."""
        self._emitter.partial.emit(value)


class _Emitter(QObject):
    # Lives on the main thread; signals emitted from the worker are queued to it.
    progress = Signal(object)
    partial = Signal(object)
    done = Signal(object, object, bool)  # result, error, cancelled


class _Thread(QThread):
    def __init__(self, fn: Callable[[TaskControl], Any], control: TaskControl, emitter: _Emitter) -> None:
        super().__init__()
        self._fn = fn
        self._control = control
        self._emitter = emitter

    def run(self) -> None:
        result: Any = None
        error: BaseException | None = None
        cancelled = False
        try:
            result = self._fn(self._control)
            cancelled = self._control.cancelled()
        except Cancelled:
            cancelled = True
        except AssistantError as e:
            error = e
        except Exception as e:  # delivered to the GUI, which shows it; never crash the thread
            log.error("background task failed: %s", "".join(traceback.format_exception_only(e)).strip())
            error = e
        self._emitter.done.emit(result, error, cancelled)


class Task(QObject):
    """One background operation. Callbacks run on the main thread; none after `context` is deleted."""

    finished = Signal()

    def __init__(self, fn: Callable[[TaskControl], Any], *, name: str = "task",
                 on_result: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_progress: Callable[[Progress], None] | None = None,
                 on_partial: Callable[[Any], None] | None = None,
                 on_cancelled: Callable[[], None] | None = None,
                 context: QObject | None = None) -> None:
        super().__init__()
        self.name = name
        self._cancel = threading.Event()
        self._emitter = _Emitter()
        self._context = context
        self._on_result, self._on_error = on_result, on_error
        self._on_progress, self._on_partial, self._on_cancelled = on_progress, on_partial, on_cancelled
        self._emitter.progress.connect(self._progress)
        self._emitter.partial.connect(self._partial)
        self._emitter.done.connect(self._done)
        self._thread = _Thread(fn, TaskControl(self._emitter, self._cancel), self._emitter)
        self._thread.setObjectName(f"gui-{name}")
        self.running = False
        self.was_cancelled = False

    def start(self) -> Task:
        _tasks.add(self)
        track(self._thread)
        self.running = True
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, ms: int = 30000) -> bool:
        return self._thread.wait(ms)

    @property
    def cancel_event(self) -> threading.Event:
        return self._cancel

    def _alive(self) -> bool:
        return self._context is None or shiboken6.isValid(self._context)

    def _progress(self, p: Progress) -> None:
        if self._on_progress and self._alive() and not self._cancel.is_set():
            call_timed(self._on_progress, p)

    def _partial(self, value: Any) -> None:
        if self._on_partial and self._alive() and not self._cancel.is_set():
            call_timed(self._on_partial, value)

    def _done(self, result: Any, error: BaseException | None, cancelled: bool) -> None:
        # The run() has returned; wait() only joins the thread so it is gone before callbacks run.
        self._thread.wait()
        untrack(self._thread)
        _tasks.discard(self)
        self.running = False
        self.was_cancelled = cancelled or self._cancel.is_set()
        try:
            if not self._alive():
                return
            if self.was_cancelled:
                if self._on_cancelled:
                    call_timed(self._on_cancelled)
            elif error is not None:
                if self._on_error:
                    call_timed(self._on_error, error)
                else:
                    log.error("unhandled error in task %s: %s", self.name, type(error).__name__)
            elif self._on_result:
                call_timed(self._on_result, result)
        finally:
            self.finished.emit()


_tasks: set[Task] = set()


def run_task(fn: Callable[[TaskControl], Any], **kwargs: Any) -> Task:
    """Start `fn(control)` on its own thread; see Task for the callbacks."""
    return Task(fn, **kwargs).start()


def active_tasks() -> list[Task]:
    return list(_tasks)


def cancel_all(wait_ms: int = 10000) -> None:
    """Cancel every running task and wait for its thread (used at sign-out and exit)."""
    for task in list(_tasks):
        task.cancel()
    for task in list(_tasks):
        if task.wait(wait_ms):
            # The queued `done` may never be processed (the app is quitting): reap it here.
            untrack(task._thread)
            _tasks.discard(task)
