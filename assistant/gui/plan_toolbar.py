"""The care-plan editor's edit bar: add, remove, move up and down, undo and redo, each with its key."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from .plan_editor import PlanEditor

HINT = ("Double-click a cell (or start typing) to edit the item, its target or its timing; "
        "click a source to open the record entry.")


class PlanEditBar(QWidget):
    """Buttons for the editor's structure edits and history; `set_editable` follows the draft state."""

    def __init__(self, editor: PlanEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.hint = QLabel(HINT)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint, 1)
        self.undo = self._button("Undo", "undoPlan", "Undo the last edit (Ctrl+Z)")
        self.redo = self._button("Redo", "redoPlan", "Redo the edit undone (Ctrl+Shift+Z)")
        self.add_item = self._button("+ Add item", "addItem", "Add an item below the selected one (Insert)")
        self.remove_item = self._button("Remove item", "removeItem", "Remove the selected item (Delete)")
        self.move_up = self._button("▲ Up", "moveItemUp", "Move the selected item up in its section (Ctrl+Up)")
        self.move_down = self._button("▼ Down", "moveItemDown",
                                      "Move the selected item down in its section (Ctrl+Down)")
        for b in (self.undo, self.redo, self.add_item, self.remove_item, self.move_up, self.move_down):
            lay.addWidget(b)
        self.undo.clicked.connect(editor.undo_stack.undo)
        self.redo.clicked.connect(editor.undo_stack.redo)
        self.add_item.clicked.connect(lambda: editor.add_item())
        self.remove_item.clicked.connect(editor.remove_current)
        self.move_up.clicked.connect(lambda: editor.move_current(-1))
        self.move_down.clicked.connect(lambda: editor.move_current(1))
        self.stack = editor.undo_stack
        for signal in (self.stack.canUndoChanged, self.stack.canRedoChanged, self.stack.indexChanged):
            signal.connect(self._refresh)
        self._editable = False
        self._refresh()

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._refresh()

    def _refresh(self, *_: object) -> None:
        stack, on = self.stack, self._editable
        if not shiboken6.isValid(stack) or not shiboken6.isValid(self.undo):
            return  # the tab is being torn down
        self.undo.setEnabled(on and stack.canUndo())
        self.redo.setEnabled(on and stack.canRedo())
        if on and stack.canUndo():
            self.undo.setToolTip(f"{stack.undoText().capitalize()} (Ctrl+Z)")
        if on and stack.canRedo():
            self.redo.setToolTip(f"Redo: {stack.redoText()} (Ctrl+Shift+Z)")
        for b in (self.add_item, self.remove_item, self.move_up, self.move_down):
            b.setEnabled(on)
