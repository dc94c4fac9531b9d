"""Start the application: settings, QApplication, style, the main window, the event loop."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from assistant.config import load_settings

APP_NAME = "Clinician Assistant"


def make_app(argv: list[str] | None = None) -> Any:
    from PySide6.QtWidgets import QApplication

    from . import style
    from .qt_compat import guard_refcount_leaks

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    guard_refcount_leaks()
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("clinician-assistant")
    style.apply(app)
    return app


def load_app_settings(db: str | None = None) -> Any:
    settings = load_settings()
    if db:
        settings.values["database.path"] = str(Path(db).expanduser())
        settings.sources["database.path"] = "command line"
    return settings


def run(db: str | None = None, user: str | None = None) -> int:
    """`assistant gui`: returns the exit code of the event loop."""
    started = time.perf_counter()
    settings = load_app_settings(db)
    app = make_app()
    from .main_window import MainWindow

    window = MainWindow(settings)
    if user:
        window.signin.user.setText(user)
    window.show()
    window.signin.reset()
    window.startup_seconds = time.perf_counter() - started
    _quit_on_signals(window)
    return int(app.exec())


def _quit_on_signals(window: Any) -> None:
    """Ctrl+C / SIGTERM close the window cleanly (workers stopped, database closed)."""
    import signal

    from PySide6.QtCore import QTimer

    def close(*_: Any) -> None:
        window._force = True  # a terminal interrupt does not wait for an answer about unsaved edits
        window.close()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, close)
    # Python runs signal handlers only between bytecodes: wake the interpreter now and then.
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)
