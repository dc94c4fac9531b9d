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
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

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
        if app is not None:
            app.removeEventFilter(self)
