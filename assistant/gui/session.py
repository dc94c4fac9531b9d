"""The signed-in session: unlock, sign out, lock on idle and unlock with the same user's password."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from assistant.errors import AssistantError, AuthenticationError

from .dbworker import DbWorker
from .idle import IdleMonitor

log = logging.getLogger(__name__)


def describe_error(error: BaseException) -> str:
    """A message a clinician can act on; internals are named, never dumped."""
    if isinstance(error, AssistantError):
        return error.message
    return f"Unexpected error ({type(error).__name__}). The action was not completed; try again."


def _check_password(store: Any, password: str) -> None:
    # Re-read the key file so a password changed elsewhere since sign-in is the one that counts.
    from assistant.store.keyring import Keyring

    keyring = Keyring.load(Keyring.path_for(store.path))
    try:
        keyring.unlock(store.account.name, password.encode())
    except AuthenticationError:
        store.audit.record("auth.unlock_failed", detail="gui")
        raise AuthenticationError("wrong password") from None
    store.audit.record("auth.unlock", detail="gui")


class Session(QObject):
    """State machine: signed out -> signed in <-> locked -> signed out."""

    signed_in = Signal(object)  # Account
    signed_out = Signal()
    locked = Signal()
    unlocked = Signal()
    sign_in_failed = Signal(str)
    unlock_failed = Signal(str)

    def __init__(self, db_path: Path, idle_minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.db = DbWorker(self)
        self.account: Any = None
        self.is_locked = False
        self.idle = IdleMonitor(int(idle_minutes * 60_000), self)
        self.idle.idle.connect(self.lock)

    @property
    def is_signed_in(self) -> bool:
        return self.account is not None

    def set_idle_minutes(self, minutes: float) -> None:
        self.idle.set_timeout_ms(int(minutes * 60_000))

    # --- sign in / out ---------------------------------------------------------------------
    def sign_in(self, user: str, password: str) -> None:
        def ok(account: Any) -> None:
            self.account = account
            self.is_locked = False
            self.idle.set_enabled(True)
            self.signed_in.emit(account)

        def failed(error: BaseException) -> None:
            if isinstance(error, AuthenticationError):
                self.sign_in_failed.emit("Wrong user name or password." if "wrong" in error.message
                                         else error.message)
            else:
                self.sign_in_failed.emit(describe_error(error))

        self.db.sign_in(self.db_path, user, password, ok, failed, context=self)

    def sign_out(self) -> None:
        if not self.is_signed_in:
            return
        self.idle.set_enabled(False)
        self.account = None
        self.is_locked = False
        self.db.sign_out()
        self.signed_out.emit()

    # --- lock / unlock ---------------------------------------------------------------------
    def lock(self) -> None:
        if not self.is_signed_in or self.is_locked:
            return
        self.is_locked = True
        self.idle.set_enabled(False)
        self.db.submit(lambda s: s.audit.record("auth.lock", detail="idle or manual"), context=self)
        self.locked.emit()

    def unlock(self, password: str) -> None:
        if not self.is_locked:
            return

        def ok(_: Any) -> None:
            self.is_locked = False
            self.idle.set_enabled(True)
            self.unlocked.emit()

        def failed(error: BaseException) -> None:
            self.unlock_failed.emit("Wrong password." if isinstance(error, AuthenticationError)
                                    else describe_error(error))

        self.db.submit(lambda s: _check_password(s, password), ok, failed, context=self)

    def shutdown(self) -> None:
        """Close the database and stop its thread (at exit)."""
        self.idle.set_enabled(False)
        self.idle.detach()
        if self.is_signed_in:
            self.account = None
            self.db.sign_out()
        self.db.stop()
