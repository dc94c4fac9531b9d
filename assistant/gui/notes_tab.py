"""Notes: read the record's notes and write a new one (saved encrypted and audited by the store)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from assistant.records.domain import LOINC, Coding, Note

from .dbworker import DbWorker
from .section_tab import SectionTab
from .sections import NOTE_COLUMNS
from .session import describe_error
from .style import set_primary

NOTE_TYPES = (
    ("Progress note", "11506-3"),
    ("Consult note", "11488-4"),
    ("Nursing note", "34746-8"),
    ("Telephone encounter", "34748-4"),
    ("Discharge summary", "18842-5"),
)


class NotesTab(QWidget):
    """`note_saved(note)` after the store has it; the editor keeps its text until then."""

    note_saved = Signal(object)
    entry_selected = Signal(object)

    def __init__(self, db: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.patient_id = ""
        self.author = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.reader = SectionTab("notes", NOTE_COLUMNS, "No notes in the record yet.")
        # The note is what is read: its reader gets most of the height, the list of notes the rest.
        self.reader.detail.setObjectName("noteReader")
        self.reader.split.setStretchFactor(0, 1)
        self.reader.split.setStretchFactor(1, 3)
        self.reader.split.setSizes([170, 480])
        split.addWidget(self.reader)
        box = QGroupBox("New note")
        bl = QVBoxLayout(box)
        row = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("noteKind")
        for label, code in NOTE_TYPES:
            self.kind.addItem(label, code)
        self.title = QLineEdit()
        self.title.setObjectName("noteTitle")
        self.title.setPlaceholderText("Title (optional)")
        row.addWidget(self.kind)
        row.addWidget(self.title, 1)
        bl.addLayout(row)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("noteEditor")
        self.editor.setPlaceholderText("Write the note here. It is saved in the encrypted record and "
                                       "the saving is audited.")
        bl.addWidget(self.editor, 1)
        foot = QHBoxLayout()
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.discard = QPushButton("Discard")
        self.save = set_primary(QPushButton("Save note"))
        self.save.setObjectName("saveNote")
        foot.addWidget(self.status, 1)
        foot.addWidget(self.discard)
        foot.addWidget(self.save)
        bl.addLayout(foot)
        split.addWidget(box)
        split.setSizes([760, 400])
        lay.addWidget(split)
        self.save.clicked.connect(self._save)
        self.discard.clicked.connect(self._discard)
        self.editor.textChanged.connect(self._changed)
        self.reader.entry_selected.connect(self.entry_selected)
        self._changed()

    def set_context(self, patient_id: str, author: str) -> None:
        self.patient_id, self.author = patient_id, author

    def set_notes(self, notes: Any) -> None:
        self.reader.set_entries(notes)

    def has_unsaved(self) -> bool:
        return bool(self.editor.toPlainText().strip())

    def _changed(self) -> None:
        self.save.setEnabled(self.has_unsaved())
        self.discard.setEnabled(self.has_unsaved())

    def _discard(self) -> None:
        self.editor.clear()
        self.title.clear()
        self.status.setText("")

    def _save(self) -> None:
        text = self.editor.toPlainText()
        if not text.strip():
            return
        label, code = self.kind.currentText(), self.kind.currentData()
        note = Note(id=f"app-{uuid.uuid4().hex}", patient_id=self.patient_id, note_type=label,
                    type_code=Coding(LOINC, code, label), title=self.title.text().strip() or label,
                    author=self.author, date=datetime.now().astimezone(), text=text)
        self.save.setEnabled(False)
        self.status.setText("Saving…")

        def ok(saved: Note) -> None:
            # Clear only what was saved: text typed while saving stays in the editor.
            if self.editor.toPlainText() == text:
                self.editor.clear()
                self.title.clear()
            self.status.setText("Saved to the record.")
            self.note_saved.emit(saved)

        def failed(error: BaseException) -> None:
            self.status.setText(f"Not saved: {describe_error(error)}")
            self._changed()

        self.db.submit(lambda s: s.patients.add_note(note), ok, failed, context=self)

    def select_ref(self, ref: str) -> bool:
        return self.reader.select_ref(ref)
