"""The buttons above a chart tab that open the entry dialogs: what each tab lets a clinician record."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from assistant.clinical.values import observation_value
from assistant.records.domain import Allergy, Condition, Medication, Observation
from assistant.records.record import PatientRecord
from assistant.services.chart_entry import StatusChange, status_history

from .dbworker import DbWorker
from .entry_chart import (
    AllergyDialog,
    ChangeDoseDialog,
    CorrectEntryDialog,
    EnteredInErrorDialog,
    ProblemDialog,
    ProblemStatusDialog,
    StartMedicineDialog,
    StopMedicineDialog,
)
from .entry_form import EntryDialog
from .entry_vitals import CorrectDialog, LabDialog, VitalsDialog

# The tabs that take entries: problems, medications, allergies, and labs & vitals.
ENTRY_TABS = ("problems", "medications", "allergies", "labs")


class EntryBar(QWidget):
    """Buttons for one tab; those that act on the selected entry are enabled only when they can."""

    saved = Signal(object)  # services.chart_entry.Saved
    history = Signal(str, str)  # (entry ref, HTML of its status history from the audit log)

    def __init__(self, key: str, db: DbWorker, record: Callable[[], PatientRecord],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"entryBar_{key}")
        self.key, self.db, self.record = key, db, record
        self.selected: Any = None
        self.dialog: EntryDialog | None = None  # the one open now (tests drive it)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 0)
        # A wrong entry is corrected (a new version supersedes it) or marked entered in error.
        fixes = [("Correct…", self._fix), ("Entered in error…", self._in_error)]
        actions: dict[str, list[tuple[str, Callable[[], EntryDialog | None]]]] = {
            "problems": [("Add problem…", lambda: ProblemDialog(db, self.pid(), self)),
                         ("Resolve…", lambda: self._problem("resolved")),
                         ("Mark inactive…", lambda: self._problem("inactive")), *fixes],
            "medications": [("Start medicine…", lambda: StartMedicineDialog(db, self.pid(), self)),
                            ("Change dose…", lambda: self._med(ChangeDoseDialog)),
                            ("Stop…", lambda: self._med(StopMedicineDialog)), *fixes],
            "allergies": [("Record allergy…", lambda: AllergyDialog(db, self.pid(), self)), *fixes],
            "labs": [("Record vitals…", lambda: VitalsDialog(db, self.pid(), self)),
                     ("Record lab result…", lambda: LabDialog(db, self.pid(), self.record().patient.sex, self)),
                     ("Correct value…", self._correct)],
        }
        for label, make in actions[key]:
            button = QPushButton(label)
            button.setObjectName("entry_" + label.rstrip("…").lower().replace(" ", "_"))
            button.clicked.connect(lambda _=False, m=make: self.open(m))
            row.addWidget(button)
            self.buttons[label.rstrip("…")] = button
        row.addStretch(1)
        self.select(None)

    def pid(self) -> str:
        return self.record().patient.id  # the record changes as entries are saved

    def open(self, make: Callable[[], EntryDialog | None]) -> EntryDialog | None:
        dialog = make()
        if dialog is None:
            return None
        dialog.saved.connect(self.saved)
        self.dialog = dialog
        dialog.show()
        return dialog

    def select(self, entry: Any) -> None:
        """The entry selected in the tab: what Resolve, Stop, Change dose and Correct act on."""
        self.selected = entry
        active_problem = isinstance(entry, Condition) and entry.is_active
        active_med = isinstance(entry, Medication) and entry.is_active
        correctable = isinstance(entry, Observation) and entry.status != "entered-in-error" and (
            entry.value is not None or bool(entry.components))
        fixable = isinstance(entry, Medication | Allergy | Condition) and "entered-in-error" not in (
            getattr(entry, "status", ""), getattr(entry, "verification_status", ""))
        if isinstance(entry, Medication | Allergy | Condition) and entry.recorded_by:  # entries made in the app have an audited history
            ref = entry.ref
            self.db.submit(lambda store: status_history(store, entry.patient_id, ref),
                           lambda changes: self.history.emit(ref, history_html(changes)),
                           context=self, key=f"history_{self.key}")
        for name, on in (("Resolve", active_problem), ("Mark inactive", active_problem),
                         ("Correct", fixable), ("Entered in error", fixable),
                         ("Change dose", active_med), ("Stop", active_med), ("Correct value", correctable)):
            if name in self.buttons:
                self.buttons[name].setEnabled(on)

    def _problem(self, status: str) -> EntryDialog | None:
        c = self.selected
        return ProblemStatusDialog(self.db, c, status, self) if isinstance(c, Condition) else None

    def _med(self, kind: type[ChangeDoseDialog] | type[StopMedicineDialog]) -> EntryDialog | None:
        m = self.selected
        return kind(self.db, m, self) if isinstance(m, Medication) else None

    def _correct(self) -> EntryDialog | None:
        o = self.selected
        return CorrectDialog(self.db, o, observation_value(o), self) if isinstance(o, Observation) else None

    def _fix(self) -> EntryDialog | None:
        e = self.selected
        return CorrectEntryDialog(self.db, e, self) if isinstance(e, Medication | Allergy | Condition) else None

    def _in_error(self) -> EntryDialog | None:
        e = self.selected
        return EnteredInErrorDialog(self.db, e, self) if isinstance(e, Medication | Allergy | Condition) else None


def history_html(changes: tuple[StatusChange, ...]) -> str:
    """The status history under an entry's details ('' when it never changed): each change in the
    service's words ('Stopped 2026-12-05 14:02 by Dr Alice Jones: ...'), then the statuses it moved between."""
    if not changes:
        return ""
    rows = "".join(f"<tr><td>{escape(c.line)}</td><td style='padding-left: 12px; color: #5f6b7a'>({escape(c.before)} → {escape(c.after)})</td></tr>"
                   for c in changes)
    return f"<h3>Status history</h3><table class='detail'>{rows}</table>"
