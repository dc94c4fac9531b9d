"""One open patient: the banner, then tabs for the overview, every chart section, notes and the care plan."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDialog, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from assistant.records.domain import Note
from assistant.records.record import PatientRecord
from assistant.services.chart_entry import Saved

from .banner import Banner
from .careplan_tab import CarePlanTab
from .context import AppContext
from .entry_bar import ENTRY_TABS, EntryBar
from .entry_detail import DETAIL_CSS, entry_html
from .labs_tab import LabsTab
from .notes_tab import NotesTab
from .overview_tab import OverviewTab
from .section_tab import SectionTab
from .sections import LABS_KEY, NOTES_KEY, TAB_FOR_TYPE, TABLE_SECTIONS, Section
from .tasks import active_tasks, call_timed

if TYPE_CHECKING:
    from assistant.clinical.flags import RiskReport

TabT = TypeVar("TabT", bound=QWidget)

BUILD_GAP_MS = 15  # between two tabs built in the background
USER_TAB_QUIET_S = 0.5  # no background building this soon after the user opened a tab


class PatientView(QWidget):
    """Built on the main thread from a record loaded on the DB thread; long work starts after paint."""

    cite_followed = Signal(str)
    export_requested = Signal()  # the care-plan tab's Export PDF…
    print_requested = Signal()  # and its Print…
    _started = False

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
        self.tabs.setUsesScrollButtons(True)
        lay.addWidget(self.tabs, 1)
        self._built: dict[str, QWidget] = {}
        self._pages: dict[str, QWidget] = {}
        self._boxes: dict[str, QVBoxLayout] = {}  # each page's layout, which takes the built tab
        self._factories: dict[str, Callable[[], QWidget]] = {}
        self.entry_bars: dict[str, EntryBar] = {}
        # Only the overview is built now: the rest are built one per event-loop turn after it has
        # painted (or at once when the user opens one), so opening a chart never stalls the UI.
        self.overview = OverviewTab(ctx, record)
        self._page("overview", "Overview", lambda: self.overview)
        for section in TABLE_SECTIONS:
            n = len(getattr(record, section.field))
            self._page(section.key, f"{section.title} ({n})" if n else section.title,
                       partial(self._section_tab, section))
        self._page(LABS_KEY, "Labs && vitals", self._labs_tab)
        self._page(NOTES_KEY, self._notes_title(), self._notes_tab)
        self._page("careplan", "Care plan", self._careplan_tab)
        self.ensure("overview")
        self.overview.cite.connect(self.show_entry)
        self.overview.risk_ready.connect(self._risk_ready)
        self.tabs.currentChanged.connect(self._tab_changed)
        self._deferrals = 0
        self._quiet_until = 0.0  # background building waits while a tab the user opened settles
        self._pending = ["careplan", "problems", "medications", "allergies", LABS_KEY, "encounters",
                         "procedures", "immunizations", NOTES_KEY]

    # --- tabs, built on demand ---------------------------------------------------------------------
    def _page(self, key: str, title: str, factory: Callable[[], QWidget]) -> None:
        page = QWidget()
        page.setObjectName(f"page_{key}")
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self._pages[key] = page
        self._boxes[key] = box
        self._factories[key] = factory
        self.tabs.addTab(page, title)

    def _key_at(self, index: int) -> str:
        page = self.tabs.widget(index)
        return next((k for k, p in self._pages.items() if p is page), "")

    def ensure(self, key: str) -> QWidget | None:
        """The tab's widget, built now if it was not yet (None for a key with no tab)."""
        widget = self._built.get(key)
        if widget is None and key in self._factories:
            widget = self._factories[key]()
            widget.setObjectName(f"tab_{key}")
            self._boxes[key].addWidget(widget)
            self._built[key] = widget
        return widget

    def _tab(self, key: str, kind: type[TabT]) -> TabT:
        widget = self.ensure(key)
        if not isinstance(widget, kind):
            raise TypeError(f"tab {key!r} is a {type(widget).__name__}, not a {kind.__name__}")
        return widget

    def _tab_changed(self, index: int) -> None:
        # The opened tab may finish in later turns (the labs chart): build nothing else meanwhile.
        self._quiet_until = time.monotonic() + USER_TAB_QUIET_S
        self.ensure(self._key_at(index))

    def _build_next(self) -> None:
        while self._pending and self._pending[0] in self._built:
            self._pending.pop(0)
        if not self._pending:
            return
        wait_s = self._quiet_until - time.monotonic()
        if wait_s > 0:
            QTimer.singleShot(int(wait_s * 1000) + BUILD_GAP_MS, self._build_next)
            return
        if active_tasks() and self._deferrals < 60:
            # Workers (flags, summary, drafts, model load) share the interpreter with us: a tab
            # built now runs at a fraction of its speed and stalls the interface. Wait for a quiet
            # moment (at most ~30 s); a tab the user opens is still built at once.
            self._deferrals += 1
            QTimer.singleShot(500, self._build_next)
            return
        key = self._pending.pop(0)
        call_timed(self.ensure, key, name=f"build tab {key}")
        # A short timer, not a zero-delay call: those all run in one pass of posted events, so
        # the tabs would be built back to back before any input or timer is served.
        QTimer.singleShot(BUILD_GAP_MS, self._build_next)

    def _notes_title(self) -> str:
        n = len(self.record.notes)
        return f"Notes ({n})" if n else "Notes"

    @property
    def labs(self) -> LabsTab:
        return self._tab(LABS_KEY, LabsTab)

    @property
    def notes(self) -> NotesTab:
        return self._tab(NOTES_KEY, NotesTab)

    @property
    def careplan(self) -> CarePlanTab:
        return self._tab("careplan", CarePlanTab)

    def _section_tab(self, section: Section) -> SectionTab:
        tab = SectionTab(section.key, section.columns, section.empty, section.emphasis,
                         order=section.order, order_text=section.order_text)
        tab.resolve = lambda ref: self.record.entry(ref)
        if section.key in ENTRY_TABS:  # first: it follows the selection that set_entries makes
            bar = self._entry_bar(section.key, tab.entry_selected)
            bar.history.connect(tab.show_history)
            tab.box.insertWidget(0, bar)
        tab.set_entries(getattr(self.record, section.field))
        return tab

    def _labs_tab(self) -> LabsTab:
        labs = LabsTab()
        labs.resolve = lambda ref: self.record.entry(ref)
        labs.set_observations(self.record.observations, self.record.patient.sex)
        box = labs.layout()
        if isinstance(box, QVBoxLayout):
            box.insertWidget(0, self._entry_bar(LABS_KEY, labs.entry_selected))
        return labs

    def _entry_bar(self, key: str, selected: Any) -> EntryBar:
        bar = EntryBar(key, self.ctx.db, lambda: self.record)
        selected.connect(bar.select)
        bar.saved.connect(self.entries_saved)
        self.entry_bars[key] = bar
        return bar

    def entries_saved(self, saved: Saved) -> None:
        """Entries were stored: every built tab, the flags and the plan see the chart as it is now."""
        self.record = saved.apply(self.record)
        for section in TABLE_SECTIONS:
            tab = self._built.get(section.key)
            if isinstance(tab, SectionTab):
                tab.set_entries(getattr(self.record, section.field))
            n = len(getattr(self.record, section.field))
            self.tabs.setTabText(self.tabs.indexOf(self._pages[section.key]),
                                 f"{section.title} ({n})" if n else section.title)
        labs = self._built.get(LABS_KEY)
        if isinstance(labs, LabsTab):
            labs.set_observations(self.record.observations, self.record.patient.sex)
        for bar in self.entry_bars.values():  # what a button acts on is the entry as it is now
            bar.select(self.record.entry(bar.selected.ref) if bar.selected is not None else None)
        self.banner.set_record(self.record)
        self.overview.set_record(self.record)
        self.overview.refresh_risk()
        plan = self._built_plan()
        if plan is not None:
            plan.record = self.record

    def _notes_tab(self) -> NotesTab:
        notes = NotesTab(self.ctx.db)
        account = self.ctx.session.account
        # The author as people know them ('Dr Admin'), not the login name.
        notes.set_context(self.record.patient.id, account.shown_name if account else "")
        notes.set_notes(self.record.notes)
        notes.note_saved.connect(self._note_saved)
        return notes

    def _careplan_tab(self) -> CarePlanTab:
        plan = CarePlanTab(self.ctx, self.record)
        plan.cite.connect(self.show_entry)
        # The tab's own Export PDF… and Print…: the main window's output actions (Ctrl+E / Ctrl+P) do the work.
        plan.export.clicked.connect(self.export_requested)
        plan.print_button.clicked.connect(self.print_requested)
        plan.set_risk(self.overview.risk)
        if self._started:
            plan.load()
        return plan

    def _risk_ready(self, risk: RiskReport | None) -> None:
        if "careplan" in self._built:
            self.careplan.set_risk(risk)

    def start(self) -> None:
        """Kick off the background work (flags, summary, care plans) once the view is shown."""
        self._started = True
        self.overview.start()
        if "careplan" in self._built:
            self.careplan.load()
        QTimer.singleShot(0, self._build_next)

    @property
    def patient_id(self) -> str:
        return self.record.patient.id

    def _built_plan(self) -> CarePlanTab | None:
        """The care-plan tab if it has been built (nothing is built just to ask)."""
        plan = self._built.get("careplan")
        return plan if isinstance(plan, CarePlanTab) else None

    def has_unsaved(self) -> bool:
        notes, plan = self._built.get(NOTES_KEY), self._built_plan()
        return ((isinstance(notes, NotesTab) and notes.has_unsaved())
                or (plan is not None and plan.has_unsaved()))

    @property
    def generating(self) -> bool:
        plan = self._built_plan()
        return self.overview.generating or (plan is not None and plan.generating)

    def cancel_generation(self) -> bool:
        """Esc: stop whatever generation is running here."""
        plan = self._built_plan()
        return self.overview.cancel() | (plan is not None and plan.cancel())

    def shutdown(self) -> None:
        self._pending.clear()
        self.overview.shutdown()
        plan = self._built_plan()
        if plan is not None:
            plan.shutdown()

    def current_key(self) -> str:
        return self._key_at(self.tabs.currentIndex())

    def show_tab(self, key: str) -> None:
        self.ensure(key)
        self.tabs.setCurrentWidget(self._pages[key])

    def show_entry(self, ref: str) -> bool:
        """Follow a citation: open the tab holding the entry and select it there."""
        self.cite_followed.emit(ref)
        key = TAB_FOR_TYPE.get(ref.split("/", 1)[0], "")
        tab = self.ensure(key) if key else None
        if isinstance(tab, SectionTab | LabsTab | NotesTab) and tab.select_ref(ref):
            self.tabs.setCurrentWidget(self._pages[key])
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
        view.setHtml(entry_html(entry, resolve=lambda r: self.record.entry(r)))
        QVBoxLayout(dialog).addWidget(view)
        dialog.resize(520, 360)
        dialog.show()
        return True

    def _note_saved(self, note: Note) -> None:
        self.record = self.record.with_entries(note)
        self.notes.set_notes(self.record.notes)
        self.tabs.setTabText(self.tabs.indexOf(self._pages[NOTES_KEY]), self._notes_title())
        self.overview.set_record(self.record)
        plan = self._built_plan()
        if plan is not None:
            plan.record = self.record
