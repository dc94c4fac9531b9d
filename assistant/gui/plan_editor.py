"""Care-plan editor: an item model over the plan's sections (one row per item) and a table that edits it.

A table scales where a widget per item did not: a 40-item plan built ~80 widgets and stalled the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from .plan_data import PlanItem, PlanSection

Index = QModelIndex | QPersistentModelIndex

# The core's deterministic assessment of a goal or monitoring item, in words.
STATES = {"at-target": "at target", "above-target": "above target", "below-target": "below target",
          "missing": "no result on record", "due": "due now", "overdue": "overdue",
          "up-to-date": "up to date"}
STATUS_NOTE = {"unverified": "Model text NOT checked against the record: delete or rewrite it before signing",
               "edited": "Edited by you", "deterministic": "Built from the record and templates",
               "verified": "Written by the model and checked against the record"}
COLUMNS = ("Plan item", "Details", "Sources")
ROWS_PER_TURN = 12
SECTION_BG = QColor("#e8eef6")
UNVERIFIED_BG = QColor("#fff4d6")


def item_details(item: PlanItem) -> str:
    parts = ["UNCHECKED model text: delete or rewrite it to sign"] if item.status == "unverified" else []
    parts += [f"{label}: {item.extra[k]}" for k, label in
             (("target", "Target"), ("latest", "Latest"), ("interval", "When")) if item.extra.get(k)]
    if item.extra.get("state") in STATES:
        parts.append(STATES[item.extra["state"]].capitalize())
    if item.extra.get("source"):
        parts.append(str(item.extra["source"]))
    if item.status == "unverified" and item.extra.get("issues"):
        parts.append("Not in the record: " + ", ".join(map(str, item.extra["issues"])))
    return "\n".join(parts)


class PlanModel(QAbstractTableModel):
    """Rows: a header row per section, then its items. Only item text is editable, only in drafts."""

    edited = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.sections: list[PlanSection] = []
        self.rows: list[tuple[int, int]] = []  # (section, item); item -1 is the section's header
        self.editable = False
        self.label_for: Callable[[str], str] = str
        self._original: dict[int, str] = {}  # id(item) -> text as loaded, to tell edits apart

    def load(self, sections: list[PlanSection], label_for: Callable[[str], str], editable: bool) -> None:
        self.beginResetModel()
        self.sections = [replace(s, items=[replace(i, citations=list(i.citations), extra=dict(i.extra))
                                           for i in s.items], extra=dict(s.extra)) for s in sections]
        self.label_for, self.editable = label_for, editable
        self._original = {id(i): i.text for s in self.sections for i in s.items}
        self._rebuild()
        self.endResetModel()

    def _rebuild(self) -> None:
        self.rows = []
        for si, s in enumerate(self.sections):
            self.rows.append((si, -1))
            self.rows.extend((si, ii) for ii in range(len(s.items)))

    def item_at(self, row: int) -> PlanItem | None:
        si, ii = self.rows[row]
        return None if ii < 0 else self.sections[si].items[ii]

    def section_of(self, row: int) -> int:
        return self.rows[row][0] if 0 <= row < len(self.rows) else -1

    def is_header(self, row: int) -> bool:
        return self.rows[row][1] < 0

    # --- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and index.column() == 0 and not self.is_header(index.row()):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        si, ii = self.rows[index.row()]
        col = index.column()
        if ii < 0:  # section header
            if role == Qt.ItemDataRole.DisplayRole and col == 0:
                n = len(self.sections[si].items)
                return f"{self.sections[si].title}  ({n} item{'s' if n != 1 else ''})"
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(SECTION_BG)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        item = self.sections[si].items[ii]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return item.text
            if col == 1:
                return item_details(item)
            return "\n".join(self.label_for(r) for r in item.citations)
        if role == Qt.ItemDataRole.BackgroundRole and item.status == "unverified":
            return QBrush(UNVERIFIED_BG)
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return QBrush(QColor("#1f5fa8"))
        if role == Qt.ItemDataRole.FontRole and item.status == "edited" and col == 0:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 2 and item.citations:
                return "Click to open the record entry this item rests on"
            return STATUS_NOTE.get(item.status, "")
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        item = self.item_at(index.row())
        assert item is not None
        text = str(value).strip()
        if text == item.text:
            return False
        item.text = text
        if text != self._original.get(id(item), "").strip():
            # The clinician's words now: the verifier's verdict about the old text no longer applies.
            item.status = "edited"
            item.extra.pop("issues", None)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        self.edited.emit()
        return True

    # --- structure edits -------------------------------------------------------------------------
    def add_item(self, section: int, text: str = "") -> int:
        """Append an item to a section; returns its row."""
        s = self.sections[section]
        row = next(r for r, (si, _ii) in enumerate(self.rows) if si == section) + len(s.items) + 1
        self.beginInsertRows(QModelIndex(), row, row)
        s.items.append(PlanItem(text, [], "edited"))
        self._rebuild()
        self.endInsertRows()
        self.dataChanged.emit(self.index(row - len(s.items), 0), self.index(row - len(s.items), 0))
        self.edited.emit()
        return row

    def remove_item(self, row: int) -> bool:
        if not self.editable or self.is_header(row):
            return False
        si, ii = self.rows[row]
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.sections[si].items[ii]
        self._rebuild()
        self.endRemoveRows()
        self.edited.emit()
        return True

    def value(self) -> list[PlanSection]:
        """The sections as edited; empty items are dropped."""
        return [replace(s, items=[replace(i, citations=list(i.citations), extra=dict(i.extra))
                                  for i in s.items if i.text.strip()]) for s in self.sections]


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


class PlanEditor(QTableView):
    """`changed` on any edit; `cite(ref)` when a source is clicked."""

    changed = Signal()
    cite = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = PlanModel(self)
        self.setModel(self.plan)
        self.setItemDelegateForColumn(0, _TextDelegate(self))
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
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        self.setColumnWidth(1, 230)
        self.setColumnWidth(2, 230)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.plan.edited.connect(self.changed)
        self.plan.modelReset.connect(self._relayout)
        self.plan.rowsInserted.connect(lambda *_: self._relayout())
        self.plan.rowsRemoved.connect(lambda *_: self._relayout())
        self.plan.dataChanged.connect(lambda top, *_: self.resizeRowToContents(top.row()))
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

    def load(self, sections: list[PlanSection], label_for: Callable[[str], str], editable: bool) -> None:
        self.plan.load(sections, label_for, editable)

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
        row = self.plan.add_item(section)
        index = self.plan.index(row, 0)
        self.setCurrentIndex(index)
        self.scrollTo(index)
        self.edit(index)
        return row

    def remove_current(self) -> bool:
        row = self.currentIndex().row()
        return row >= 0 and self.plan.remove_item(row)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        if event.key() == Qt.Key.Key_Delete and self.state() != QAbstractItemView.State.EditingState:
            self.remove_current()
            return
        super().keyPressEvent(event)

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() != 2:
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
            edit.triggered.connect(lambda: self.edit(self.plan.index(index.row(), 0)))
            remove = menu.addAction("Remove this item")
            remove.triggered.connect(lambda: self.plan.remove_item(index.row()))
        menu.popup(self.viewport().mapToGlobal(pos))
