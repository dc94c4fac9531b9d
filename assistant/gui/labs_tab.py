"""Labs and vitals: measures on the left; the chosen measure's trend chart, its results and one entry."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.gui.table_models import Column, RowTableModel, TableProxy
from assistant.records.domain import Observation

from . import lazy, services
from .measures import Measure, build_measures, category_label
from .section_tab import SectionTab, make_table
from .sections import OBSERVATION_COLUMNS

# Vitals come first, then labs (the list's order); the kind is in the name's tooltip.
MEASURE_COLUMNS = (
    Column("Measure", lambda m: m.name, width=196,
           tooltip=lambda m: f"{m.name}\n{category_label(m.category)}, {m.count()} result(s)"),
    Column("Latest", lambda m: m.latest_text(), width=100),
    Column("Date", lambda m: m.latest_date(), width=86),
    Column("n", lambda m: str(m.count()), sort=lambda m: m.count(), numeric=True, width=34),
)


CHART_DELAY_MS = 30  # from the tab's first showing to making the chart
STAGE_MS = 10  # between two stages of the tab's build (a timer: input and timers are served between)


class LabsTab(QWidget):
    entry_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.measures: list[Measure] = []
        self.chart: Any = None
        self._current: Measure | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.filter = QLineEdit()
        self.filter.setObjectName("measureFilter")
        self.filter.setPlaceholderText("Filter measures")
        self.filter.setClearButtonEnabled(True)
        ll.addWidget(self.filter)
        self.measure_model = RowTableModel(MEASURE_COLUMNS, self)
        self.measure_proxy = TableProxy(self.measure_model, self)
        self.measure_proxy.setFilterKeyColumn(0)
        self.measure_view = make_table(self.measure_proxy, MEASURE_COLUMNS, "measureTable")
        self.measure_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        ll.addWidget(self.measure_view, 1)
        split.addWidget(left)
        self._right = QSplitter(Qt.Orientation.Vertical)
        self.chart_stack = QStackedWidget()
        self.chart_placeholder = QLabel("Loading the chart…")
        self.chart_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart_placeholder.setObjectName("hint")
        self.chart_stack.addWidget(self.chart_placeholder)
        self._right.addWidget(self.chart_stack)
        split.addWidget(self._right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([440, 900])
        lay.addWidget(split, 1)
        self.filter.textChanged.connect(self.measure_proxy.setFilterFixedString)
        self.measure_view.selectionModel().currentRowChanged.connect(self._measure_changed)
        self._results: SectionTab | None = None
        self.resolve: Any = None  # names the entries a result refers to (its encounter), from the record
        self._chart_requested = False
        self._new_chart: Any = None
        # The tab is built in stages, each in its own event-loop turn with a paint in between:
        # the measures now, the results pane next, the chart (when shown) later, then its data.
        # Built at once, the widgets' styling and the plot's first paint made one ~150 ms stall.
        QTimer.singleShot(STAGE_MS, self, lambda: self.results)

    @property
    def results(self) -> SectionTab:
        """The chosen measure's results, below the chart: built on its own turn, or when needed."""
        if self._results is None:
            results = SectionTab("labs", OBSERVATION_COLUMNS, "No results for this measure.",
                                 emphasis=_abnormal, detail_beside=True)
            results.resolve = self.resolve
            results.box.setContentsMargins(0, 4, 0, 0)
            results.view.setColumnHidden(1, True)  # the measure's name: it is the chart's title
            self._right.addWidget(results)
            self._right.setSizes([360, 260])
            results.entry_selected.connect(self._entry_selected)
            self._results = results
            results.set_entries(self._current.observations if self._current is not None else [])
        return self._results

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        # The chart (a pyqtgraph scene) is made when the tab is first shown, not when it is built
        # in the background: it is the costly part, and unseen it would only slow the rest down.
        super().showEvent(event)
        if not self._chart_requested:
            self._chart_requested = True
            # A little later, as a timer: the tab paints its table first, and input and timers
            # are served in between (a zero-delay call would run in the same pass of posted
            # events as the tab's build and paint, adding the plot's ~50 ms to that stall).
            QTimer.singleShot(CHART_DELAY_MS, self, lambda: lazy.when_loaded(
                lazy.CHART_MODULE, self._chart_ready, context=self))

    # --- chart library arrives from a worker thread ------------------------------------------
    def _chart_ready(self, module: ModuleType | None, error: str) -> None:
        if module is None:
            self.chart_placeholder.setText(f"The chart could not be loaded ({error}); the table "
                                           "below has every result.")
            return
        # Made now, hidden behind the placeholder; drawn and shown on the next turn: one paint, with
        # the data, instead of a paint of an empty plot and another once its ranges are set.
        self._new_chart = module.take()
        self.chart_stack.addWidget(self._new_chart)
        QTimer.singleShot(STAGE_MS, self, self._show_chart)

    def _show_chart(self) -> None:
        chart, self._new_chart = self._new_chart, None
        if chart is None or self.chart is not None:
            return
        chart.point_clicked.connect(self.select_ref)
        self.chart = chart
        self._draw()
        # Shown a turn later (the stack has already given it its size): its first paint, the
        # costliest step (~50 ms), then gets a turn of its own instead of following the draw.
        QTimer.singleShot(STAGE_MS, self, lambda: self.chart_stack.setCurrentWidget(chart))

    def _draw(self) -> None:
        if self.chart is None:
            return
        m = self._current
        if m is None:
            self.chart.show_message("No measures", "This record has no lab results or vital signs.")
        elif not m.numeric:
            self.chart.show_message(m.name, "This measure has no numeric values to chart; its "
                                    "results are listed below.")
        else:
            self.chart.show_measure(m)
            results = self._results
            current = results.proxy.object_at(results.view.currentIndex()) if results else None
            if current is not None:
                self.chart.highlight(current.ref)

    # --- data ------------------------------------------------------------------------------
    def set_observations(self, observations: Sequence[Observation], sex: str = "") -> None:
        def band(o: Observation) -> Any:
            try:
                return services.reference_band(o, sex)
            except Exception:  # noqa: BLE001 - an interval table problem must not hide the results
                return None

        self.measures = build_measures(observations, band)
        self.measure_model.set_rows(self.measures)
        self.measure_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.measure_proxy.sort(-1)
        first = next((i for i, m in enumerate(self.measures) if len([p for s in m.series.values()
                                                                   for p in s.points]) > 1), 0)
        if self.measures:
            self._select_measure_row(self.measure_proxy.mapFromSource(
                self.measure_model.index(first, 0)).row())
        else:
            self._current = None
            if self._results is not None:
                self._results.set_entries([])
            self._draw()

    def _select_measure_row(self, row: int) -> None:
        index = self.measure_proxy.index(row, 0)
        self.measure_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.measure_view.scrollTo(index)

    def _measure_changed(self, current: Any, _previous: Any) -> None:
        m = self.measure_proxy.object_at(current)
        if m is None or m is self._current:
            return
        self._current = m
        if self._results is not None:  # else it is filled when built
            self._results.set_entries(m.observations)
        self._draw()

    def select_measure(self, name: str) -> bool:
        row = self.measure_proxy.proxy_row_of(lambda m: m.name == name)
        if row >= 0:
            self._select_measure_row(row)
        return row >= 0

    def select_ref(self, ref: str) -> bool:
        """Show the measure holding this observation and select it (citations and chart clicks)."""
        measure = next((m for m in self.measures
                        if any(o.ref == ref or o.id == ref for o in m.observations)), None)
        if measure is None:
            return False
        if measure is not self._current:
            self.filter.clear()
            self._select_measure_row(self.measure_proxy.proxy_row_of(lambda x: x is measure))
        return self.results.select_ref(ref)

    def _entry_selected(self, entry: Any) -> None:
        if self.chart is not None:
            self.chart.highlight(entry.ref)
        self.entry_selected.emit(entry)

    def current_measure(self) -> Measure | None:
        return self._current


def _abnormal(o: Observation) -> str:
    from .formatting import interpretation

    return "alert" if interpretation(o) not in ("", "Normal") else ""
