"""The one thread that owns the database: a queue of operations, results delivered on the main thread."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal

from assistant.errors import AssistantError, DatabaseError

from .tasks import call_timed, track, untrack

if TYPE_CHECKING:
    from assistant.store.database import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class _Op:
    id: int
    fn: Callable[[_State], Any]
    key: str = ""
    future: Future[Any] | None = None


@dataclass
class _State:
    """Lives on the DB thread only; the Store never leaves it (a SQLCipher connection is per thread)."""

    store: Store | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def require(self) -> Store:
        if self.store is None:
            raise DatabaseError("not signed in: sign in again")
        return self.store


class _DbThread(QThread):
    def __init__(self, worker: DbWorker) -> None:
        super().__init__()
        self.setObjectName("gui-database")
        self._worker = worker

    def run(self) -> None:
        state = _State()
        w = self._worker
        while True:
            op = w._queue.get()
            if op is None:
                break
            if op.key and not w._is_latest(op):
                # A newer operation with the same key (the next keystroke of a search) supersedes it.
                w._done.emit(op.id, None, _Superseded())
                continue
            try:
                result = op.fn(state)
            except Exception as e:  # noqa: BLE001 - delivered to the caller, never kills the thread
                if not isinstance(e, AssistantError):
                    log.error("database operation failed: %s", type(e).__name__)
                if op.future is not None:
                    op.future.set_exception(e)
                else:
                    w._done.emit(op.id, None, e)
                continue
            if op.future is not None:
                op.future.set_result(result)
            else:
                w._done.emit(op.id, result, None)
        if state.store is not None:
            state.store.close()
            state.store = None


class _Superseded(Exception):
    pass


class DbWorker(QObject):
    """Run `fn(store)` on the database thread; `success(result)` or `failure(error)` on the main thread."""

    _done = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue[_Op | None] = queue.Queue()
        self._callbacks: dict[int, tuple[Any, Any, QObject | None]] = {}
        self._latest: dict[str, int] = {}
        self._lock = threading.Lock()
        self._next = 0
        self._thread = _DbThread(self)
        self._done.connect(self._deliver)
        self.signed_in = False

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if not self._thread.isRunning():
            track(self._thread)
            self._thread.start()

    def stop(self, wait_ms: int = 30000) -> None:
        """Close the store (on its thread) and end the thread. Pending operations still run first."""
        if self._thread.isRunning():
            self._queue.put(None)
            self._thread.wait(wait_ms)
        untrack(self._thread)
        self.signed_in = False

    def is_running(self) -> bool:
        return self._thread.isRunning()

    # --- operations ------------------------------------------------------------------------
    def _new_op(self, fn: Callable[[_State], Any], key: str, future: Future[Any] | None) -> _Op:
        with self._lock:
            self._next += 1
            op = _Op(self._next, fn, key, future)
            if key:
                self._latest[key] = op.id
        return op

    def _is_latest(self, op: _Op) -> bool:
        with self._lock:
            return self._latest.get(op.key) == op.id

    def submit(self, fn: Callable[[Store], T], success: Callable[[T], object] | None = None,
               failure: Callable[[BaseException], object] | None = None, *,
               context: QObject | None = None, key: str = "") -> int:
        """Queue `fn(store)`. With `key`, a later op of the same key makes this one skip if not started."""
        return self._submit_state(lambda st: fn(st.require()), success, failure, context, key)

    def _submit_state(self, fn: Callable[[_State], T], success: Callable[[T], object] | None,
                      failure: Callable[[BaseException], object] | None,
                      context: QObject | None, key: str = "") -> int:
        op = self._new_op(fn, key, None)
        self._callbacks[op.id] = (success, failure, context)
        self.start()
        self._queue.put(op)
        return op.id

    def call(self, fn: Callable[[Store], T], timeout: float | None = None) -> T:
        """Run `fn(store)` and wait for it. For other worker threads only: never the main thread."""
        if threading.current_thread() is threading.main_thread():
            raise RuntimeError("DbWorker.call() would block the main thread; use submit()")
        future: Future[T] = Future()
        self.start()
        self._queue.put(self._new_op(lambda st: fn(st.require()), "", future))
        return future.result(timeout)

    def sign_in(self, path: Path, user: str, password: str, success: Any = None, failure: Any = None,
                context: QObject | None = None) -> None:
        """Unlock the database on the DB thread (the key derivation is deliberately slow)."""
        def op(st: _State) -> Any:
            from assistant.store.database import Store

            if st.store is not None:
                st.store.close()
                st.store = None
            st.store = Store.open(path, user, password)
            st.store.audit.record("auth.signin", detail="gui")
            return st.store.account

        def ok(account: Any) -> None:
            self.signed_in = True
            if success:
                success(account)

        self._submit_state(op, ok, failure, context)

    def sign_out(self, success: Any = None) -> None:
        def op(st: _State) -> None:
            if st.store is not None:
                try:
                    st.store.audit.record("auth.signout", detail="gui")
                finally:
                    st.store.close()
                    st.store = None

        self.signed_in = False
        self._submit_state(op, lambda _r: success and success(), lambda _e: success and success(), None)

    # --- delivery on the main thread -------------------------------------------------------
    def _deliver(self, op_id: int, result: Any, error: BaseException | None) -> None:
        success, failure, context = self._callbacks.pop(op_id, (None, None, None))
        if isinstance(error, _Superseded):
            return
        if context is not None and not shiboken6.isValid(context):
            return  # the widget that asked is gone
        if error is not None:
            if failure is not None:
                call_timed(failure, error)
            else:
                log.error("unhandled database error: %s", type(error).__name__)
        elif success is not None:
            call_timed(success, result)
