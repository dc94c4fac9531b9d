"""Home page after sign-in: recent patients, how many charts the database holds, and import."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from assistant.gui.table_models import RowTableModel, TableProxy

from .context import AppContext
from .patient_list import PATIENT_COLUMNS
from .section_tab import make_table
from .session import describe_error
from .style import icon


class HomePage(QWidget):
    open_patient = Signal(str)
    import_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.db = ctx.db
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
        self.view.setMinimumHeight(150)
        lay.addWidget(self.view, 3)
        self.empty = QLabel("")
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        lay.addWidget(self.empty)
        boxes = QHBoxLayout()
        model_box = QGroupBox("Language model")
        ml = QVBoxLayout(model_box)
        self.model_text = QLabel("")
        self.model_text.setObjectName("homeModel")
        self.model_text.setWordWrap(True)
        ml.addWidget(self.model_text)
        ml.addStretch(1)
        keys_box = QGroupBox("Keyboard")
        kl = QVBoxLayout(keys_box)
        keys = QLabel("<table cellspacing=3>"
                      "<tr><td><b>Ctrl+F</b></td><td>find a patient (name, MRN, note text)</td></tr>"
                      "<tr><td><b>Enter</b></td><td>open the first match</td></tr>"
                      "<tr><td><b>Esc</b></td><td>cancel a summary or draft being generated</td></tr>"
                      "<tr><td><b>Ctrl+P</b></td><td>print the care plan or summary</td></tr>"
                      "<tr><td><b>Ctrl+E</b></td><td>export the care plan or summary as PDF</td></tr>"
                      "<tr><td><b>Ctrl+L</b></td><td>lock now (also after idle time)</td></tr></table>")
        kl.addWidget(keys)
        kl.addStretch(1)
        boxes.addWidget(model_box, 1)
        boxes.addWidget(keys_box, 1)
        lay.addLayout(boxes, 2)
        ctx.models.changed.connect(self._model_changed)
        self._model_changed()
        self.view.activated.connect(lambda idx: self._open(idx))
        self.import_button.clicked.connect(self.import_requested)

    def _model_changed(self) -> None:
        m = self.ctx.models
        if m.state == "loaded" and m.info is not None:
            text = (f"<b>{escape(m.info.name)} {escape(m.info.version)}</b> on {escape(m.device.upper() or 'CPU')}"
                    f"<br>Licence: {escape(m.info.licence or 'not stated')}<br>Summaries and care-plan drafts are "
                    "written by the model from the record's facts, then checked against the record.")
        elif m.state == "loading":
            text = "Loading the model pack…"
        else:
            text = (f"<b>{escape(m.message)}</b><br>Every feature still works: summaries and "
                    "care-plan drafts are built as deterministic text from the record. Choose a model "
                    "pack in Settings.")
        self.model_text.setText(text)

    def set_user(self, name: str) -> None:
        self.greeting.setText(f"Welcome, {name}")

    def refresh(self) -> None:
        def fetch(s: Any) -> tuple[list[Any], int]:
            return s.patients.recent(limit=15), s.patients.count()

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
