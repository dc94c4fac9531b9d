"""De-identified export (admins): the open patient or all, into a folder, cancellable; then what was removed."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from . import choosers
from .admin import gate
from .session import describe_error
from .style import set_primary
from .tasks import Progress, Task, TaskControl, run_task

if TYPE_CHECKING:
    from assistant.services.deidentify import DeidExport

    from .context import AppContext
    from .main_window import MainWindow

EXPLAIN = ("HIPAA Safe Harbor: names, addresses below the state, every date element but the year, "
           "ages over 89, contact details and every record number are removed or generalised; dates "
           "shift by a random offset per patient (never written out) and free-text notes are scrubbed. "
           "Expert determination is not implemented. The export is recorded in the audit log.")


def in_database_folder(out: Path, db_path: Path) -> bool:
    """True when `out` is the database's folder (or inside it): exports never go beside the database,
    where a copy could be taken for the database's own files or swept up by its backups."""
    db_folder = db_path.expanduser().resolve().parent
    target = out.expanduser().resolve()
    return target == db_folder or db_folder in target.parents


class DeidentifyDialog(QDialog):
    """`patient` is (id, name) of the open patient, or None when no chart is open."""

    def __init__(self, ctx: AppContext, patient: tuple[str, str] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient = patient
        self.task: Task | None = None
        self.exported: DeidExport | None = None
        self.setWindowTitle("De-identified export")
        self.setObjectName("deidentifyDialog")
        self.resize(620, 520)
        lay = QVBoxLayout(self)
        intro = QLabel(EXPLAIN)
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.one = QRadioButton(f"The open patient ({patient[1]})" if patient else "The open patient (none open)")
        self.one.setEnabled(patient is not None)
        self.everyone = QRadioButton("All patients in the database")
        group = QButtonGroup(self)
        for b in (self.one, self.everyone):
            group.addButton(b)
            lay.addWidget(b)
        (self.one if patient else self.everyone).setChecked(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Output folder"))
        self.folder = QLineEdit()
        self.folder.setObjectName("deidFolder")
        self.folder.setPlaceholderText("a folder outside the database's folder")
        self.browse = QPushButton("Browse…")
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        lay.addLayout(row)
        self.progress = QProgressBar()
        self.progress.hide()
        lay.addWidget(self.progress)
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        self.where = QLabel("")
        self.where.setWordWrap(True)
        self.where.setObjectName("deidWhere")
        lay.addWidget(self.where)
        self.report = QPlainTextEdit()
        self.report.setObjectName("deidReport")
        self.report.setReadOnly(True)
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))  # aligned counts
        self.report.setPlaceholderText("After the export: what was removed or generalised, by kind.")
        lay.addWidget(self.report, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel export")
        self.cancel_button.hide()
        self.close_button = QPushButton("Close")
        self.export_button = set_primary(QPushButton("Export"))
        self.export_button.setObjectName("deidExport")
        for button in (self.cancel_button, self.close_button, self.export_button):
            buttons.addWidget(button)
        lay.addLayout(buttons)
        gate(self.export_button, ctx.session.account, "Write the de-identified FHIR files")
        self.browse.clicked.connect(self._browse)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self.export_button.clicked.connect(self.start)
        ctx.session.signed_out.connect(self.close)
        ctx.session.locked.connect(self.cancel)

    def ask_folder(self) -> str:
        """The output folder from the safe chooser (tests replace this)."""
        return choosers.existing_folder(self, "Folder for the de-identified export", self.folder.text())

    def _browse(self) -> None:
        folder = self.ask_folder()
        if folder:
            self.folder.setText(folder)

    def _fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def start(self) -> None:
        if self.task is not None:
            return
        text = self.folder.text().strip()
        if not text:
            self._fail("Choose an output folder first.")
            return
        out = Path(text).expanduser()
        if in_database_folder(out, self.ctx.settings.db_path):
            self._fail("That is the database's folder: choose another folder for the export.")
            return
        everyone = self.everyone.isChecked() or self.patient is None
        ids = [] if everyone else [self.patient[0]] if self.patient else []
        db = self.ctx.db

        def work(control: TaskControl) -> DeidExport:
            from assistant.services.deidentify import export_deidentified

            def step(done: int, total: int) -> None:
                control.check()  # raises Cancelled on the DB thread: the export stops between patients
                control.progress(done, total)

            # Always a folder (never the one-file form): the report and the files go side by side.
            return db.call(lambda store: export_deidentified(store, ids, out, everyone=everyone, step=step))

        self.error.hide()
        self.report.clear()
        self.where.setText("")
        self.progress.setRange(0, 0)
        self.progress.show()
        self._running(True)
        self.task = run_task(work, name="deidentify", on_result=self._done, on_error=self._failed,
                             on_progress=self._progress, on_cancelled=self._cancelled, context=self)

    def _running(self, on: bool) -> None:
        self.cancel_button.setVisible(on)
        for w in (self.export_button, self.browse, self.folder, self.one, self.everyone):
            w.setEnabled(not on and (w is not self.one or self.patient is not None))
        if not on:
            gate(self.export_button, self.ctx.session.account, "Write the de-identified FHIR files")
            self.progress.hide()

    def _progress(self, p: Progress) -> None:
        self.progress.setRange(0, p.total)
        self.progress.setValue(p.done)

    def _done(self, result: DeidExport) -> None:
        self.task = None
        self.exported = result
        self._running(False)
        self.report.setPlainText(result.report.to_text())
        folder = result.report_text.parent
        self.where.setText(f"<b>{result.report.patients} patient(s)</b> written to {escape(str(folder))}"
                           f"<br>Report: {escape(result.report_text.name)} and "
                           f"{escape(result.report_json.name)}")

    def _failed(self, error: BaseException) -> None:
        self.task = None
        self._running(False)
        self._fail(f"The export failed: {describe_error(error)}")

    def _cancelled(self) -> None:
        self.task = None
        self._running(False)
        self._fail("Export cancelled. Files already written for earlier patients stay in the folder "
                   "(and in the audit log); no report was written.")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def done(self, code: int) -> None:  # noqa: D401 - Qt name: every way of closing ends here
        self.cancel()
        super().done(code)


def open_for(window: MainWindow) -> DeidentifyDialog:
    """The dialog for the main window's session, offering the chart open now (if any)."""
    view = window.workspace.view if window.workspace is not None else None
    patient = (view.patient_id, view.record.patient.name) if view is not None else None
    dialog = DeidentifyDialog(window.ctx, patient, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
