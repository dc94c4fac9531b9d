"""Dialogs for a set of vital signs and a laboratory result (the test picklist from the knowledge tables)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from assistant.clinical.lab_catalog import LabTest, lab_tests
from assistant.records.chart_entry import Vitals
from assistant.records.domain import Observation
from assistant.records.entry_checks import FieldError, parse_bp, parse_number
from assistant.services import chart_entry as svc
from assistant.store.database import Store

from .dbworker import DbWorker
from .entry_form import EntryDialog, when_edit, when_of

# Field name, label, placeholder (the unit), as records/chart_entry.VITALS stores them.
_VITALS = (("pulse", "Pulse", "/min"), ("resp_rate", "Respiratory rate", "/min"),
           ("temperature", "Temperature", "°C"), ("spo2", "SpO₂", "%"), ("weight", "Weight", "kg"),
           ("height", "Height", "cm"))


def _number(name: str, edit: QLineEdit) -> float | None:
    text = edit.text().strip()
    return parse_number(name, text) if text else None


class VitalsDialog(EntryDialog):
    """Blood pressure, pulse, respiratory rate, temperature, SpO2, weight and height; any of them."""

    def __init__(self, db: DbWorker, patient_id: str, parent: QWidget | None = None) -> None:
        super().__init__(db, patient_id, "Record vital signs", parent)
        self.bp = QLineEdit()
        self.bp.setPlaceholderText("mmHg, e.g. 128/82")
        self.field("bp", "Blood pressure", self.bp)
        self.edits: dict[str, QLineEdit] = {}
        for name, label, unit in _VITALS:
            edit = QLineEdit()
            edit.setPlaceholderText(unit)
            self.edits[name] = edit
            self.field(name, f"{label} ({unit})", edit)
        self.when = when_edit()
        self.field("date", "Taken", self.when)

    def work(self) -> Callable[[Store], svc.Saved]:
        bp = parse_bp("bp", self.bp.text()) if self.bp.text().strip() else (None, None)
        values = {name: _number(name, edit) for name, edit in self.edits.items()}
        vitals = Vitals(bp[0], bp[1], **values)
        taken, pid = when_of(self.when), self.patient_id
        return lambda store: svc.record_vitals(store, pid, vitals, taken)


class LabDialog(EntryDialog):
    """A result of a test from the list: its unit offered, its reference range shown."""

    def __init__(self, db: DbWorker, patient_id: str, sex: str = "", parent: QWidget | None = None) -> None:
        super().__init__(db, patient_id, "Record a lab result", parent)
        self.sex = sex
        self.test = QComboBox()
        self.test.setEditable(False)
        for t in lab_tests():
            self.test.addItem(t.label(), t)
        self.field("test", "Test", self.test)
        self.value = QLineEdit()
        self.field("value", "Result", self.value)
        self.unit = QComboBox()
        self.unit.setEditable(True)
        self.field("unit", "Unit", self.unit)
        self.range = QLabel("")
        self.range.setObjectName("labRange")
        self.form.addRow("Reference range", self.range)
        self.when = when_edit()
        self.field("date", "Sample taken", self.when)
        self.test.currentIndexChanged.connect(self._test_changed)
        self._test_changed()

    def current_test(self) -> LabTest:
        test = self.test.currentData()
        if not isinstance(test, LabTest):
            raise FieldError("test", "choose a test")
        return test

    def select_test(self, key: str) -> None:
        for i in range(self.test.count()):
            if getattr(self.test.itemData(i), "key", "") == key:
                self.test.setCurrentIndex(i)

    def _test_changed(self) -> None:
        test = self.current_test()
        self.unit.clear()
        self.unit.addItem(test.unit)
        r = test.range_for(self.sex)
        if r is None or (r.low is None and r.high is None):
            self.range.setText("none in the table; the laboratory's own applies")
        else:
            low = "" if r.low is None else f"{r.low:g}"
            high = "" if r.high is None else f"{r.high:g}"
            span = f"{low}–{high}" if low and high else (f"≥ {low}" if low else f"≤ {high}")
            self.range.setText(f"{span} {test.unit_shown}")

    def work(self) -> Callable[[Store], svc.Saved]:
        test = self.current_test()
        text = self.value.text().strip()
        if not text:
            raise FieldError("value", "enter the result")
        value = parse_number("value", text)
        unit, taken, pid = self.unit.currentText(), when_of(self.when), self.patient_id
        return lambda store: svc.record_lab(store, pid, test.key, value, unit, taken)


class CorrectDialog(EntryDialog):
    """A corrected value: the old one stays in the chart, marked entered in error."""

    def __init__(self, db: DbWorker, obs: Observation, shown: str, parent: QWidget | None = None) -> None:
        super().__init__(db, obs.patient_id, "Correct a value", parent)
        self.obs = obs
        self.form.addRow("Recorded", QLabel(shown))
        self.value = QLineEdit()
        self.value.setPlaceholderText("systolic/diastolic, e.g. 128/82" if obs.components else obs.unit)
        self.field("value", "Correct value", self.value)

    def work(self) -> Callable[[Store], svc.Saved]:
        text = self.value.text().strip()
        if not text:
            raise FieldError("value", "enter the correct value")
        pid, ref = self.patient_id, self.obs.ref
        return lambda store: svc.correct(store, pid, ref, text)
