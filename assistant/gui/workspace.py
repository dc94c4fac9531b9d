"""The signed-in workspace: patient list on the left, home page or the open patient on the right."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QSplitter, QStackedWidget, QWidget

from .context import AppContext
from .home import HomePage
from .patient_list import PatientListPanel
from .patient_view import PatientView
from .session import describe_error


class Workspace(QSplitter):
    """Opens one patient at a time; the record loads on the DB thread, the view is built here."""

    patient_opened = Signal(object)  # PatientView, after it is shown
    patient_closed = Signal()
    message = Signal(str)
    sidebar_toggled = Signal(bool)
    import_requested = Signal()  # the home page's Import FHIR files…
    export_requested = Signal()  # the open patient's care-plan tab: Export PDF…
    print_requested = Signal()  # and Print…

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.ctx = ctx
        self.setObjectName("workspace")
        self.patients = PatientListPanel(ctx.db)
        self.addWidget(self.patients)
        self.right = QStackedWidget()
        self.home = HomePage(ctx)
        self.right.addWidget(self.home)
        self.loading = QLabel("Opening the record…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.setObjectName("hint")
        self.right.addWidget(self.loading)
        self.addWidget(self.right)
        self.setStretchFactor(0, 0)
        self.setStretchFactor(1, 1)
        self.setSizes([360, 1000])
        self.setCollapsible(1, False)
        self.view: PatientView | None = None
        self.open_started = 0.0
        self.last_open_ms = 0.0
        self._opening = ""
        self.patients.open_patient.connect(self.open_patient)
        self.home.open_patient.connect(self.open_patient)
        self.home.import_requested.connect(self.import_requested)

    def start(self) -> None:
        self.home.set_user(self.ctx.user)
        self.patients.refresh()
        self.home.refresh()

    # --- opening and closing patients --------------------------------------------------------
    def open_patient(self, patient_id: str) -> None:
        if self.view is not None and self.view.patient_id == patient_id:
            self.right.setCurrentWidget(self.view)
            self.set_sidebar(False)
            return
        self.confirm_discard(lambda: self._load(patient_id))

    def confirm_discard(self, proceed: Callable[[], None]) -> None:
        """Run `proceed` now, or after the user agrees to drop unsaved edits of the open patient."""
        if self.view is None or not self.view.has_unsaved():
            proceed()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved edits",
                          "The open patient has unsaved edits (a note or a care-plan draft). "
                          "Discard them?", QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("discardBox")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        # open(), not exec(): no nested event loop, so idle locking and the workers carry on.
        box.finished.connect(lambda r: proceed() if r == QMessageBox.StandardButton.Discard else None)
        box.open()

    def _load(self, patient_id: str) -> None:
        self.open_started = time.perf_counter()
        self._opening = patient_id
        if self.view is None:
            self.right.setCurrentWidget(self.loading)
        self.ctx.db.submit(lambda s: s.patients.load_record(patient_id),
                           lambda rec: self._loaded(patient_id, rec),
                           self._load_failed, context=self, key="open-patient")

    def _loaded(self, patient_id: str, record: Any) -> None:
        if patient_id != self._opening:
            return
        self.close_patient(emit=False)
        view = PatientView(self.ctx, record)
        view.setObjectName("patientView")
        view.export_requested.connect(self.export_requested)
        view.print_requested.connect(self.print_requested)
        self.view = view
        self.right.addWidget(view)
        self.right.setCurrentWidget(view)
        # A chart needs the width: the list steps aside (Ctrl+F or the Patients button bring it back).
        self.set_sidebar(False)
        # Background work (flags, summary, care plans) starts once the view has painted.
        QTimer.singleShot(0, lambda: self._started(view))

    def _started(self, view: PatientView) -> None:
        if self.view is not view:
            return
        self.last_open_ms = (time.perf_counter() - self.open_started) * 1000
        view.start()
        self.patient_opened.emit(view)
        self.home.refresh()

    def _load_failed(self, error: BaseException) -> None:
        self._opening = ""
        if self.view is None:
            self.right.setCurrentWidget(self.home)
        self.message.emit(f"The record could not be opened: {describe_error(error)}")

    def close_patient(self, emit: bool = True) -> None:
        view, self.view = self.view, None
        if view is not None:
            view.shutdown()
            self.right.removeWidget(view)
            view.deleteLater()
        if emit:
            self.show_home()
            self.patient_closed.emit()

    def show_home(self) -> None:
        self.right.setCurrentWidget(self.home)
        self.set_sidebar(True)
        self.home.refresh()

    def set_sidebar(self, visible: bool) -> None:
        # isHidden, not isVisible: the answer must not depend on whether the window is shown yet.
        if self.patients.isHidden() == visible:
            self.patients.setVisible(visible)
        self.sidebar_toggled.emit(visible)

    def sidebar_visible(self) -> bool:
        return not self.patients.isHidden()

    def has_unsaved(self) -> bool:
        return self.view is not None and self.view.has_unsaved()

    def shutdown(self) -> None:
        if self.view is not None:
            self.view.shutdown()
