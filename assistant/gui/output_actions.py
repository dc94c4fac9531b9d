"""Ctrl+E / Ctrl+P: export or print the open patient's care plan (or, failing that, its summary)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog

from . import output, services
from .context import AppContext
from .output import Render
from .session import describe_error
from .tasks import Task, run_task

# What the print queue shows to everyone on the network: never a patient identifier.
JOB_NAMES = {"careplan": "Clinician Assistant care plan", "summary": "Clinician Assistant summary"}


class OutputActions(QObject):
    """The path and printer choosers are attributes so tests can answer them without a dialog."""

    def __init__(self, ctx: AppContext, window: Any) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.ask_path: Callable[[str], Path | None] = self._ask_path
        self.choose_printer: Callable[[], QPrinter | None] = self._choose_printer
        self.last_export: Path | None = None
        self.last_how = ""
        self.task: Task | None = None
        self._preparing = False  # between the request and the worker starting (signer look-up)
        self._printer: QPrinter | None = None

    @property
    def busy(self) -> bool:
        return self.task is not None or self._preparing

    def _view(self) -> Any:
        ws = self.window.workspace
        return ws.view if ws is not None else None

    def _target(self) -> tuple[str, Any]:
        """The care plan on its tab (or when there is no summary), else the summary."""
        view = self._view()
        if view is None:
            return "", None
        plan, summary = view.careplan, view.overview.summary
        if plan.doc is not None and (view.current_key() == "careplan" or summary is None):
            return "careplan", view
        if summary is not None:
            return "summary", view
        return "", view

    def _flash(self, text: str) -> None:
        self.window.status.flash(text)

    # --- what to render ----------------------------------------------------------------------
    def _job_inputs(self, kind: str, view: Any, then: Callable[[Render], None]) -> None:
        """Hand the document's renderer to `then`, fetching signer details on the DB thread first."""
        record, settings = view.record, self.ctx.settings
        if kind == "careplan":
            doc, data = view.careplan.doc, view.careplan.current_data()

            def signed(signer: services.SignerInfo) -> None:
                then(lambda cancel: services.careplan_pdf(data, record, doc, signer, settings, cancel))

            self.ctx.db.submit(lambda s: services.signer_info(s, doc), signed,
                               lambda e: self._failed("Export", e), context=self)
            return
        summary, risk = view.overview.summary, view.overview.risk
        doc_id = uuid.uuid4().hex

        def render(cancel: threading.Event) -> bytes:
            return services.summary_pdf(summary, risk, record, doc_id, settings, cancel)

        then(render)

    def _audit(self, kind: str, view: Any, action: str, detail: str) -> None:
        pid = view.record.patient.id
        doc = view.careplan.doc if kind == "careplan" else None
        what = f"{doc.id} v{doc.version} {detail}" if doc is not None else detail
        self.ctx.db.submit(lambda s: s.audit(f"{kind}.{action}", pid, what))

    def _failed(self, what: str, error: BaseException) -> None:
        self.task = None
        self._preparing = False
        self._flash(f"{what} failed: {describe_error(error)}")

    def _ready(self, kind: str, view: Any, go: Callable[[], None]) -> bool:
        if not kind:
            self._flash("Nothing to print or export yet: open a patient and wait for the summary, "
                        "or draft a care plan.")
            return False
        if self.busy:
            self._flash("Still working on the previous export or print.")
            return False
        if kind == "careplan" and view.careplan.dirty:
            # Output shows what is stored: save the draft first, then continue.
            view.careplan.save_draft(then=go)
            return False
        return True

    # --- export ----------------------------------------------------------------------------------
    def export(self) -> None:
        kind, view = self._target()
        if not self._ready(kind, view, self.export):
            return
        default = (f"care-plan-v{view.careplan.doc.version}{'-draft' if view.careplan.doc.status == 'draft' else ''}.pdf"
                   if kind == "careplan" else "summary.pdf")  # never a patient identifier in a file name
        path = self.ask_path(default)
        if path is None:
            return

        def start(render: Render) -> None:
            def done(how: str) -> None:
                self.task = None
                self.last_export, self.last_how = path, how
                self._flash(f"Exported the {'care plan' if kind == 'careplan' else 'summary'} to {path}")
                self._audit(kind, view, "export", f"pdf {how}")

            self._preparing = False
            self.task = run_task(output.export_job(render, path), name="export-pdf",
                                 on_result=done, on_error=lambda e: self._failed("Export", e),
                                 on_cancelled=self._cancelled, context=self)

        self._flash("Exporting…")
        self._preparing = True
        self._job_inputs(kind, view, start)

    def _ask_path(self, default: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.window, "Export PDF", str(Path.home() / default),
                                              "PDF (*.pdf)")
        if not name:
            return None
        return Path(name if name.lower().endswith(".pdf") else name + ".pdf")

    def _cancelled(self) -> None:
        self.task = None
        self._flash("Cancelled.")

    def cancel(self) -> bool:
        if self.task is None:
            return False
        self.task.cancel()
        return True

    # --- print -----------------------------------------------------------------------------------
    def print(self) -> None:
        kind, view = self._target()
        if not self._ready(kind, view, self.print):
            return
        printer = self.choose_printer()
        if printer is None:
            return
        self._printer = printer  # kept alive while the worker paints on it

        def start(render: Render) -> None:
            def done(how: str) -> None:
                self.task = None
                self.last_how = how
                self._flash("Sent to the printer.")
                self._audit(kind, view, "print", how)

            self._preparing = False
            self.task = run_task(output.print_job(render, printer, JOB_NAMES[kind]), name="print", on_result=done,
                                 on_error=lambda e: self._failed("Printing", e),
                                 on_cancelled=self._cancelled, context=self)

        self._flash("Preparing to print…")
        self._preparing = True
        self._job_inputs(kind, view, start)

    def _choose_printer(self) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer
