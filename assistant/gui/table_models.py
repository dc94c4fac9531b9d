"""Qt item models over core objects: one read-only table model driven by column specs, and its proxy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

OBJECT_ROLE = Qt.ItemDataRole.UserRole + 1  # the core object behind a row
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a natural sort key (ISO dates, numbers)
REF_ROLE = Qt.ItemDataRole.UserRole + 3  # the entry's citation key, "Type/id"

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One column: its title, the cell text, and optionally a sort key, tooltip and alignment."""

    title: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None
    tooltip: Callable[[Any], str] | None = None
    numeric: bool = False
    width: int = 0  # initial width in pixels; 0 lets the view decide


class RowTableModel(QAbstractTableModel):
    """Rows are core objects (frozen dataclasses); texts and sort keys are computed once per reset."""

    def __init__(self, columns: Sequence[Column], parent: Any = None,
                 emphasis: Callable[[Any], str] | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._objects: list[Any] = []
        self._texts: list[tuple[str, ...]] = []
        self._sort: list[tuple[Any, ...]] = []
        # `emphasis(obj)` names a row style: "" | "muted" | "alert"; views colour rows by it.
        self._emphasis = emphasis
        self._styles: list[str] = []
        self._row_tips: dict[str, str] = {}  # by entry ref: a tooltip for the whole row

    def set_rows(self, objects: Sequence[Any]) -> None:
        self.beginResetModel()
        self._objects = list(objects)
        self._texts = [tuple(c.text(o) for c in self.columns) for o in self._objects]
        self._sort = [tuple(_sort_key(c, o, t) for c, t in zip(self.columns, texts, strict=True))
                      for o, texts in zip(self._objects, self._texts, strict=True)]
        self._styles = [self._emphasis(o) for o in self._objects] if self._emphasis else []
        self.endResetModel()

    def set_row_tips(self, tips: dict[str, str]) -> None:
        """Tooltips for whole rows (what replaced a corrected entry), shown over every cell."""
        self._row_tips = dict(tips)

    def objects(self) -> list[Any]:
        return list(self._objects)

    def object_at(self, row: int) -> Any:
        return self._objects[row]

    def row_of(self, predicate: Callable[[Any], bool]) -> int:
        for i, o in enumerate(self._objects):
            if predicate(o):
                return i
        return -1

    # --- QAbstractTableModel ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._objects)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row][col]
        if role == SORT_ROLE:
            return self._sort[row][col]
        if role == OBJECT_ROLE:
            return self._objects[row]
        if role == REF_ROLE:
            return getattr(self._objects[row], "ref", None)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._row_tips.get(getattr(self._objects[row], "ref", ""))
            if tip:
                return tip
            column = self.columns[col]
            if column.tooltip:
                return column.tooltip(self._objects[row]) or None
            text = self._texts[row][col]
            return text if len(text) > 40 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[col].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self._styles:
            style = self._styles[row]
            if style == "muted":
                return QBrush(QColor("#6b7280"))
            if style == "alert":
                return QBrush(QColor("#b42318"))
        return None


def _sort_key(column: Column, obj: Any, text: str) -> Any:
    if column.sort is None:
        return text.casefold()
    key = column.sort(obj)
    # Qt compares QVariants of one type; None would sort unpredictably against numbers.
    if key is None:
        return float("-inf") if column.numeric else ""
    return key


class TableProxy(QSortFilterProxyModel):
    """Sorts by the model's natural keys and filters on any column, case-insensitively."""

    def __init__(self, source: RowTableModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def source(self) -> RowTableModel:
        model = self.sourceModel()
        assert isinstance(model, RowTableModel)
        return model

    def object_at(self, index: Index) -> Any:
        return self.data(index, OBJECT_ROLE) if index.isValid() else None

    def proxy_row_of(self, predicate: Callable[[Any], bool]) -> int:
        src_row = self.source().row_of(predicate)
        if src_row < 0:
            return -1
        return self.mapFromSource(self.source().index(src_row, 0)).row()
