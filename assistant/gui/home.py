"""Home page after sign-in: recent patients, how many charts the database holds, and import."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .dbworker import DbWorker
from .models import RowTableModel, TableProxy
from .patient_list import PATIENT_COLUMNS
from .section_tab import make_table
from .session import describe_error
from .style import icon


class HomePage(QWidget):
    open_patient = Signal(str)
    import_requested = Signal()

    def __init__(self, db: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 16, 16, 16)
        lay.setSpacing(10)
        self.greeting = QLabel("")
        self.greeting.setObjectName("pageTitle")
        lay.addWidget(self.greeting)
        self.stats = QLabel("")
        self.stats.setObjectName("hint")
        self.stats.setWordWrap(True)
        lay.addWidget(self.stats)
        row = QHBoxLayout()
        title = QLabel("Recent patients")
        title.setObjectName("sectionTitle")
        row.addWidget(title)
        row.addStretch(1)
        self.import_button = QPushButton(icon("import"), "Import FHIR files…")
        self.import_button.setObjectName("homeImport")
        row.addWidget(self.import_button)
        lay.addLayout(row)
        self.model = RowTableModel(PATIENT_COLUMNS[:5], self)
        self.proxy = TableProxy(self.model, self)
        self.view = make_table(self.proxy, PATIENT_COLUMNS[:5], "recentTable")
        self.view.setColumnWidth(0, 220)
        self.view.setColumnWidth(1, 300)
        lay.addWidget(self.view, 1)
        self.empty = QLabel("")
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        lay.addWidget(self.empty)
        tips = QLabel("Ctrl+F search · Enter opens the first match · Esc cancels a generation · "
                      "Ctrl+P print · Ctrl+E export PDF")
        tips.setObjectName("hint")
        lay.addWidget(tips)
        self.view.activated.connect(lambda idx: self._open(idx))
        self.import_button.clicked.connect(self.import_requested)

    def set_user(self, name: str) -> None:
        self.greeting.setText(f"Welcome, {name}")

    def refresh(self) -> None:
        def fetch(s: Any) -> tuple[list[Any], int]:
            return s.recent_patients(limit=15), s.count_patients()

        self.db.submit(fetch, self._show, lambda e: self.stats.setText(describe_error(e)), context=self,
                       key="home")

    def _show(self, result: tuple[list[Any], int]) -> None:
        recent, count = result
        self.model.set_rows(recent)
        self.stats.setText(f"The database holds {count} patient record{'s' if count != 1 else ''}. "
                           "Search on the left, or open a recent patient below.")
        if not count:
            self.empty.setText("No patients yet: import FHIR R4 files (Synthea bundles, NDJSON) to begin.")
        elif not recent:
            self.empty.setText("You have not opened a patient yet; they will be listed here.")
        else:
            self.empty.setText("")

    def _open(self, index: Any) -> None:
        row = self.proxy.object_at(index)
        if row is not None:
            self.open_patient.emit(row.id)
