"""Care plan: draft (model or deterministic), edit every section, save, sign, see versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.gui.table_models import Column, RowTableModel, TableProxy
from assistant.records.record import PatientRecord

from . import services
from .context import AppContext
from .entry_detail import entry_label
from .plan_data import plan_title, read_sections, write_sections
from .plan_editor import PlanEditor
from .plan_toolbar import PlanEditBar
from .section_tab import make_table
from .session import describe_error
from .sign_dialog import SignDialog, current_notes, sign_refusal
from .style import icon, set_primary
from .tasks import Task, TaskControl, run_task

if TYPE_CHECKING:
    from assistant.clinical.flags import RiskReport
    from assistant.store.documents import StoredDocument

VERSION_COLUMNS = (
    Column("v", lambda d: str(d.version), sort=lambda d: d.version, numeric=True, width=30),
    Column("Status", lambda d: d.status.capitalize(), width=80),
    Column("Created", lambda d: d.created[:16].replace("T", " "), width=132),
    Column("By", lambda d: d.by),
)


class CarePlanTab(QWidget):
    cite = Signal(str)
    dirty_changed = Signal(bool)

    def __init__(self, ctx: AppContext, record: PatientRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record = record
        self.risk: RiskReport | None = None
        self.doc: StoredDocument | None = None  # the version shown
        self.docs: list[StoredDocument] = []
        self.dirty = False
        self._task: Task | None = None
        self.sign_dialog: SignDialog | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        bar = QHBoxLayout()
        heading = QVBoxLayout()
        heading.setSpacing(0)
        self.title = QLabel("Care plan")
        self.title.setObjectName("sectionTitle")
        self.status = QLabel("")
        self.status.setObjectName("planStatus")
        heading.addWidget(self.title)
        heading.addWidget(self.status)
        bar.addLayout(heading, 1)
        self.generate = QPushButton("Generate draft")
        self.generate.setObjectName("generatePlan")
        self.cancel_button = QPushButton(icon("cancel"), "Cancel (Esc)")
        self.cancel_button.setObjectName("cancelPlan")
        self.cancel_button.hide()
        self.new_version = QPushButton("New version")
        self.new_version.setObjectName("newVersion")
        self.save = QPushButton("Save draft")
        self.save.setObjectName("savePlan")
        self.sign = set_primary(QPushButton("Sign"))
        self.sign.setObjectName("signPlan")
        self.export = QPushButton(icon("export"), "Export PDF…")
        self.export.setObjectName("exportPlan")
        self.print_button = QPushButton(icon("print"), "Print…")
        self.print_button.setObjectName("printPlan")
        for b in (self.generate, self.cancel_button, self.new_version, self.save, self.sign, self.export,
                  self.print_button):
            bar.addWidget(b)
        lay.addLayout(bar)
        self.notice = QLabel("")
        self.notice.setObjectName("hint")
        self.notice.setWordWrap(True)
        lay.addWidget(self.notice)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        vt = QLabel("Versions")
        vt.setObjectName("sectionTitle")
        ll.addWidget(vt)
        self.version_model = RowTableModel(VERSION_COLUMNS, self)
        self.version_proxy = TableProxy(self.version_model, self)
        self.versions = make_table(self.version_proxy, VERSION_COLUMNS, "versionTable")
        ll.addWidget(self.versions, 1)
        split.addWidget(left)
        self.stack = QStackedWidget()
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("hint")
        # Streamed text is appended at the end of a document: a label re-laid out its whole,
        # growing text on every chunk.
        self.stream = QPlainTextEdit()
        self.stream.setReadOnly(True)
        self.stream.setObjectName("planStream")
        self.editor = PlanEditor()
        self.editor.setObjectName("planEditor")
        self.edit_bar = PlanEditBar(self.editor)
        self.add_item, self.remove_item = self.edit_bar.add_item, self.edit_bar.remove_item
        lay.insertWidget(lay.indexOf(self.notice), self.edit_bar)
        for w in (self.empty, self.stream, self.editor):
            self.stack.addWidget(w)
        split.addWidget(self.stack)
        split.setSizes([270, 900])
        lay.addWidget(split, 1)
        self.generate.clicked.connect(self.generate_draft)
        self.cancel_button.clicked.connect(self.cancel)
        self.save.clicked.connect(lambda: self.save_draft())
        self.sign.clicked.connect(self.sign_plan)
        self.new_version.clicked.connect(self.start_new_version)
        # Dirty while the edits differ from what was loaded: undoing them all is clean again.
        self.editor.changed.connect(lambda: self._set_dirty(not self.editor.undo_stack.isClean()))
        self.editor.cite.connect(self.cite)
        self.versions.selectionModel().currentRowChanged.connect(self._version_selected)
        self._show_empty("Loading care plans…")
        self._update_buttons()

    # --- loading ---------------------------------------------------------------------------
    def load(self) -> None:
        pid = self.record.patient.id
        self.ctx.db.submit(lambda s: services.plan_versions(s, pid), self._listed,
                           lambda e: self._show_empty(f"Care plans could not be loaded: "
                                                      f"{describe_error(e)}"), context=self)

    def _listed(self, docs: list[StoredDocument], select: str | None = None) -> None:
        self.docs = docs
        self.version_model.set_rows(docs)
        if not docs:
            self._show_empty("No care plan yet for this patient. Press “Generate draft” to draft one "
                             "from the record; you then edit, save and sign it.")
            self.doc = None
            self._update_buttons()
            return
        target = next((d for d in docs if d.id == select), None) if select else None
        if target is None:
            target = next((d for d in docs if d.status == "draft"), docs[0])
        self._show_doc(target)

    def _select_row_of(self, doc: StoredDocument) -> None:
        row = self.version_proxy.proxy_row_of(lambda d: d.id == doc.id)
        if row >= 0:
            self.versions.blockSignals(True)
            self.versions.selectRow(row)
            self.versions.blockSignals(False)

    def _show_doc(self, doc: StoredDocument) -> None:
        self.doc = doc
        editable = doc.status == "draft"
        self.editor.load(read_sections(doc.data), self.label_for, editable, str(doc.data.get("as_of") or ""))
        self.stack.setCurrentWidget(self.editor)
        self._select_row_of(doc)
        self._set_dirty(False)
        title = plan_title(doc.data)
        self.title.setText(self.title.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, 560))
        self.title.setToolTip(title)
        self.status.setText(f"Version {doc.version} · {self._status_text(doc)}")
        # Computed from the content shown, never the notes stored at drafting time.
        warnings = current_notes(doc.data)
        self.notice.setText("Note: " + " ".join(warnings) if warnings else "")

    @staticmethod
    def _status_text(doc: StoredDocument) -> str:
        if doc.status == "signed":
            return f"signed by {doc.by} on {(doc.signed_at or '')[:16].replace('T', ' ')}"
        if doc.status == "superseded":
            return "superseded by a later version (read-only)"
        return "draft: edit, save, then sign"

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)
        self.title.setText("Care plan")
        self.status.setText("")

    def _version_selected(self, current: QModelIndex, _prev: QModelIndex) -> None:
        doc = self.version_proxy.object_at(current)
        if doc is None or (self.doc is not None and doc.id == self.doc.id):
            return
        if self.dirty and self.doc is not None:
            self.notice.setText("Save or discard your edits before opening another version.")
            self._select_row_of(self.doc)
            return
        self._show_doc(doc)

    # --- state -----------------------------------------------------------------------------
    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirty_changed.emit(dirty)
        if dirty:
            self.notice.setText("Unsaved edits.")
        elif self.notice.text() == "Unsaved edits.":
            self.notice.setText("")  # every edit undone
        self._update_buttons()

    def has_unsaved(self) -> bool:
        return self.dirty

    def _update_buttons(self) -> None:
        busy = self._task is not None
        draft = self.doc is not None and self.doc.status == "draft"
        self.generate.setEnabled(not busy)
        self.generate.setVisible(not busy)
        self.cancel_button.setVisible(busy)
        self.save.setEnabled(draft and self.dirty and not busy)
        self.sign.setEnabled(draft and not busy)
        self.new_version.setEnabled(self.doc is not None and not draft and not busy)
        self.export.setEnabled(self.doc is not None and not busy)
        self.print_button.setEnabled(self.doc is not None and not busy)
        self.edit_bar.set_editable(draft and not busy)

    def set_risk(self, risk: RiskReport | None) -> None:
        self.risk = risk

    def label_for(self, ref: str) -> str:
        return entry_label(self.record.entry(ref), ref)

    def current_data(self) -> dict[str, Any] | None:
        return self.data_of(self.doc) if self.doc is not None else None

    def data_of(self, doc: StoredDocument) -> dict[str, Any]:
        """A version's content: as stored, or for the draft on screen, with the edits made to it."""
        if doc.status != "draft" or self.doc is None or doc.id != self.doc.id:
            return dict(doc.data)
        return write_sections(doc.data, self.editor.value())

    # --- generate --------------------------------------------------------------------------
    def generate_draft(self) -> None:
        if self._task is not None:
            return
        if self.dirty:
            self.notice.setText("Save your edits first: a new draft becomes a new version.")
            return
        engine = self.ctx.models.engine
        record, risk, models = self.record, self.risk, self.ctx.models

        def work(c: TaskControl) -> dict[str, Any]:
            r = risk  # the overview's flags, or evaluated here when the draft comes first
            if r is None:
                r = services.evaluate_risk(record)
            while not models.generation_lock.acquire(timeout=0.1):
                c.check()
            try:
                return services.draft_careplan(record, r, engine, c.partial, c.cancel_event)
            finally:
                models.generation_lock.release()

        self.stream.setPlainText("Drafting the care plan with the language model…\n\n" if engine else
                                 "Drafting the care plan from the record (no language model)…\n\n")
        self.stack.setCurrentWidget(self.stream)
        self._task = run_task(work, name="careplan", on_partial=self._chunk, on_result=self._drafted,
                              on_error=self._failed, on_cancelled=self._cancelled, context=self)
        self._update_buttons()

    def _chunk(self, text: str) -> None:
        cursor = self.stream.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(str(text))
        self.stream.ensureCursorVisible()

    def _drafted(self, data: dict[str, Any]) -> None:
        self._task = None
        series = self.docs[0].series if self.docs else None
        self.notice.setText("Draft saved as a new version. Edit any section, save, then sign.")
        self.ctx.db.submit(lambda s: services.plan_save_new(s, data, series),
                           self._saved_new, self._store_failed, context=self)

    def _saved_new(self, doc: StoredDocument) -> None:
        pid = self.record.patient.id
        self.ctx.db.submit(lambda s: services.plan_versions(s, pid),
                           lambda docs: self._listed(docs, select=doc.id), self._store_failed, context=self)
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self.notice.setText(f"The draft could not be generated: {describe_error(error)}")
        self._restore_view()

    def _cancelled(self) -> None:
        self._task = None
        self.notice.setText("Drafting cancelled.")
        self._restore_view()

    def _restore_view(self) -> None:
        if self.doc is not None:
            self.stack.setCurrentWidget(self.editor)
        else:
            self._listed(self.docs)
        self._update_buttons()

    def cancel(self) -> bool:
        task = self._task
        if task is None:
            return False
        task.cancel()
        return True

    @property
    def generating(self) -> bool:
        return self._task is not None

    def shutdown(self) -> None:
        if self._task is not None:
            self._task.cancel()

    # --- save / sign / new version ---------------------------------------------------------
    def save_draft(self, then: Callable[[], None] | None = None) -> None:
        if self.doc is None or self.doc.status != "draft":
            return
        data = self.current_data()
        assert data is not None
        doc_id = self.doc.id

        def ok(doc: StoredDocument) -> None:
            self._replace_doc(doc)
            if self.current_data() == data:
                self._show_doc(doc)  # shows the statuses the core set (edited items marked)
            else:
                self.doc = doc  # typed on while saving: keep those edits on screen, still unsaved
            self.notice.setText("Draft saved.")
            if then:
                then()

        self.save.setEnabled(False)
        self.ctx.db.submit(lambda s: services.plan_edit(s, doc_id, data), ok, self._store_failed,
                           context=self)

    def _replace_doc(self, doc: StoredDocument) -> None:
        self.docs = [doc if d.id == doc.id else d for d in self.docs]
        self.version_model.set_rows(self.docs)
        self._select_row_of(doc)

    def sign_plan(self) -> None:
        if self.doc is None or self.doc.status != "draft":
            return
        if self.dirty:  # the signature covers the stored text: save the edits first
            return self.save_draft(then=self.sign_plan)
        doc = self.doc
        refusal = sign_refusal(doc.data)
        if refusal:  # the core refuses too; say which items before asking for a password
            self.notice.setText(refusal)
            return
        self.sign_dialog = dialog = SignDialog(doc, dict(doc.data), self)
        dialog.submitted.connect(lambda pw: self.ctx.db.submit(lambda s: services.plan_sign(s, doc.id, pw),
                                                               self._signed, dialog.failed_with, context=self))
        dialog.open()

    def _signed(self, doc: StoredDocument) -> None:
        if self.sign_dialog is not None:
            self.sign_dialog.signed()
        self._replace_doc(doc)
        self._show_doc(doc)
        self.notice.setText("Signed. The signed version is read-only; “New version” starts a new draft.")

    def start_new_version(self) -> None:
        if self.doc is None or self.doc.status == "draft":
            return
        doc_id = self.doc.id
        self.ctx.db.submit(lambda s: services.plan_new_version(s, doc_id), self._saved_new,
                           self._store_failed, context=self)

    def _store_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self):
            self.notice.setText(f"Not saved: {describe_error(error)}")
            self._update_buttons()
