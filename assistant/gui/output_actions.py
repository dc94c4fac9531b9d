"""Ctrl+E / Ctrl+P: export or print the open patient's care plan (or, failing that, its summary)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from . import output, services
from .context import AppContext
from .formatting import fmt_date
from .plan_data import plan_html
from .session import describe_error
from .summary_view import source_line, summary_html


class OutputActions(QObject):
    """The path and printer choosers are attributes so tests can answer them without a dialog."""

    def __init__(self, ctx: AppContext, window: Any) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.ask_path: Callable[[str], Path | None] = self._ask_path
        self.choose_printer: Callable[[], QPrinter | None] = self._choose_printer
        self.last_export: Path | None = None
        self.busy = False

    def _view(self) -> Any:
        ws = self.window.workspace
        return ws.view if ws is not None else None

    def _target(self) -> tuple[str, Any]:
        """What Ctrl+E/Ctrl+P act on: the care plan on its tab or when it exists, else the summary."""
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

    # --- documents -------------------------------------------------------------------------------
    def _careplan_html(self, view: Any) -> str:
        doc, data = view.careplan.doc, view.careplan.current_data()
        p = view.record.patient
        status = (f"Version {doc.version}, signed by {doc.signed_by} on {(doc.signed_at or '')[:10]}"
                  if doc.status == "signed" else f"Version {doc.version}, {doc.status.upper()}: not signed")
        return plan_html(data, f"{p.name} · born {fmt_date(p.birth_date)} · MRN {p.mrn}", status,
                         view.careplan.label_for)

    def _summary_html(self, view: Any) -> str:
        s = view.overview.summary
        p = view.record.patient
        return (f"<h2>Summary</h2><p><b>{p.name} · born {fmt_date(p.birth_date)} · MRN {p.mrn}</b><br>"
                f"<span style='color:#475467'>{source_line(s)}</span></p>"
                + summary_html(s, view.overview.label_for))

    # --- export ----------------------------------------------------------------------------------
    def export(self) -> None:
        kind, view = self._target()
        if not kind:
            self._flash("Nothing to export yet: open a patient and wait for the summary, or draft a "
                        "care plan.")
            return
        if self.busy:
            return
        default = (f"care-plan-v{view.careplan.doc.version}.pdf" if kind == "careplan" else "summary.pdf")
        path = self.ask_path(default)
        if path is None:
            return
        record, pid = view.record, view.record.patient.id
        if kind == "careplan":
            html = self._careplan_html(view)
            data, doc = view.careplan.current_data(), view.careplan.doc
            meta = {"status": doc.status, "version": doc.version, "signed_by": doc.signed_by,
                    "signed_at": doc.signed_at}

            def render() -> bytes:
                return services.careplan_pdf(data, record, meta)
        else:
            html = self._summary_html(view)
            summary = view.overview.summary

            def render() -> bytes:
                return services.summary_pdf(summary, record, {})

        def done(p: Path, how: str) -> None:
            self.busy = False
            self.last_export = p
            self._flash(f"Exported the {'care plan' if kind == 'careplan' else 'summary'} to {p}")
            # The audit names the document kind and file name only.
            self.ctx.db.submit(lambda s: s.audit(f"{kind}.export", pid, f"pdf ({how}) {p.name}"))

        def failed(e: BaseException) -> None:
            self.busy = False
            self._flash(f"Export failed: {describe_error(e)}")

        self.busy = True
        self._flash("Exporting…")
        output.export_pdf(path=path, html=html, render=render if services.reports_available() else None,
                          on_done=done, on_error=failed, context=self)

    def _ask_path(self, default: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.window, "Export PDF", str(Path.home() / default),
                                              "PDF (*.pdf)")
        if not name:
            return None
        return Path(name if name.lower().endswith(".pdf") else name + ".pdf")

    # --- print -----------------------------------------------------------------------------------
    def print(self) -> None:
        kind, view = self._target()
        if not kind:
            self._flash("Nothing to print yet: open a patient and wait for the summary, or draft a "
                        "care plan.")
            return
        if self.busy:
            return
        printer = self.choose_printer()
        if printer is None:
            return
        html = self._careplan_html(view) if kind == "careplan" else self._summary_html(view)
        pid = view.record.patient.id
        self._printer = printer  # kept alive until the worker is done with it

        def done() -> None:
            self.busy = False
            self._flash("Sent to the printer.")
            self.ctx.db.submit(lambda s: s.audit(f"{kind}.print", pid, ""))

        def failed(e: BaseException) -> None:
            self.busy = False
            self._flash(f"Printing failed: {describe_error(e)}")

        self.busy = True
        output.print_document(html=html, printer=printer, on_done=done, on_error=failed, context=self)

    def _choose_printer(self) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.window if isinstance(self.window, QWidget) else None)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer
