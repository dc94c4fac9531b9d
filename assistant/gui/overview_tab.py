"""Overview: the stored summary at once, else the cited summary streaming in (cancellable), beside the risk flags."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assistant.records.record import PatientRecord

from . import services
from .context import AppContext
from .entry_detail import entry_label
from .flags_panel import FlagsPanel
from .session import describe_error
from .style import icon
from .summary_view import CHANGED_LINE, SUMMARY_CSS, source_line, stored_line, summary_html
from .tasks import Task, run_task

if TYPE_CHECKING:
    from assistant.clinical.flags import RiskReport


class OverviewTab(QWidget):
    """`cite(ref)` when a citation or evidence link is clicked; `summary_done` after each summary
    shown (stored or new); `summary_stored(saved_at)` once a new one is kept in the database."""

    cite = Signal(str)
    summary_done = Signal(object)
    summary_stored = Signal(str)
    generating_changed = Signal(bool)
    risk_ready = Signal(object)

    def __init__(self, ctx: AppContext, record: PatientRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record = record
        self.risk: RiskReport | None = None
        self.summary: services.SummaryView | None = None
        self._task: Task | None = None
        self._risk_task: Task | None = None
        self._streamed = 0
        self._gen = 0
        # A stored summary is looked up while the flags are evaluated; a new one is generated only
        # once the flags are in and the look-up found none ("pending", "found", "none").
        self._lookup = "pending"
        self._risk_settled = False
        self.reused = False  # the summary shown is the stored one
        self._save: tuple[PatientRecord, str, str] | None = None  # record, pack, setting of this generation
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 4, 0)
        head = QHBoxLayout()
        title = QLabel("Summary")
        title.setObjectName("sectionTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setObjectName("regenerate")
        self.cancel_button = QPushButton(icon("cancel"), "Cancel (Esc)")
        self.cancel_button.setObjectName("cancelSummary")
        self.cancel_button.setVisible(False)
        head.addWidget(self.regenerate)
        head.addWidget(self.cancel_button)
        ll.addLayout(head)
        self.source = QLabel("")
        self.source.setObjectName("hint")
        self.source.setWordWrap(True)
        ll.addWidget(self.source)
        self.stored = QLabel("")
        self.stored.setObjectName("storedNote")
        self.stored.setWordWrap(True)
        self.stored.setVisible(False)
        ll.addWidget(self.stored)
        # Model sentences the checker could not support are left out by default; one click shows
        # them, labelled as not supported, and hides them again.
        self.show_dropped = QPushButton("")
        self.show_dropped.setObjectName("showDropped")
        self.show_dropped.setFlat(True)
        self.show_dropped.setVisible(False)
        self.show_dropped.clicked.connect(self.toggle_dropped)
        self._reveal = False
        ll.addWidget(self.show_dropped, 0, Qt.AlignmentFlag.AlignLeft)
        self.browser = QTextBrowser()
        self.browser.setObjectName("summary")
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(SUMMARY_CSS)
        self.browser.anchorClicked.connect(self._anchor)
        ll.addWidget(self.browser, 1)
        split.addWidget(left)
        self.flags = FlagsPanel()
        self.flags.cite.connect(self.cite)
        split.addWidget(self.flags)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 440])
        lay.addWidget(split, 1)
        self.regenerate.clicked.connect(self.start_summary)
        self.cancel_button.clicked.connect(self.cancel)

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Flags first (fast, deterministic), then the summary that cites them: the stored one at
        once when the record, pack and setting are unchanged, else a new one."""
        record = self.record
        self._risk_task = run_task(lambda _c: services.evaluate_risk(record), name="flags",
                                   on_result=self._risk_done, on_error=self._risk_failed,
                                   context=self)
        self._find_stored()

    def refresh_risk(self) -> None:
        """The chart changed (an entry saved): evaluate the flags again over the new record."""
        record = self.record
        self._risk_task = run_task(lambda _c: services.evaluate_risk(record), name="flags",
                                   on_result=self._risk_done, on_error=self._risk_failed,
                                   context=self)

    def _find_stored(self) -> None:
        record, settings, gen = self.record, self.ctx.settings, self._gen
        engine, loading = self.ctx.models.engine, self.ctx.models.state == "loading"
        unverified = str(settings["summary.unverified"])

        def find(store: Any) -> services.StoredSummary | None:
            pack = services.expected_pack(engine, loading, settings)
            return services.find_stored_summary(store, record, pack, unverified)

        def found(stored: services.StoredSummary | None) -> None:
            self._lookup = "found" if stored is not None else "none"
            # Shown unless the clinician has asked for a new one meanwhile.
            if stored is not None and gen == self._gen and self._task is None:
                self._show_stored(stored)
            self._maybe_generate()

        def failed(_error: BaseException) -> None:
            self._lookup = "none"  # nothing to reuse: write a new one as before
            self._maybe_generate()

        self.ctx.db.submit(find, found, failed, context=self)

    def _show_stored(self, stored: services.StoredSummary) -> None:
        self.summary, self.reused = stored.view, True
        self.source.setText(source_line(stored.view))
        self.stored.setText(stored_line(stored.view, stored.saved_at))
        self.stored.setVisible(True)
        self._reveal = False
        self._render()
        self.summary_done.emit(stored.view)

    def _risk_done(self, risk: RiskReport) -> None:
        self._risk_task = None
        self.risk = risk
        self.flags.set_flags(risk.flags, self.label_for, risk.knowledge_version)
        self.risk_ready.emit(risk)
        self._after_risk()

    def _risk_failed(self, error: BaseException) -> None:
        self._risk_task = None
        self.flags.set_message(f"Risk flags could not be evaluated: {describe_error(error)}")
        self._after_risk()

    def _after_risk(self) -> None:
        self._risk_settled = True
        self._maybe_generate()

    def _maybe_generate(self) -> None:
        if not self._risk_settled or self._lookup != "none" or self.summary is not None or self._task:
            return
        self._lookup = "generating"
        self.browser.setHtml("<p style='color:#667085'>Waiting for the language model to load…</p>")
        self.ctx.models.when_settled(self._start_if_alive)

    def _start_if_alive(self) -> None:
        if shiboken6.isValid(self):  # the patient may have been closed while the model loaded
            self.start_summary()

    def start_summary(self) -> None:
        self.cancel()
        self._gen += 1
        gen = self._gen
        engine = self.ctx.models.engine
        record, risk, models = self.record, self.risk, self.ctx.models
        unverified = str(self.ctx.settings["summary.unverified"])
        self._save = (record, services.summary_pack(engine), unverified)

        def work(c: Any) -> services.SummaryView:
            # The engine serves one generation at a time; a cancel while waiting skips the wait.
            while not models.generation_lock.acquire(timeout=0.1):
                c.check()
            try:
                return services.generate_summary(record, risk, engine, c.partial, c.cancel_event,
                                                 unverified)
            finally:
                models.generation_lock.release()

        self._streamed = 0
        self.summary, self.reused = None, False
        self.stored.setVisible(False)
        self.show_dropped.setVisible(False)
        self.browser.clear()
        self.source.setText("Generating the summary with the language model…" if engine else
                            "Building the deterministic summary (no language model loaded)…")
        self._set_generating(True)
        # Callbacks of a superseded generation (cancelled, then regenerated) are ignored.
        self._task = run_task(work, name="summary",
                              on_partial=self._current(gen, self._chunk),
                              on_result=self._current(gen, self._done),
                              on_error=self._current(gen, self._failed),
                              on_cancelled=lambda: None, context=self)

    def _current(self, gen: int, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        """`fn`, but only while generation `gen` is the current one."""
        def call(value: Any) -> None:
            if gen == self._gen:
                fn(value)

        return call

    def _chunk(self, text: str) -> None:
        # Streamed text goes in as plain text at the end; the cited version replaces it when done.
        cursor = self.browser.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(str(text))
        self._streamed += len(text)
        self.browser.ensureCursorVisible()

    def _done(self, summary: services.SummaryView) -> None:
        self._task = None
        self.summary = summary
        self._set_generating(False)
        info = self.ctx.models.info
        self.source.setText(source_line(summary, info.name if info and summary.source == "model" else ""))
        self._reveal = False
        self._render()
        self.ctx.models.note_stats(summary.stats)
        self.summary_done.emit(summary)
        if self._save is not None and not (summary.raw is not None and summary.raw.cancelled):
            record, pack, unverified = self._save
            self.ctx.db.submit(lambda store: services.store_summary(store, record, summary, pack, unverified),
                               self.summary_stored.emit, self._not_stored, context=self)

    def _not_stored(self, error: BaseException) -> None:
        # The summary is on screen all the same; the next chart open writes it again.
        self.stored.setText(f"This summary could not be stored: {describe_error(error)}")
        self.stored.setVisible(True)

    def set_record(self, record: PatientRecord) -> None:
        """The chart changed (a note saved here): a summary on screen no longer covers all of it."""
        changed = record is not self.record
        self.record = record
        if changed and self.summary is not None:
            self.stored.setText(CHANGED_LINE)
            self.stored.setVisible(True)

    def _render(self) -> None:
        summary = self.summary
        if summary is None:
            return
        n = len(summary.dropped)
        self.show_dropped.setVisible(bool(n))
        self.show_dropped.setText(f"Hide the {n} unchecked sentence{'s' if n != 1 else ''}" if self._reveal
                                  else f"Show {n} unchecked sentence{'s' if n != 1 else ''}")
        self.browser.setHtml(summary_html(summary, self.label_for, self._reveal))

    def toggle_dropped(self) -> None:
        """Show or hide the model sentences left out as not supported by the record."""
        self._reveal = not self._reveal
        self._render()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self._set_generating(False)
        self.source.setText("")
        self.browser.setHtml(f"<p style='color:#b42318'>The summary could not be generated: "
                             f"{describe_error(error)}</p>")

    def _cancelled(self) -> None:
        self._task = None
        self._set_generating(False)
        self.source.setText("Generation cancelled. Press Regenerate to start again.")

    def _set_generating(self, on: bool) -> None:
        self.cancel_button.setVisible(on)
        self.regenerate.setEnabled(not on)
        self.generating_changed.emit(on)

    @property
    def generating(self) -> bool:
        return self._task is not None

    def cancel(self) -> bool:
        """Cancel a running generation (Esc). True if there was one."""
        task, self._task = self._task, None
        if task is None:
            return False
        self._gen += 1
        task.cancel()
        self._cancelled()
        return True

    def shutdown(self) -> None:
        for task in (self._task, self._risk_task):
            if task is not None:
                task.cancel()
        self._task = self._risk_task = None

    # --- citations -------------------------------------------------------------------------
    def label_for(self, ref: str) -> str:
        return entry_label(self.record.entry(ref), ref)

    def _anchor(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("cite:"):
            self.cite.emit(text[5:])
        elif text == "show:dropped":
            self.toggle_dropped()

    def citation_refs(self) -> list[str]:
        if self.summary is None:
            return []
        out: list[str] = []
        for s in self.summary.sentences:
            out.extend(r for r in s.citations if r not in out)
        return out
