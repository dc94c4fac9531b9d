"""One open patient: the banner, then tabs for the overview, every chart section, notes and the care plan."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from assistant.records.model import Note
from assistant.records.record import PatientRecord

from .banner import Banner
from .careplan_tab import CarePlanTab
from .context import AppContext
from .entry_detail import DETAIL_CSS, entry_html
from .labs_tab import LabsTab
from .notes_tab import NotesTab
from .overview_tab import OverviewTab
from .section_tab import SectionTab
from .sections import LABS_KEY, NOTES_KEY, TAB_FOR_TYPE, TABLE_SECTIONS


class PatientView(QWidget):
    """Built on the main thread from a record loaded on the DB thread; long work starts after paint."""

    cite_followed = Signal(str)

    def __init__(self, ctx: AppContext, record: PatientRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record = record
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 4)
        lay.setSpacing(6)
        self.banner = Banner()
        self.banner.set_record(record)
        lay.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("patientTabs")
        self.tabs.setDocumentMode(False)
        self.tabs.setUsesScrollButtons(True)
        lay.addWidget(self.tabs, 1)
        self.by_key: dict[str, QWidget] = {}

        self.overview = OverviewTab(ctx, record)
        self._add("overview", self.overview, "Overview")
        for section in TABLE_SECTIONS:
            tab = SectionTab(section.key, section.columns, section.empty, section.emphasis)
            tab.set_entries(getattr(record, section.field))
            n = len(getattr(record, section.field))
            self._add(section.key, tab, f"{section.title} ({n})" if n else section.title)
        self.labs = LabsTab()
        self.labs.set_observations(record.observations)
        self._add(LABS_KEY, self.labs, "Labs && vitals")
        self.notes = NotesTab(ctx.db)
        self.notes.set_context(record.patient.id, ctx.session.account.name if ctx.session.account else "")
        self.notes.set_notes(record.notes)
        self._add(NOTES_KEY, self.notes, "Notes")
        self.careplan = CarePlanTab(ctx, record)
        self._add("careplan", self.careplan, "Care plan")

        self.overview.cite.connect(self.show_entry)
        self.careplan.cite.connect(self.show_entry)
        self.overview.risk_ready.connect(self.careplan.set_risk)
        self.notes.note_saved.connect(self._note_saved)

    def _add(self, key: str, widget: QWidget, title: str) -> None:
        widget.setObjectName(f"tab_{key}")
        self.by_key[key] = widget
        self.tabs.addTab(widget, title)

    def start(self) -> None:
        """Kick off the background work (flags, summary, care-plan list) once the view is shown."""
        self.overview.start()
        self.careplan.load()

    @property
    def patient_id(self) -> str:
        return self.record.patient.id

    def has_unsaved(self) -> bool:
        return self.notes.has_unsaved() or self.careplan.has_unsaved()

    def cancel_generation(self) -> bool:
        """Esc: stop whatever generation is running here."""
        return self.overview.cancel() | self.careplan.cancel()

    def shutdown(self) -> None:
        self.overview.shutdown()
        self.careplan.shutdown()

    def current_key(self) -> str:
        w = self.tabs.currentWidget()
        return next((k for k, v in self.by_key.items() if v is w), "")

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.by_key[key])

    def show_entry(self, ref: str) -> bool:
        """Follow a citation: open the tab holding the entry and select it there."""
        self.cite_followed.emit(ref)
        key = TAB_FOR_TYPE.get(ref.split("/", 1)[0], "")
        tab: Any = self.by_key.get(key)
        if tab is not None and tab.select_ref(ref):
            self.tabs.setCurrentWidget(tab)
            return True
        entry: Any = self.record.entry(ref)
        if entry is None and ref in (self.record.patient.ref, self.record.patient.id):
            entry = self.record.patient  # demographics: cited for age and sex
        if entry is None:
            return False
        # Goals and record care plans have no tab of their own: show them in a small window.
        dialog = QDialog(self)
        dialog.setWindowTitle("Record entry")
        dialog.setObjectName("entryDialog")
        view = QTextBrowser()
        view.document().setDefaultStyleSheet(DETAIL_CSS)
        view.setHtml(entry_html(entry))
        QVBoxLayout(dialog).addWidget(view)
        dialog.resize(520, 360)
        dialog.show()
        return True

    def _note_saved(self, note: Note) -> None:
        self.record = self.record.with_entries(note)
        self.notes.set_notes(self.record.notes)
        self.overview.record = self.record
        self.careplan.record = self.record
