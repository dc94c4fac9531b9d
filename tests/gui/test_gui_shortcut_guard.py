"""The shortcut guard follows the keyboard focus and keeps the app's keys from text fields."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from assistant.gui.shortcuts import ShortcutGuard


class RecordingEdit(QLineEdit):
    """A text field that notes every ShortcutOverride that reaches it."""

    def __init__(self) -> None:
        super().__init__()
        self.overrides: list[int] = []

    def event(self, e: QEvent) -> bool:  # noqa: N802 - Qt name
        if e.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(e, QKeyEvent)
            self.overrides.append(e.key())
        return super().event(e)


def _override(widget: QWidget, key: Qt.Key, mods: Qt.KeyboardModifier) -> None:
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.ShortcutOverride, key, mods))


def test_guard_follows_focus_and_swallows_reserved_keys_only(qtbot) -> None:
    window = QWidget()
    layout = QVBoxLayout(window)
    first, second = RecordingEdit(), RecordingEdit()
    layout.addWidget(first)
    layout.addWidget(second)
    qtbot.addWidget(window)
    generating = [False]
    guard = ShortcutGuard(window, lambda: generating[0])
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    first.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    _override(first, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # reserved: never reaches it
    _override(first, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select-all stays the field's
    _override(first, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)  # no generation: field's
    generating[0] = True
    _override(first, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)  # generating: the app's
    assert first.overrides == [Qt.Key.Key_A, Qt.Key.Key_Escape]

    second.setFocus()  # the filter moves with the focus
    qtbot.waitUntil(lambda: QApplication.focusWidget() is second)
    _override(first, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    _override(second, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert first.overrides[-1] == Qt.Key.Key_P and Qt.Key.Key_P not in second.overrides

    guard.detach()
    _override(second, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert second.overrides == [Qt.Key.Key_F]
