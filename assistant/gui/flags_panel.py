"""Risk flags, most severe first; each card expands to its evidence, explanation, missing inputs and source."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from assistant.clinical.rules.base import Flag

SEVERITY_LABEL = {"critical": "CRITICAL", "high": "HIGH", "moderate": "MODERATE", "info": "INFO"}


class _ClickLabel(QLabel):
    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt name
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class FlagCard(QFrame):
    cite = Signal(str)

    def __init__(self, flag: Flag, label_for: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flag = flag
        self.setObjectName("flagCard")
        self.setProperty("severity", flag.severity)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(4)
        head = QHBoxLayout()
        chip = QLabel(SEVERITY_LABEL.get(flag.severity, flag.severity.upper()))
        chip.setObjectName("severity")
        chip.setProperty("severity", flag.severity)
        chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        head.addWidget(chip, 0, Qt.AlignmentFlag.AlignTop)
        self.toggle = QToolButton()
        self.toggle.setObjectName("flagToggle")
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Show the evidence, explanation and reference")
        head.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        # The title is a wrapping label (a button would elide a long title); clicking it toggles too.
        self.title = _ClickLabel(flag.title)
        self.title.setObjectName("flagTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.clicked.connect(self.toggle.toggle)
        head.addWidget(self.title, 1)
        if flag.category:
            cat = QLabel(flag.category)
            cat.setObjectName("hint")
            head.addWidget(cat, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(head)
        self.body = QLabel(self._body_html(label_for))
        self.body.setObjectName("flagBody")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.body.setOpenExternalLinks(False)
        self.body.linkActivated.connect(self._link)
        self.body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.body.setVisible(False)
        lay.addWidget(self.body)
        self.toggle.toggled.connect(self.set_expanded)

    def _body_html(self, label_for: Callable[[str], str]) -> str:
        f = self.flag
        parts = []
        if f.explanation:
            parts.append(f"<p>{escape(f.explanation)}</p>")
        if f.evidence:
            items = "".join(f"<li><a href='cite:{escape(r)}'>{escape(label_for(r))}</a></li>"
                            for r in f.evidence)
            parts.append(f"<p style='margin-bottom:0'><b>Evidence</b></p><ul style='margin-top:0'>{items}</ul>")
        if f.missing:
            parts.append("<p><b>Missing inputs:</b> " + escape(", ".join(f.missing)) + "</p>")
        if f.reference:
            parts.append(f"<p style='color:#475467'><b>Reference:</b> {escape(f.reference)}</p>")
        return "".join(parts) or "<p>No further detail.</p>"

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.blockSignals(True)
        self.toggle.setChecked(expanded)
        self.toggle.blockSignals(False)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    def _link(self, href: str) -> None:
        if href.startswith("cite:"):
            self.cite.emit(href[5:])


class FlagsPanel(QWidget):
    """`cite(ref)` when an evidence link is clicked."""

    cite = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        title = QLabel("Risk flags")
        title.setObjectName("sectionTitle")
        self.count = QLabel("")
        self.count.setObjectName("hint")
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.count)
        lay.addLayout(head)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.inner = QWidget()
        self.inner.setObjectName("flagsInner")
        self.list = QVBoxLayout(self.inner)
        self.list.setContentsMargins(0, 0, 4, 0)
        self.list.setSpacing(6)
        self.list.addStretch(1)
        self.scroller.setWidget(self.inner)
        lay.addWidget(self.scroller, 1)
        # Which knowledge pack the flags came from, as the PDF footers name it.
        self.knowledge = QLabel("")
        self.knowledge.setObjectName("hint")
        self.knowledge.hide()
        lay.addWidget(self.knowledge)
        self.cards: list[FlagCard] = []
        self.set_message("Evaluating risk flags…")

    def _clear(self) -> None:
        while self.list.count() > 1:
            item = self.list.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.cards = []

    def set_message(self, text: str) -> None:
        self._clear()
        label = QLabel(text)
        label.setObjectName("hint")
        label.setWordWrap(True)
        self.list.insertWidget(0, label)
        self.count.setText("")

    def set_flags(self, flags: Sequence[Flag], label_for: Callable[[str], str], knowledge: str = "") -> None:
        self._clear()
        self.knowledge.setText(f"Knowledge: {knowledge}")
        self.knowledge.setVisible(bool(knowledge))
        if not flags:
            self.set_message("No risk flags for this record. Flags cover only the rules the app "
                             "knows; absence is not clearance.")
            return
        for i, f in enumerate(flags):
            card = FlagCard(f, label_for)
            card.cite.connect(self.cite)
            self.list.insertWidget(i, card)
            self.cards.append(card)
        n_sev = sum(1 for f in flags if f.severity in ("critical", "high"))
        self.count.setText(f"{len(flags)} flag{'s' if len(flags) != 1 else ''}"
                           + (f", {n_sev} high or critical" if n_sev else ""))
        # The most severe flag opens by itself: what is dangerous now should not need a click.
        if flags[0].severity in ("critical", "high"):
            self.cards[0].set_expanded(True)
