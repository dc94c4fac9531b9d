"""Keep the app's shortcuts (Ctrl+E, Ctrl+P, Ctrl+F, Ctrl+L, Esc) working while a text field has focus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

# Text widgets claim some of these for editing (Ctrl+E is "end of line" in the X11 key map), which
# would make the app's shortcut silently do nothing in the care-plan editor.
RESERVED = {
    (Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier),
}


class ShortcutGuard(QObject):
    """Swallows the ShortcutOverride of reserved keys inside `window`, so the shortcut fires.

    Esc is reserved only while `esc_wanted()` says a generation is running, so it still closes
    pop-ups and completers at other times.
    """

    def __init__(self, window: QWidget, esc_wanted: Callable[[], bool]) -> None:
        super().__init__(window)
        self.window = window
        self.esc_wanted = esc_wanted
        # Qt sends ShortcutOverride to the widget with the keyboard focus, so the filter follows
        # the focus. An application-wide filter would also see every paint, timer and layout
        # event of every widget, each a call into Python (it doubled the Labs tab's build time).
        app = QApplication.instance()
        self._following = isinstance(app, QApplication)
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow_focus)
            self._follow_focus(None, app.focusWidget())

    def _follow_focus(self, old: QWidget | None, new: QWidget | None) -> None:
        if old is not None:
            try:
                old.removeEventFilter(self)
            except RuntimeError:  # the widget that lost focus was being deleted
                pass
        if new is not None and new.window() is self.window:
            new.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self.window:
            return False
        assert isinstance(event, QKeyEvent)
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = Qt.Key(event.key())
        if (key, mods) in RESERVED:
            return True
        return key == Qt.Key.Key_Escape and mods == Qt.KeyboardModifier.NoModifier and self.esc_wanted()

    def detach(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            if self._following:  # detach may be called more than once
                app.focusChanged.disconnect(self._follow_focus)
                self._following = False
            focused = app.focusWidget()
            if focused is not None:
                focused.removeEventFilter(self)
