"""Dialogs for medicines (start, change dose, stop), allergies and problems (add, resolve, inactive, correct)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from assistant.records.chart_entry import ALLERGY_CATEGORIES, CRITICALITIES, VERIFICATIONS
from assistant.records.domain import Allergy, Condition, Entry, Medication
from assistant.records.entry_checks import FieldError
from assistant.services import chart_entry as svc
from assistant.store.database import Store

from .dbworker import DbWorker
from .entry_detail import entry_label
from .entry_form import EntryDialog, status_label, when_edit, when_of


def _line(placeholder: str = "", text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setPlaceholderText(placeholder)
    return edit


def _choices(values: tuple[str, ...], blank: str = "") -> QComboBox:
    box = QComboBox()
    if blank:
        box.addItem(blank, "")
    for v in values:
        box.addItem(v.replace("-", " "), v)
    return box


class StartMedicineDialog(EntryDialog):
    def __init__(self, db: DbWorker, patient_id: str, parent: QWidget | None = None) -> None:
        super().__init__(db, patient_id, "Start a medicine", parent)
        self.name = self.field("name", "Medicine", _line("e.g. Amlodipine 5 mg tablet"))
        self.dose = self.field("dose", "Dose", _line("e.g. 5 mg"))
        self.route = self.field("route", "Route", _line("e.g. oral"))
        self.frequency = self.field("frequency", "How often", _line("e.g. once daily"))
        self.when = self.field("start", "Start", when_edit())

    def work(self) -> Callable[[Store], svc.Saved]:
        name, dose, route, freq = (w.text() for w in (self.name, self.dose, self.route, self.frequency))
        start, pid = when_of(self.when), self.patient_id
        return lambda store: svc.start_medication(store, pid, name, dose, route, freq, start)


class ChangeDoseDialog(EntryDialog):
    def __init__(self, db: DbWorker, med: Medication, parent: QWidget | None = None) -> None:
        super().__init__(db, med.patient_id, "Change the dose", parent)
        self.med = med
        self.form.addRow("Medicine", status_label(f"{med.name} — now {med.dose_text or 'no dose recorded'}"))
        self.dose = _line("the new dose", med.dose_text)
        self.field("dose", "New dose", self.dose)
        self.frequency = _line("how often", med.frequency)
        self.field("frequency", "How often", self.frequency)

    def work(self) -> Callable[[Store], svc.Saved]:
        dose, freq, pid, ref = self.dose.text(), self.frequency.text(), self.patient_id, self.med.ref
        return lambda store: svc.change_dose(store, pid, ref, dose, freq)


class StopMedicineDialog(EntryDialog):
    def __init__(self, db: DbWorker, med: Medication, parent: QWidget | None = None) -> None:
        super().__init__(db, med.patient_id, "Stop a medicine", parent)
        self.med = med
        self.form.addRow("Medicine", status_label(f"{med.name} {med.dose_text}".strip()))
        self.reason = _line("e.g. side effects, no longer needed")
        self.field("reason", "Reason", self.reason)

    def work(self) -> Callable[[Store], svc.Saved]:
        reason, pid, ref = self.reason.text(), self.patient_id, self.med.ref
        return lambda store: svc.stop_medication(store, pid, ref, reason)


class AllergyDialog(EntryDialog):
    def __init__(self, db: DbWorker, patient_id: str, parent: QWidget | None = None) -> None:
        super().__init__(db, patient_id, "Record an allergy", parent)
        self.none = QCheckBox("No known allergies (the patient was asked)")
        self.field("none", "", self.none)
        self.substance = _line("e.g. Penicillin")
        self.field("substance", "Substance", self.substance)
        self.reaction = _line("e.g. hives, anaphylaxis")
        self.field("reaction", "Reaction", self.reaction)
        self.criticality = _choices(CRITICALITIES, "not assessed")
        self.field("criticality", "Criticality", self.criticality)
        self.verification = _choices(VERIFICATIONS)
        self.verification.setCurrentIndex(VERIFICATIONS.index("confirmed"))
        self.field("verification", "Verification", self.verification)
        self.category = _choices(ALLERGY_CATEGORIES)
        self.field("category", "Category", self.category)
        self.none.toggled.connect(self._none_toggled)

    def _none_toggled(self, on: bool) -> None:
        for w in (self.substance, self.reaction, self.criticality, self.verification, self.category):
            w.setEnabled(not on)

    def work(self) -> Callable[[Store], svc.Saved]:
        pid = self.patient_id
        if self.none.isChecked():
            return lambda store: svc.record_no_known_allergies(store, pid)
        substance, reaction = self.substance.text(), self.reaction.text()
        crit, ver, cat = (str(b.currentData()) for b in (self.criticality, self.verification, self.category))
        return lambda store: svc.record_allergy(store, pid, substance, reaction, crit, ver, cat)


class ProblemDialog(EntryDialog):
    def __init__(self, db: DbWorker, patient_id: str, parent: QWidget | None = None) -> None:
        super().__init__(db, patient_id, "Add a problem", parent)
        self.name = _line("e.g. Gout")
        self.field("problem", "Problem", self.name)
        self.onset = when_edit()
        self.field("onset", "Onset", self.onset)

    def work(self) -> Callable[[Store], svc.Saved]:
        name, onset, pid = self.name.text(), when_of(self.onset), self.patient_id
        return lambda store: svc.add_problem(store, pid, name, onset)


class ProblemStatusDialog(EntryDialog):
    """Resolve a problem (with the date) or mark it inactive."""

    def __init__(self, db: DbWorker, problem: Condition, status: str, parent: QWidget | None = None) -> None:
        verb = "Resolve" if status == "resolved" else "Mark inactive"
        super().__init__(db, problem.patient_id, f"{verb}: {problem.display}", parent)
        self.problem, self.status = problem, status
        self.form.addRow("Problem", status_label(problem.display))
        self.when = when_edit()
        self.field("date", "Resolved on" if status == "resolved" else "As of", self.when)

    def work(self) -> Callable[[Store], svc.Saved]:
        pid, ref, status, when = self.patient_id, self.problem.ref, self.status, when_of(self.when)
        return lambda store: svc.set_problem_status(store, pid, ref, status, when)


# The fields a correction shows, per entry type: (field name, label).
_CORRECT_FIELDS: dict[type[Entry], tuple[tuple[str, str], ...]] = {
    Medication: (("name", "Medicine"), ("dose_text", "Dose"), ("route", "Route"), ("frequency", "How often")),
    Allergy: (("substance", "Substance"), ("reaction", "Reaction")),
    Condition: (("display", "Problem"),),
}


class CorrectEntryDialog(EntryDialog):
    """A medicine, allergy or problem entered wrongly: the old version stays, marked entered in error."""

    def __init__(self, db: DbWorker, entry: Medication | Allergy | Condition, parent: QWidget | None = None) -> None:
        super().__init__(db, entry.patient_id, "Correct an entry", parent)
        self.entry = entry
        self.form.addRow("Recorded", status_label(entry_label(entry)))
        self.edits: dict[str, QLineEdit] = {}
        fields = next(f for t, f in _CORRECT_FIELDS.items() if isinstance(entry, t))
        for name, label in fields:
            self.edits[name] = self.field(name, label, _line("", str(getattr(entry, name) or "")))
        self.criticality: QComboBox | None = None
        if isinstance(entry, Allergy):
            self.criticality = self.field("criticality", "Criticality", _choices(CRITICALITIES, "not assessed"))
            self.criticality.setCurrentIndex(max(0, self.criticality.findData(entry.criticality)))

    def work(self) -> Callable[[Store], svc.Saved]:
        changes = {name: edit.text() for name, edit in self.edits.items()}
        if self.criticality is not None:
            changes["criticality"] = str(self.criticality.currentData())
        pid, ref = self.patient_id, self.entry.ref
        return lambda store: svc.correct_entry(store, pid, ref, changes)


class EnteredInErrorDialog(EntryDialog):
    """An entry that should never have been made (the wrong patient): kept, marked, never used."""

    def __init__(self, db: DbWorker, entry: Entry, parent: QWidget | None = None) -> None:
        super().__init__(db, entry.patient_id, "Mark entered in error", parent)
        self.entry = entry
        self.form.addRow("Entry", status_label(entry_label(entry)))
        self.reason = self.field("reason", "Reason", _line("e.g. wrong patient, duplicate"))

    def work(self) -> Callable[[Store], svc.Saved]:
        reason, pid, ref = self.reason.text().strip(), self.patient_id, self.entry.ref
        if not reason:
            raise FieldError("reason", "say why it was entered in error")
        return lambda store: svc.retract(store, pid, ref, reason)
