"""Import FHIR files or folders: parse on a worker, store each file on the DB thread, progress, cancel, errors."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.errors import BadInputError
from assistant.gui.table_models import Column, RowTableModel, TableProxy

from . import choosers
from .dbworker import DbWorker
from .section_tab import make_table
from .session import describe_error
from .style import set_primary
from .tasks import Progress, Task, TaskControl, run_task

if TYPE_CHECKING:
    from assistant.records.fhir_import import FileOutcome, ParsedFile
    from assistant.services.importing import FileReport, ImportReport
    from assistant.store.database import Store
    from assistant.store.patients import ImportStats

RESULT_COLUMNS = (
    Column("File", lambda r: Path(r.path).name, width=260),
    Column("Result", lambda r: "Imported" if r.ok else "Failed", width=70),
    Column("Details", lambda r: (f"{r.patients} patient{'s' if r.patients != 1 else ''}, {r.entries} entries"
                                 if r.ok else r.error)),
)


def _storing(parsed: ParsedFile, source: str) -> Callable[[Store], ImportStats]:
    """The DB-thread operation that stores one parsed file."""
    return lambda store: store.patients.import_parsed(parsed, source=source)


def import_paths(db: DbWorker, paths: list[Path], c: TaskControl, workers: int | None = None) -> ImportReport:
    """Worker-thread body: parse in processes, store each file in its own transaction on the DB thread."""
    from assistant.records.fhir_import import parse_many
    from assistant.records.fhir_read import iter_fhir_files
    from assistant.services.importing import store_outcomes

    files = list(iter_fhir_files(paths))
    if not files:
        raise BadInputError("no FHIR files (.json, .ndjson) in the chosen files or folders")
    c.progress(0, len(files), "")
    done = 0

    def on_row(outcome: FileOutcome, row: FileReport) -> None:
        nonlocal done
        done += 1
        c.partial(row)
        c.progress(done, len(files), outcome.path.name)

    # closing(): a cancel must shut the worker processes down here, not later on whatever thread
    # happens to collect the generator. The store loop is the CLI's (services.importing), so files
    # of a bulk export that come before their Patient file are retried at the end here too.
    with closing(parse_many(files, workers=workers, cancelled=c.cancelled)) as outcomes:
        return store_outcomes(outcomes, lambda parsed, source: db.call(_storing(parsed, source)),
                              on_row=on_row, cancelled=c.cancelled)


class ImportDialog(QDialog):
    """Non-modal, so the rest of the app stays usable while files import."""

    imported = Signal(object)  # ImportReport

    def __init__(self, db: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Import FHIR records")
        self.setObjectName("importDialog")
        self.resize(760, 520)
        self.paths: list[Path] = []
        self.task: Task | None = None
        self.report: Any = None
        lay = QVBoxLayout(self)
        intro = QLabel("Choose FHIR R4 files (Bundles, single resources or NDJSON) or whole folders. "
                       "Each file is stored whole or not at all; a bad file is listed and the rest "
                       "continue.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        row = QHBoxLayout()
        self.add_files = QPushButton("Add files…")
        self.add_folder = QPushButton("Add folder…")
        self.clear_button = QPushButton("Clear")
        row.addWidget(self.add_files)
        row.addWidget(self.add_folder)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.chosen = QListWidget()
        self.chosen.setObjectName("chosenPaths")
        self.chosen.setMaximumHeight(90)
        lay.addWidget(self.chosen)
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setFormat("%v of %m files")
        self.progress.setValue(0)
        lay.addWidget(self.progress)
        self.status = QLabel("Nothing imported yet.")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.results = RowTableModel(RESULT_COLUMNS, self, emphasis=lambda r: "" if r.ok else "alert")
        self.view = make_table(TableProxy(self.results, self), RESULT_COLUMNS, "importResults")
        self.view.setWordWrap(True)
        lay.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.setObjectName("cancelImport")
        self.start_button = set_primary(QPushButton("Import"))
        self.start_button.setObjectName("startImport")
        self.close_button = QPushButton("Close")
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.close_button)
        lay.addLayout(buttons)
        self.add_files.clicked.connect(self._choose_files)
        self.add_folder.clicked.connect(self._choose_folder)
        self.clear_button.clicked.connect(lambda: self.set_paths([]))
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self._rows: list[Any] = []
        self._update()

    def set_paths(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        self.chosen.clear()
        for p in self.paths:
            self.chosen.addItem(str(p))
        self._update()

    def _choose_files(self) -> None:
        files = choosers.open_files(self, "FHIR files", "FHIR (*.json *.ndjson);;All files (*)")
        self.set_paths(self.paths + [Path(f) for f in files])

    def _choose_folder(self) -> None:
        folder = choosers.existing_folder(self, "Folder of FHIR files")
        if folder:
            self.set_paths(self.paths + [Path(folder)])

    def _update(self) -> None:
        busy = self.task is not None
        self.start_button.setEnabled(bool(self.paths) and not busy)
        self.cancel_button.setEnabled(busy)
        for b in (self.add_files, self.add_folder, self.clear_button):
            b.setEnabled(not busy)

    def start(self) -> None:
        if self.task is not None or not self.paths:
            return
        self._rows = []
        self.results.set_rows([])
        self.report = None
        self.status.setText("Reading the files…")
        db, paths = self.db, list(self.paths)
        self.task = run_task(lambda c: import_paths(db, paths, c), name="import",
                             on_progress=self._progress, on_partial=self._file_done,
                             on_result=self._finished, on_error=self._failed,
                             on_cancelled=self._cancelled, context=self)
        self._update()

    def _progress(self, p: Progress) -> None:
        self.progress.setMaximum(max(p.total, 1))
        self.progress.setValue(p.done)
        if p.text:
            self.status.setText(f"Imported {p.done} of {p.total} files…")

    def _file_done(self, row: Any) -> None:
        self._rows.append(row)
        self.results.set_rows(self._rows)
        self.view.scrollToBottom()

    def _finished(self, report: Any) -> None:
        self.task = None
        self.report = report
        failed = len(report.failed)
        ok = len(report.files) - failed
        text = (f"Imported {ok} of {len(report.files)} files: {report.patients_new} new and "
                f"{report.patients_updated} updated patients, {report.entries_new} new entries.")
        if failed:
            text += f" {failed} file{'s' if failed != 1 else ''} failed: see the list."
        if report.cancelled:
            text += " Cancelled: the files listed were stored whole; the rest were not imported."
        self.status.setText(text)
        self._update()
        self.imported.emit(report)

    def _failed(self, error: BaseException) -> None:
        self.task = None
        self.status.setText(f"Import failed: {describe_error(error)}")
        self._update()

    def _cancelled(self) -> None:
        # The worker stops between files; files already stored stay stored (each is one transaction).
        self.task = None
        done = sum(1 for r in self._rows if r.ok)
        self.status.setText(f"Cancelled. {done} file{'s' if done != 1 else ''} were stored whole; "
                            "the rest were not imported.")
        self._update()
        self.imported.emit(None)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Cancelling after the current file…")

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        # Closing the window does not abandon a running import silently: it cancels it.
        self.cancel()
        super().closeEvent(event)



