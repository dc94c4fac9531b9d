"""Care-plan editor: a table over the plan's sections (one row per item) that edits text, target and timing, with undo.

A table scales where a widget per item did not: a 40-item plan built ~80 widgets and stalled the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHeaderView,
    QMenu,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from .plan_data import PlanSection
from .plan_model import COLUMNS, DUE, SOURCES, TEXT, PlanModel

Index = QModelIndex | QPersistentModelIndex

ROWS_PER_TURN = 12
# Fixed widths of the columns after the stretching text (target, when, next due, details, sources).
WIDTHS = (104, 116, 92, 170, 170)


class _TextDelegate(QStyledItemDelegate):
    """Multi-line editing for an item (Enter adds a line; Tab or clicking elsewhere commits)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        editor = QPlainTextEdit(parent)
        editor.setObjectName("planItemEditor")
        editor.setTabChangesFocus(True)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        assert isinstance(editor, QPlainTextEdit)
        editor.setPlainText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        editor.moveCursor(editor.textCursor().MoveOperation.End)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        assert isinstance(editor, QPlainTextEdit)
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        rect = option.rect
        rect.setHeight(max(rect.height(), 72))  # room to type even in a one-line row
        editor.setGeometry(rect)


class _DueDelegate(QStyledItemDelegate):
    """A date picker for the next-due date: only real dates reach the model."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        editor = QDateEdit(parent)
        editor.setObjectName("planDueEditor")
        editor.setCalendarPopup(True)
        editor.setDisplayFormat("yyyy-MM-dd")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        assert isinstance(editor, QDateEdit)
        date = QDate.fromString(str(index.data(Qt.ItemDataRole.EditRole) or ""), "yyyy-MM-dd")
        editor.setDate(date if date.isValid() else QDate.currentDate())
        # A blank due date opens on today only as a starting point: leaving it untouched (Tab passes
        # through the cell) must not write today's date into the plan.
        editor.setProperty("placeholder", None if date.isValid() else editor.date())

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        assert isinstance(editor, QDateEdit)
        if editor.property("placeholder") == editor.date():
            return
        model.setData(index, editor.date().toString("yyyy-MM-dd"), Qt.ItemDataRole.EditRole)


class PlanEditor(QTableView):
    """`changed` on any edit; `cite(ref)` when a source is clicked."""

    changed = Signal()
    cite = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = PlanModel(self)
        self.setModel(self.plan)
        self.setItemDelegateForColumn(TEXT, _TextDelegate(self))
        self.setItemDelegateForColumn(DUE, _DueDelegate(self))
        self.setWordWrap(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        # Rows are sized once after a load and then one at a time as they change: ResizeToContents
        # would measure every row again on each layout pass.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.verticalHeader().setMinimumSectionSize(24)
        header = self.horizontalHeader()
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        for col, width in enumerate(WIDTHS, start=1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(col, width)
        self.undo_action, self.redo_action = self._history_actions()
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.plan.edited.connect(self.changed)
        self.plan.modelReset.connect(self._relayout)
        self.plan.rowsInserted.connect(lambda *_: self._relayout())
        self.plan.rowsRemoved.connect(lambda *_: self._relayout())
        self.plan.dataChanged.connect(self._rows_changed)
        # Column widths settle after the view is laid out (the first column stretches): heights are
        # measured again, once, after any width change.
        self._width_timer = QTimer(self)
        self._width_timer.setSingleShot(True)
        self._width_timer.setInterval(0)
        self._width_timer.timeout.connect(self._width_changed)
        self.horizontalHeader().sectionResized.connect(lambda *_: self._width_timer.start())
        self._last_width = -1
        self._sizing = (0, 0)  # (generation, rows sized so far)
        self.clicked.connect(self._clicked)

    def load(self, sections: list[PlanSection], label_for: Callable[[str], str], editable: bool,
             as_of: str = "") -> None:
        self.plan.load(sections, label_for, editable, as_of)

    @property
    def undo_stack(self) -> Any:
        return self.plan.undo_stack

    def _history_actions(self) -> tuple[QAction, QAction]:
        """Undo (Ctrl+Z) and redo (Ctrl+Shift+Z, or Ctrl+Y) of the plan's edits, with the edit named."""
        undo = self.plan.undo_stack.createUndoAction(self, "Undo")
        undo.setObjectName("undoPlanEdit")
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo = self.plan.undo_stack.createRedoAction(self, "Redo")
        redo.setObjectName("redoPlanEdit")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (undo, redo):
            # While a cell is being typed in, its own field's undo takes the keys.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        return undo, redo

    def value(self) -> list[PlanSection]:
        return self.plan.value()

    @property
    def editable(self) -> bool:
        return self.plan.editable

    def _relayout(self) -> None:
        self.clearSpans()
        for row, (_si, ii) in enumerate(self.plan.rows):
            if ii < 0:
                self.setSpan(row, 0, 1, len(COLUMNS))
        self.resize_rows()

    def resize_rows(self) -> None:
        """Fit row heights to the wrapped text, a few rows per event-loop turn (a long plan's
        text layout in one go kept the interface busy for over 100 ms)."""
        self._sizing = (self._sizing[0] + 1, 0)
        self._resize_batch(self._sizing[0])

    def _resize_batch(self, generation: int) -> None:
        if generation != self._sizing[0]:
            return  # a newer resize started over
        start = self._sizing[1]
        end = min(start + ROWS_PER_TURN, self.plan.rowCount())
        for row in range(start, end):
            self.resizeRowToContents(row)
        self._sizing = (generation, end)
        if end < self.plan.rowCount():
            QTimer.singleShot(0, lambda: self._resize_batch(generation))

    def _rows_changed(self, top: QModelIndex, bottom: QModelIndex, *_: Any) -> None:
        for row in range(top.row(), bottom.row() + 1):
            self.resizeRowToContents(row)

    def rows_sized(self) -> bool:
        return self._sizing[1] >= self.plan.rowCount()

    def _width_changed(self) -> None:
        # Wrapped text needs new heights when the text column gets narrower or wider.
        width = self.columnWidth(0)
        if abs(width - self._last_width) > 8:
            self._last_width = width
            self.resize_rows()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._width_timer.start()

    # --- actions -----------------------------------------------------------------------------------
    def current_section(self) -> int:
        row = self.currentIndex().row()
        return self.plan.section_of(row) if row >= 0 else (0 if self.plan.sections else -1)

    def add_item(self, section: int | None = None) -> int:
        """Add an empty item to the current section and start editing it."""
        section = self.current_section() if section is None else section
        if not self.plan.editable or section < 0:
            return -1
        at = None
        current = self.currentIndex().row()
        if current >= 0 and self.plan.section_of(current) == section and not self.plan.is_header(current):
            at = self.plan.rows[current][1] + 1  # below the selected item
        row = self.plan.add_item(section, at=at)
        if row < 0:
            return -1
        index = self.plan.index(row, TEXT)
        self.setCurrentIndex(index)
        self.scrollTo(index)
        self.edit(index)
        return row

    def remove_current(self) -> bool:
        row = self.currentIndex().row()
        if row < 0 or not self.plan.remove_item(row):
            return False
        if self.plan.rowCount():  # the next item (or the previous at a section's end) is current
            self.setCurrentIndex(self.plan.index(min(row, self.plan.rowCount() - 1), TEXT))
        return True

    def move_current(self, delta: int) -> bool:
        """Move the selected item up (-1) or down (+1) within its section; it stays selected."""
        index = self.currentIndex()
        row = self.plan.move_item(index.row(), delta) if index.isValid() else -1
        if row < 0:
            return False
        self.setCurrentIndex(self.plan.index(row, max(index.column(), 0)))
        return True

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        if self.state() != QAbstractItemView.State.EditingState:
            key, mods = event.key(), event.modifiers()
            ctrl = Qt.KeyboardModifier.ControlModifier
            if key == Qt.Key.Key_Delete:
                self.remove_current()
                return
            if key == Qt.Key.Key_Insert:
                self.add_item()
                return
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and mods == ctrl:
                self.move_current(-1 if key == Qt.Key.Key_Up else 1)
                return
        super().keyPressEvent(event)

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() != SOURCES:
            return
        item = self.plan.item_at(index.row())
        if item is None or not item.citations:
            return
        if len(item.citations) == 1:
            self.cite.emit(item.citations[0])
            return
        menu = QMenu(self)
        for ref in item.citations:
            action = QAction(self.plan.label_for(ref), menu)
            action.triggered.connect(lambda _=False, r=ref: self.cite.emit(r))
            menu.addAction(action)
        menu.popup(self.viewport().mapToGlobal(self.visualRect(index).bottomLeft()))

    def _menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if not self.plan.editable or not index.isValid():
            return
        menu = QMenu(self)
        add = menu.addAction("Add an item to this section")
        add.triggered.connect(lambda: self.add_item(self.plan.section_of(index.row())))
        if not self.plan.is_header(index.row()):
            edit = menu.addAction("Edit this item")
            edit.triggered.connect(lambda: self.edit(self.plan.index(index.row(), TEXT)))
            remove = menu.addAction("Remove this item")
            remove.triggered.connect(lambda: self.plan.remove_item(index.row()))
            for label, delta in (("Move up (Ctrl+Up)", -1), ("Move down (Ctrl+Down)", 1)):
                move = menu.addAction(label)
                move.triggered.connect(lambda _=False, d=delta: self.plan.move_item(index.row(), d))
        menu.popup(self.viewport().mapToGlobal(pos))
