"""Trend chart (pyqtgraph): one measure's series over time, its reference band, clickable points."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from assistant.clinical.units import display_unit
from assistant.clinical.values import format_value

from .formatting import obs_range
from .measures import Measure

pg.setConfigOptions(antialias=True, background="w", foreground="#344054")

SERIES_COLORS = ("#1f5fa8", "#c2410c", "#15803d", "#7c3aed", "#0e7490")
BAND_FILL = QColor(21, 128, 61, 34)
BAND_EDGE = QColor(21, 128, 61, 110)


class TrendChart(QWidget):
    """Emits `point_clicked(ref)` with the record entry behind the clicked point."""

    point_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.caption = QLabel()
        self.caption.setObjectName("hint")
        self.caption.setWordWrap(True)
        lay.addWidget(self.title)
        # enableMenu=False at construction: pyqtgraph otherwise builds its right-click menus (a
        # few dozen widgets, a third of the plot's cost) only for setMenuEnabled(False) to drop them.
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")},
                                  enableMenu=False)
        self.plot.setObjectName("trendPlot")
        # Horizontal grid lines only, to read values against. An axis draws its grid lines over the
        # whole plot, in the same cached picture as its labels: the date axis's vertical lines
        # made its first paint ~3x slower (~20 ms), for lines the dated points do not need.
        self.plot.showGrid(x=False, y=True, alpha=0.15)
        self.plot.setMinimumHeight(220)
        font = QFont()
        font.setPointSizeF(8.5)
        for axis in ("left", "bottom"):
            item = self.plot.getAxis(axis)
            item.setTickFont(font)
            # An axis replays its recorded labels on every repaint of the plot (~10 ms each, and
            # the plot repaints several times while its ranges settle, and on every hover); a
            # cached pixmap is redrawn only when the axis itself changes.
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="8.5pt")
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.caption)
        self._scatters: list[Any] = []
        self._selected: Any = None

    def show_measure(self, measure: Measure) -> None:
        self.plot.clear()
        self.legend.clear()
        self._scatters.clear()
        self._selected = None
        unit = measure.unit
        # One series is named by the title; a legend is only needed to tell several apart.
        self.legend.setVisible(sum(1 for s in measure.series.values() if s.points) > 1)
        shown = display_unit(unit)
        self.title.setText(f"{measure.name}" + (f"  ({shown})" if shown else ""))
        lows: list[float] = []
        highs: list[float] = []
        for i, series in enumerate(measure.series.values()):
            if not series.points:
                continue
            color = QColor(SERIES_COLORS[i % len(SERIES_COLORS)])
            xs = [p.t for p in series.points]
            ys = [p.value for p in series.points]
            lows.append(min(ys))
            highs.append(max(ys))
            self.plot.plot(xs, ys, pen=pg.mkPen(color, width=2))
            scatter = pg.ScatterPlotItem(
                xs, ys, data=[p.ref for p in series.points], size=9, brush=pg.mkBrush(color),
                pen=pg.mkPen("w", width=1), hoverable=True, hoverSize=12, name=series.name,
                tip=lambda x, y, data, s=series: format_value(y, s.unit, s.code))
            scatter.sigClicked.connect(self._clicked)
            self.plot.addItem(scatter)
            self._scatters.append(scatter)
        if measure.low is not None or measure.high is not None:
            low = measure.low if measure.low is not None else min([*lows, 0.0])
            high = measure.high if measure.high is not None else max(highs or [low]) * 1.1
            band = pg.LinearRegionItem((low, high), orientation="horizontal", movable=False,
                                       brush=pg.mkBrush(BAND_FILL), pen=pg.mkPen(BAND_EDGE))
            band.setZValue(-10)
            self.plot.addItem(band)
            lows.append(low)
            highs.append(high)
            src = "from the record" if measure.range_source == "record" else measure.range_source
            self.caption.setText(f"Green band: reference range "
                                 f"{obs_range(measure.low, measure.high, unit, measure.latest.code.code)}"
                                 f" ({src}). Click a point to open its entry.")
        else:
            self.caption.setText("No reference range is recorded for this measure. Click a point to "
                                 "open its entry.")
        if lows:
            pad = (max(highs) - min(lows)) * 0.12 or abs(max(highs)) * 0.1 or 1.0
            self.plot.setYRange(min(lows) - pad, max(highs) + pad, padding=0)
        self.plot.enableAutoRange(axis="x")

    def show_message(self, title: str, text: str) -> None:
        self.plot.clear()
        self.legend.clear()
        self._scatters.clear()
        self.title.setText(title)
        self.caption.setText(text)

    def _clicked(self, scatter: Any, points: Any, *_: Any) -> None:
        if len(points):
            self.point_clicked.emit(str(points[0].data()))

    def highlight(self, ref: str) -> None:
        """Ring the point(s) of this entry, e.g. when its row is selected in the table."""
        if self._selected is not None:
            self.plot.removeItem(self._selected)
            self._selected = None
        xs, ys = [], []
        for scatter in self._scatters:
            for p in scatter.points():
                if p.data() == ref:
                    xs.append(p.pos().x())
                    ys.append(p.pos().y())
        if xs:
            self._selected = pg.ScatterPlotItem(xs, ys, size=17, brush=None,
                                                pen=QPen(QColor("#101828"), 2), pxMode=True)
            self._selected.setZValue(10)
            self.plot.addItem(self._selected)

    def point_positions(self) -> list[tuple[str, Any]]:
        """(ref, position in widget pixels) for each point: lets tests click a real point."""
        out = []
        vb = self.plot.getPlotItem().getViewBox()
        for scatter in self._scatters:
            for p in scatter.points():
                scene = vb.mapViewToScene(p.pos())
                out.append((p.data(), self.plot.mapFromScene(scene)))
        return out



_spare: TrendChart | None = None


def prepare_spare(owner: QWidget) -> None:
    """Make one chart ahead of need, hidden under `owner`, for the first Labs tab to take.

    A plot costs ~20-40 ms to make (pyqtgraph builds a settings form for its menu even when the
    menu is off): better while the sign-in page waits than in the turn a Labs tab is opened.
    """
    global _spare
    if _spare is None or not shiboken6.isValid(_spare):
        _spare = TrendChart(owner)
        _spare.hide()


def take() -> TrendChart:
    """The spare chart if there is one (its owner may have been closed), else a new one."""
    global _spare
    chart, _spare = _spare, None
    if chart is not None and shiboken6.isValid(chart):
        return chart
    return TrendChart()
