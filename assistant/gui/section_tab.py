"""One chart section as a tab: a filter box, a sortable table, and the selected entry in full."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTextBrowser,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from assistant.gui.table_models import Column, RowTableModel, TableProxy

from .entry_detail import DETAIL_CSS, entry_html
from .sections import correction_tips


class ElidedTips(QStyledItemDelegate):
    """A cell cut off by its column ('Glomerular filtr…') shows its whole text as a tooltip."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,  # noqa: N802
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid() and not index.data(Qt.ItemDataRole.ToolTipRole):
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            rect = view.visualRect(index)
            if text and option.fontMetrics.horizontalAdvance(text) + 8 > rect.width():
                QToolTip.showText(event.globalPos(), text, view, rect)
                return True
        return super().helpEvent(event, view, option, index)


def elided_text_cut(view: QAbstractItemView, index: QModelIndex) -> bool:
    """Whether a cell's text is wider than its column (what ElidedTips answers with a tooltip)."""
    text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
    return bool(text) and view.fontMetrics().horizontalAdvance(text) + 8 > view.visualRect(index).width()


def make_table(proxy: TableProxy, columns: Sequence[Column], name: str) -> QTableView:
    """A read-only, row-selecting, click-to-sort table with our defaults."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(proxy)
    view.setItemDelegate(ElidedTips(view))
    # No sort indicator until the user clicks: rows keep the record's order (newest first).
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    # Measuring columns asks the model for each row's text: bound the cost on long tables.
    header.setResizeContentsPrecision(120)
    for i, c in enumerate(columns):
        if c.width:
            view.setColumnWidth(i, c.width)
    return view


def fit_columns(view: QTableView, max_width: int = 340) -> None:
    """Size columns to their contents (first rows only), none wider than `max_width`."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for i in range(header.count() - 1):
        if view.columnWidth(i) > max_width:
            view.setColumnWidth(i, max_width)


def make_detail() -> QTextBrowser:
    detail = QTextBrowser()
    detail.setObjectName("entryDetail")
    detail.setOpenLinks(False)
    detail.document().setDefaultStyleSheet(DETAIL_CSS)
    return detail


class SectionTab(QWidget):
    """Rows are record entries; selecting one (or citing it from elsewhere) shows it in full."""

    entry_selected = Signal(object)

    def __init__(self, key: str, columns: Sequence[Column], empty: str, emphasis: Any = None,
                 parent: QWidget | None = None, detail_beside: bool = False,
                 order: Callable[[Sequence[Any]], list[Any]] | None = None,
                 order_text: str = "newest first") -> None:
        super().__init__(parent)
        self.key = key
        self.empty_text = empty
        self.order, self.order_text = order, order_text
        # Names the entries a detail pane refers to ('Reasons', 'Encounter'); set by the patient view.
        self.resolve: Callable[[str], Any] | None = None
        self.model = RowTableModel(columns, self, emphasis=emphasis)
        self.proxy = TableProxy(self.model, self)
        lay = self.box = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.count = QLabel("")
        self.count.setObjectName("hint")
        self.filter = QLineEdit()
        self.filter.setObjectName(f"{key}Filter")
        self.filter.setPlaceholderText("Filter this list")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMaximumWidth(320)
        top.addWidget(self.count, 1)
        top.addWidget(self.filter)
        lay.addLayout(top)
        split = QSplitter(Qt.Orientation.Horizontal if detail_beside else Qt.Orientation.Vertical)
        self.view = make_table(self.proxy, columns, f"{key}Table")
        self.detail = make_detail()
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2 if detail_beside else 1)
        split.setSizes([560, 300] if detail_beside else [420, 160])
        self.split = split
        lay.addWidget(split, 1)
        self.filter.textChanged.connect(self._filter)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)

    def set_entries(self, entries: Sequence[Any]) -> None:
        self.model.set_rows(self.order(entries) if self.order is not None else entries)
        self.model.set_row_tips(correction_tips(entries))
        # Newest first is the record's order; the header shows no sort until the user asks.
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
        self._update_count()
        if entries:
            fit_columns(self.view)
            # The newest entry is shown in full from the start: no blank pane to puzzle over.
            self.view.selectRow(0)
        else:
            self.detail.setHtml(f"<p class='muted'>{self.empty_text}</p>")

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if total == 0:
            self.count.setText(self.empty_text)
        elif shown == total:
            self.count.setText(f"{total} entr{'y' if total == 1 else 'ies'}, {self.order_text}; click a "
                               "column to sort")
        else:
            self.count.setText(f"{shown} of {total} entries match")

    def _current_changed(self, current: Any, _previous: Any) -> None:
        entry = self.proxy.object_at(current)
        if entry is not None:
            self.detail.setHtml(entry_html(entry, resolve=self.resolve))
            self.entry_selected.emit(entry)

    def show_history(self, ref: str, html: str) -> None:
        """Add an entry's status history (read from the audit log) under its details, if still shown."""
        entry = self.proxy.object_at(self.view.currentIndex())
        if html and entry is not None and entry.ref == ref:
            self.detail.setHtml(entry_html(entry, resolve=self.resolve) + html)

    def select_ref(self, ref: str) -> bool:
        """Select and show the entry with this citation key; False if it is not in this table."""
        row = self.proxy.proxy_row_of(lambda e: e.ref == ref or e.id == ref)
        if row < 0 and self.filter.text():
            self.filter.clear()
            row = self.proxy.proxy_row_of(lambda e: e.ref == ref or e.id == ref)
        if row < 0:
            return False
        index = self.proxy.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True
