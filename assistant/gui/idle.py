"""Idle detection: any keyboard or mouse input restarts a timer; when it runs out the session locks."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow

_ACTIVITY = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin, QEvent.Type.TabletPress, QEvent.Type.ShortcutOverride,
}


class IdleMonitor(QObject):
    """Emits `idle` after `timeout_ms` without user input, while enabled."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._timer.setInterval(max(timeout_ms, 1))
        self._enabled = False
        # Input reaches a top-level window (QWindow) before Qt hands it to the widget under it, so
        # watching the windows sees all of it. An application-wide filter would also see every
        # paint, timer and layout event of every widget, each a call into Python: measured, that
        # doubled the main-thread time of building the Labs tab and its chart.
        app = QGuiApplication.instance()
        self._following = isinstance(app, QGuiApplication)
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._watch)
            for window in QGuiApplication.topLevelWindows():
                self._watch(window)

    def _watch(self, window: QWindow | None) -> None:
        if window is not None:
            window.installEventFilter(self)  # a second install of the same filter is a no-op

    def set_timeout_ms(self, ms: int) -> None:
        self._timer.setInterval(max(ms, 1))
        if self._enabled:
            self._timer.start()

    def timeout_ms(self) -> int:
        return self._timer.interval()

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        if enabled:
            for window in QGuiApplication.topLevelWindows():  # shown since: some never take focus
                self._watch(window)
            self._timer.start()
        else:
            self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if self._enabled and event.type() in _ACTIVITY:
            self._timer.start()
        return False

    def detach(self) -> None:
        self._timer.stop()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            if self._following:  # detach may be called more than once (sign out, then close)
                app.focusWindowChanged.disconnect(self._watch)
                self._following = False
            for window in QGuiApplication.topLevelWindows():
                window.removeEventFilter(self)
