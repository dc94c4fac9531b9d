"""The patient list: search as you type (name, MRN, note text), sortable results, open on Enter/double-click."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assistant.gui.table_models import Column, RowTableModel, TableProxy

from .dbworker import DbWorker
from .formatting import sex_text
from .section_tab import ElidedTips
from .session import describe_error


def _age(birth: str | None) -> str:
    from datetime import date

    if not birth:
        return ""
    try:
        b = date.fromisoformat(birth[:10])
    except ValueError:
        return ""
    today = date.today()
    return str(today.year - b.year - ((today.month, today.day) < (b.month, b.day)))


def _snippet(text: str) -> str:
    """The note words around the match, on one line, starting near the first [match]."""
    text = " ".join(text.split())
    at = text.find("[")
    if at > 12:
        # A narrow column shows the start: begin just before the matched word, not at the note's start.
        cut = text.rfind(" ", 0, at - 1)
        text = "…" + text[cut + 1 if cut >= 0 else at:]
    return text


PATIENT_COLUMNS = (
    Column("Name", lambda p: p.name, width=220),
    Column("MRN", lambda p: p.mrn, width=160),
    Column("Born", lambda p: p.birth_date or "", width=90),
    Column("Age", lambda p: _age(p.birth_date), sort=lambda p: int(_age(p.birth_date) or -1),
           numeric=True, width=50),
    Column("Sex", lambda p: sex_text(p.sex), width=70),
)

# The sidebar is narrow: name, birth date and sex identify a patient at a glance; MRN follows.
SIDEBAR_COLUMNS = (
    Column("Name", lambda p: p.name, tooltip=lambda p: f"{p.name}\nMRN {p.mrn}"),
    Column("Born", lambda p: p.birth_date or "", width=86),
    Column("Sex", lambda p: sex_text(p.sex)[:1], width=44),
    Column("MRN", lambda p: p.mrn, width=110),
    Column("Matched in notes", lambda p: _snippet(p.snippet), tooltip=lambda p: _snippet(p.snippet)),
)
SNIPPET_COLUMN = 4


class _SearchField(QLineEdit):
    """Down arrow moves into the results, so search-and-open works from the keyboard alone."""

    down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        super().keyPressEvent(event)


class PatientListPanel(QWidget):
    """Sidebar: every keystroke queries the DB thread; only the newest answer is shown."""

    open_patient = Signal(str)  # patient id
    results_shown = Signal(int)  # number of rows, after each search lands (tests, benchmarks)

    def __init__(self, db: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self._seq = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 4, 8)
        title = QLabel("Patients")
        title.setObjectName("sectionTitle")
        lay.addWidget(title)
        self.search = _SearchField()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search name, MRN or note text  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        lay.addWidget(self.search)
        self.model = RowTableModel(SIDEBAR_COLUMNS, self)
        self.proxy = TableProxy(self.model, self)
        self.view = QTableView()
        self.view.setItemDelegate(ElidedTips(self.view))
        self.view.setObjectName("patientTable")
        self.view.setModel(self.proxy)
        # Keep the store's order (name hits first, then note hits) until the user sorts.
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for i, c in enumerate(SIDEBAR_COLUMNS):
            if c.width:
                self.view.setColumnWidth(i, c.width)
        self.view.setColumnHidden(SNIPPET_COLUMN, True)
        self.view.setColumnHidden(3, True)  # MRN: in the tooltip; the sidebar is too narrow for it
        lay.addWidget(self.view, 1)
        self.status = QLabel("")
        self.status.setObjectName("hint")
        lay.addWidget(self.status)
        self.search.textChanged.connect(self.refresh)
        self.search.returnPressed.connect(self._open_first)
        self.search.down.connect(self._focus_results)
        self.view.activated.connect(self._activated)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        """Ask the DB thread for the list matching the current text; stale answers are dropped."""
        self._seq += 1
        seq, text = self._seq, self.search.text()
        self.db.submit(lambda s: s.patients.list(text, limit=500),
                       lambda rows: self._show(seq, text, rows),
                       lambda e: self._failed(seq, e), context=self, key="patient-search")

    def _show(self, seq: int, text: str, rows: list[Any]) -> None:
        if seq != self._seq:
            return
        self.model.set_rows(rows)
        # Patients found through their notes show the matching words in place of birth date/MRN.
        snippets = any(r.snippet for r in rows)
        self.view.setColumnHidden(SNIPPET_COLUMN, not snippets)
        self.view.setColumnHidden(1, snippets)
        self.view.horizontalHeader().setSectionResizeMode(
            SNIPPET_COLUMN, QHeaderView.ResizeMode.Stretch if snippets else QHeaderView.ResizeMode.Interactive)
        if text.strip():
            self.status.setText(f"{len(rows)} match{'es' if len(rows) != 1 else ''}" if rows
                                else "No patient matches. Try part of a name, an MRN or a word in a note.")
        else:
            self.status.setText(f"{len(rows)} patient{'s' if len(rows) != 1 else ''}"
                                + (" (first 500; search to narrow)" if len(rows) >= 500 else ""))
        self.results_shown.emit(len(rows))

    def _failed(self, seq: int, error: BaseException) -> None:
        if seq == self._seq:
            self.status.setText(describe_error(error))

    def clear(self) -> None:
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.model.set_rows([])
        self.status.setText("")

    def _focus_results(self) -> None:
        if self.proxy.rowCount():
            self.view.setFocus()
            self.view.selectRow(0)

    def _open_first(self) -> None:
        idx = self.view.currentIndex()
        if not idx.isValid() and self.proxy.rowCount():
            idx = self.proxy.index(0, 0)
        self._activated(idx)

    def _activated(self, index: QModelIndex) -> None:
        row = self.proxy.object_at(index)
        if row is not None:
            self.open_patient.emit(row.id)
