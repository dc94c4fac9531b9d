"""The frame of every chart-entry dialog: labelled fields, a message under the field that is wrong, Save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from assistant.records.entry_checks import FieldError
from assistant.services.chart_entry import Saved
from assistant.store.database import Store

from .dbworker import DbWorker
from .session import describe_error

ERROR_STYLE = "color: #b00020;"
W = TypeVar("W", bound=QWidget)


def when_edit() -> QDateTimeEdit:
    """A date and time, now by default; the future is refused on save with a message beside it."""
    edit = QDateTimeEdit(QDateTime.currentDateTime())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    return edit


def when_of(edit: QDateTimeEdit) -> datetime:
    value = edit.dateTime().toPython()
    if not isinstance(value, datetime):
        raise TypeError("QDateTime.toPython() gave no datetime")
    return value.astimezone()  # a typed time is local time


class EntryDialog(QDialog):
    """Subclasses add fields with `field()` and implement `work()`: the store call that saves them."""

    saved = Signal(object)  # services.chart_entry.Saved

    def __init__(self, db: DbWorker, patient_id: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.patient_id = db, patient_id
        self.setWindowTitle(title)
        self.setObjectName("entryDialog")
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        lay.addLayout(self.form)
        self.general = QLabel("")
        self.general.setObjectName("entryError")
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        self.general.hide()
        lay.addWidget(self.general)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._errors: dict[str, QLabel] = {}
        self.result_saved: Saved | None = None

    def field(self, name: str, label: str, widget: W, hint: str = "") -> W:
        """A row with `widget`, and under it the line where a message about field `name` appears."""
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(1)
        col.addWidget(widget)
        error = QLabel("")
        error.setObjectName(f"error_{name}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        col.addWidget(error)
        if hint:
            widget.setToolTip(hint)
        widget.setObjectName(f"field_{name}")
        self._errors[name] = error
        self.form.addRow(label, box)
        return widget

    def error_text(self, name: str) -> str:
        label = self._errors.get(name)
        return label.text() if label is not None and not label.isHidden() else ""

    def clear_errors(self) -> None:
        for label in (*self._errors.values(), self.general):
            label.setText("")
            label.hide()

    def show_error(self, error: BaseException) -> None:
        """A FieldError under its field; anything else under the form."""
        if isinstance(error, FieldError):
            name = error.field.lstrip("-").replace("-", "_")
            label = self._errors.get(name)
            if label is not None:
                label.setText(error.text)
                label.show()
                return
        self.general.setText(describe_error(error))
        self.general.show()

    def work(self) -> Callable[[Store], Saved]:
        """Read the fields (raising FieldError at once for what can be judged here) and return the save."""
        raise NotImplementedError

    def save(self) -> None:
        self.clear_errors()
        try:
            job = self.work()
        except FieldError as e:
            self.show_error(e)
            return
        self.buttons.setEnabled(False)

        def ok(result: Saved) -> None:
            self.result_saved = result
            self.saved.emit(result)
            self.accept()

        def failed(error: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.show_error(error)

        self.db.submit(job, ok, failed, context=self)


def status_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
