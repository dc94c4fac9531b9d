"""Ctrl+E / Ctrl+P: the open patient's care plan (or its summary); the patient handout and medication list."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog

from . import choosers, output, services
from .context import AppContext
from .output import Render
from .session import describe_error
from .tasks import Task, run_task

if TYPE_CHECKING:
    from assistant.store.documents import StoredDocument

    from .main_window import MainWindow
    from .patient_view import PatientView

    # What Ctrl+E / Ctrl+P puts out: a stored care-plan version, or the summary on screen.
    Document = StoredDocument | services.SummaryView

# What the print queue shows to everyone on the network: never a patient identifier.
JOB_NAMES = {"careplan": "Clinician Assistant care plan", "summary": "Clinician Assistant summary",
             "handout": "Clinician Assistant patient handout",
             "medlist": "Clinician Assistant medication list"}


class OutputActions(QObject):
    """The path and printer choosers are attributes so tests can answer them without a dialog."""

    def __init__(self, ctx: AppContext, window: MainWindow) -> None:
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

    def _target(self) -> tuple[PatientView, Document] | None:
        """The care plan on its tab (or when there is no summary), else the summary."""
        ws = self.window.workspace
        view = ws.view if ws is not None else None
        if view is None:
            return None
        plan, summary = view.careplan.doc, view.overview.summary
        if plan is not None and (view.current_key() == "careplan" or summary is None):
            return view, plan
        if summary is not None:
            return view, summary
        return None

    def _flash(self, text: str) -> None:
        self.window.status.flash(text)

    # --- what to render ----------------------------------------------------------------------
    def _job_inputs(self, view: PatientView, doc: Document, then: Callable[[Render], None]) -> None:
        """Hand the document's renderer to `then`, fetching signer details on the DB thread first."""
        record, settings = view.record, self.ctx.settings
        if isinstance(doc, services.SummaryView):
            risk, doc_id = view.overview.risk, uuid.uuid4().hex

            def render(cancel: threading.Event) -> bytes:
                return services.summary_pdf(doc, risk, record, doc_id, settings, cancel)

            then(render)
            return
        plan, data = doc, view.careplan.data_of(doc)

        def signed(signer: services.SignerInfo) -> None:
            then(lambda cancel: services.careplan_pdf(data, record, plan, signer, settings, cancel))

        self.ctx.db.submit(lambda s: services.signer_info(s, plan), signed,
                           lambda e: self._failed("Export", e), context=self)

    def _audit(self, view: PatientView, doc: Document, action: str, detail: str,
               then: Callable[[], None] | None = None, what_failed: str = "") -> None:
        """Audit on the database thread; `then` runs once the row is committed (an output starts
        only after its intent row is in the log: a kill while writing still leaves a trace)."""
        pid = view.record.patient.id
        if isinstance(doc, services.SummaryView):
            kind, what = "summary", detail
        else:
            kind, what = "careplan", f"{doc.id} v{doc.version} {detail}"
        self.ctx.db.submit(lambda s: s.audit.record(f"{kind}.{action}", pid, what),
                           None if then is None else (lambda _: then()),
                           None if then is None else (lambda e: self._failed(what_failed, e)),
                           context=self)

    def _failed(self, what: str, error: BaseException) -> None:
        self.task = None
        self._preparing = False
        self._flash(f"{what} failed: {describe_error(error)}")

    def _ready(self, target: tuple[PatientView, Document] | None, go: Callable[[], None]) -> bool:
        if target is None:
            self._flash("Nothing to print or export yet: open a patient and wait for the summary, "
                        "or draft a care plan.")
            return False
        if self.busy:
            self._flash("Still working on the previous export or print.")
            return False
        view, doc = target
        if not isinstance(doc, services.SummaryView) and view.careplan.dirty:
            # Output shows what is stored: save the draft first, then continue.
            view.careplan.save_draft(then=go)
            return False
        return True

    # --- export ----------------------------------------------------------------------------------
    def export(self) -> None:
        target = self._target()
        if not self._ready(target, self.export) or target is None:
            return
        view, doc = target
        if isinstance(doc, services.SummaryView):
            default, what = services.export_filename("summary", view.record), "summary"
        else:  # initials and birth year: never the name or MRN in a file name
            default = services.export_filename("careplan", view.record, doc.version, doc.status)
            what = "care plan"
        path = self.ask_path(default)
        if path is None:
            return

        def start(render: Render) -> None:
            def done(how: str) -> None:
                self.task = None
                self.last_export, self.last_how = path, how
                self._flash(f"Exported the {what} to {path}")
                self._audit(view, doc, "export", f"pdf {how}")

            def failed(e: BaseException) -> None:
                self._audit(view, doc, "export.failed", f"pdf {type(e).__name__}")
                self._failed("Export", e)

            def cancelled() -> None:
                self._audit(view, doc, "export.failed", "pdf cancelled")
                self._cancelled()

            def go() -> None:
                # Busy until the worker holds the task: a caller waiting on `busy` must not see a gap.
                self._preparing = False
                self.task = run_task(output.export_job(render, path), name="export-pdf",
                                     on_result=done, on_error=failed, on_cancelled=cancelled, context=self)

            self._audit(view, doc, "export.started", "pdf", then=go, what_failed="Export")

        self._flash("Exporting…")
        self._preparing = True
        self._job_inputs(view, doc, start)

    def _ask_path(self, default: str) -> Path | None:
        name = choosers.save_file(self.window, "Export PDF", Path.home() / default, "PDF (*.pdf)")
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
        target = self._target()
        if not self._ready(target, self.print) or target is None:
            return
        view, doc = target
        printer = self.choose_printer()
        if printer is None:
            return
        self._printer = printer  # kept alive while the worker paints on it
        job_name = JOB_NAMES["summary" if isinstance(doc, services.SummaryView) else "careplan"]

        def start(render: Render) -> None:
            def done(how: str) -> None:
                self.task = None
                self.last_how = how
                self._flash("Sent to the printer.")
                self._audit(view, doc, "print", how)

            def failed(e: BaseException) -> None:
                self._audit(view, doc, "print.failed", type(e).__name__)
                self._failed("Printing", e)

            def go() -> None:
                self._preparing = False
                self.task = run_task(output.print_job(render, printer, job_name), name="print",
                                     on_result=done, on_error=failed, on_cancelled=self._cancelled,
                                     context=self)

            self._audit(view, doc, "print.started", "", then=go, what_failed="Printing")

        self._flash("Preparing to print…")
        self._preparing = True
        self._job_inputs(view, doc, start)

    def _choose_printer(self) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer

    # --- documents for the patient: handout and medication list ---------------------------------
    def export_handout(self) -> None:
        self._patient_document("handout", self.export_handout, export=True)

    def print_handout(self) -> None:
        self._patient_document("handout", self.print_handout, export=False)

    def export_medlist(self) -> None:
        self._patient_document("medlist", self.export_medlist, export=True)

    def print_medlist(self) -> None:
        self._patient_document("medlist", self.print_medlist, export=False)

    def _patient_document(self, kind: str, again: Callable[[], None], *, export: bool) -> None:
        """Export or print the handout of the stored plan, or the medication list of the chart; audited
        like the care plan: intent row first, then the result."""
        ws = self.window.workspace
        view = ws.view if ws is not None else None
        if view is None:
            self._flash("Open a patient first.")
            return
        if self.busy:
            self._flash("Still working on the previous export or print.")
            return
        record, settings, plan = view.record, self.ctx.settings, view.careplan.doc
        if kind == "handout":
            if plan is None:
                self._flash("The handout is made from the care plan: draft one on the Care plan tab first.")
                return
            if view.careplan.dirty:  # the handout shows what is stored: save the draft first
                view.careplan.save_draft(then=again)
                return
            data, doc_id, version, status = view.careplan.data_of(plan), plan.id, plan.version, plan.status

            def handout(cancel: threading.Event) -> bytes:
                return services.handout_pdf(data, record, plan, settings, cancel)
            render: Render = handout
        else:
            doc_id, version, status = uuid.uuid4().hex, None, ""

            def medlist(cancel: threading.Event) -> bytes:
                return services.medlist_pdf(record, doc_id, settings, cancel)
            render = medlist
        what = {"handout": "patient handout", "medlist": "medication list"}[kind]
        detail = f"{doc_id}{f' v{version}' if version is not None else ''} pdf"
        pid = record.patient.id
        path: Path | None = None
        if export:
            path = self.ask_path(services.export_filename(kind, record, version, status))
            if path is None:
                return
            job = output.export_job(render, path)
        else:
            printer = self.choose_printer()
            if printer is None:
                return
            self._printer = printer
            job = output.print_job(render, printer, JOB_NAMES[kind])
        action = f"{kind}.{'export' if export else 'print'}"

        def audit(suffix: str, text: str, then: Callable[[], None] | None = None) -> None:
            self.ctx.db.submit(lambda s: s.audit.record(action + suffix, pid, text),
                               None if then is None else (lambda _: then()),
                               None if then is None else (lambda e: self._failed(what, e)), context=self)

        def done(how: str) -> None:
            self.task = None
            self.last_how = how
            if path is not None:
                self.last_export = path
            self._flash(f"Exported the {what} to {path}" if export else "Sent to the printer.")
            audit("", f"{detail} {how}")

        def failed(e: BaseException) -> None:
            audit(".failed", f"{detail} {type(e).__name__}")
            self._failed(what.capitalize(), e)

        def go() -> None:
            self._preparing = False
            self.task = run_task(job, name=action, on_result=done, on_error=failed,
                                 on_cancelled=self._cancelled, context=self)

        self._preparing = True
        self._flash("Preparing the " + what + "…")
        audit(".started", detail, then=go)
