"""Editing widgets for a care plan: one box per section, one growing text field per cited item."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .plan_data import PlanItem, PlanSection

# The core's deterministic assessment of a goal or monitoring item, in words.
STATES = {"at-target": "at target", "above-target": "above target", "below-target": "below target",
          "missing": "no result on record", "due": "due now", "overdue": "overdue",
          "up-to-date": "up to date"}
STATUS_NOTE = {"unverified": "Unverified: check against the chart before signing",
               "deterministic": "", "verified": "", "edited": "Edited by you"}


class _GrowingEdit(QTextEdit):
    """Plain text that grows with its content, so a plan reads like a document, not a grid of boxes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.setAcceptRichText(False)
        self.setPlainText(text)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(lambda _s: self.updateGeometry())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        h = int(self.document().size().height()) + 2 * self.frameWidth() + 6
        return QSize(200, max(h, self.fontMetrics().lineSpacing() + 14))

    def resizeEvent(self, event: object) -> None:  # noqa: N802
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.document().setTextWidth(self.viewport().width())
        self.setFixedHeight(self.sizeHint().height())


class ItemEditor(QWidget):
    changed = Signal()
    cite = Signal(str)
    removed = Signal(object)

    def __init__(self, item: PlanItem, label_for: Callable[[str], str], editable: bool) -> None:
        super().__init__()
        self.item = item
        self._original = item.text
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        col = QVBoxLayout()
        col.setSpacing(1)
        self.edit = _GrowingEdit(item.text)
        self.edit.setObjectName("planItem")
        self.edit.setReadOnly(not editable)
        if item.status == "unverified":
            self.edit.setStyleSheet("QTextEdit { background: #fff7e0; border-color: #e0b43a; }")
        col.addWidget(self.edit)
        notes = []
        facts = [f"{label}: {escape(str(item.extra[k]))}" for k, label in
                 (("target", "target"), ("latest", "latest"), ("interval", "when")) if item.extra.get(k)]
        if item.extra.get("state") in STATES:
            facts.append(f"<b>{STATES[item.extra['state']]}</b>")
        if facts:
            notes.append(" · ".join(facts))
        if item.extra.get("source"):
            notes.append(f"<i>{escape(str(item.extra['source']))}</i>")
        if item.citations:
            notes.append("Sources: " + "; ".join(
                f"<a href='cite:{escape(r)}'>{escape(label_for(r))}</a>" for r in item.citations))
        if STATUS_NOTE.get(item.status):
            issues = item.extra.get("issues") or []
            why = f" (not in the record: {', '.join(map(str, issues))})" if issues else ""
            notes.append(f"<span style='color:#8a5a00'>{escape(STATUS_NOTE[item.status] + why)}</span>")
        self.meta = QLabel(" · ".join(notes))
        self.meta.setObjectName("hint")
        self.meta.setWordWrap(True)
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        self.meta.linkActivated.connect(lambda href: self.cite.emit(href[5:]))
        self.meta.setVisible(bool(notes))
        col.addWidget(self.meta)
        lay.addLayout(col, 1)
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip("Remove this item")
        self.remove.setVisible(editable)
        self.remove.clicked.connect(lambda: self.removed.emit(self))
        lay.addWidget(self.remove, 0, Qt.AlignmentFlag.AlignTop)
        self.edit.textChanged.connect(self.changed)

    def value(self) -> PlanItem:
        text = self.edit.toPlainText().strip()
        status = self.item.status
        if text != self._original.strip():
            status = "edited"  # the clinician's words now; the verifier's verdict no longer applies
        return PlanItem(text, list(self.item.citations), status, dict(self.item.extra))


class SectionEditor(QGroupBox):
    changed = Signal()
    cite = Signal(str)

    def __init__(self, section: PlanSection, label_for: Callable[[str], str], editable: bool) -> None:
        super().__init__(section.title)
        self.section = section
        self.label_for = label_for
        self.editable = editable
        self.setObjectName(f"section_{section.key}")
        lay = QVBoxLayout(self)
        lay.setSpacing(6)
        self.items_layout = QVBoxLayout()
        self.items_layout.setSpacing(6)
        lay.addLayout(self.items_layout)
        self.items: list[ItemEditor] = []
        for item in section.items:
            self._add(item)
        self.add_button = QPushButton("+ Add item")
        self.add_button.setObjectName("addItem")
        self.add_button.setVisible(editable)
        self.add_button.clicked.connect(self.add_empty)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        lay.addLayout(row)
        if not section.items and not editable:
            lay.addWidget(QLabel("(nothing in this section)"))

    def _add(self, item: PlanItem) -> ItemEditor:
        editor = ItemEditor(item, self.label_for, self.editable)
        editor.changed.connect(self.changed)
        editor.cite.connect(self.cite)
        editor.removed.connect(self._remove)
        self.items_layout.addWidget(editor)
        self.items.append(editor)
        return editor

    def add_empty(self) -> ItemEditor:
        editor = self._add(PlanItem("", [], "edited"))
        editor.edit.setFocus()
        self.changed.emit()
        return editor

    def _remove(self, editor: ItemEditor) -> None:
        self.items.remove(editor)
        editor.setParent(None)
        editor.deleteLater()
        self.changed.emit()

    def value(self) -> PlanSection:
        return PlanSection(self.section.key, self.section.title, [e.value() for e in self.items],
                           dict(self.section.extra))


class PlanEditor(QScrollArea):
    """All sections of one plan version; `changed` on any edit."""

    changed = Signal()
    cite = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.sections: list[SectionEditor] = []
        self._inner = QWidget()
        self.setWidget(self._inner)

    def load(self, sections: list[PlanSection], label_for: Callable[[str], str], editable: bool) -> None:
        inner = QWidget()
        inner.setObjectName("planInner")
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(4, 0, 8, 8)
        self.sections = []
        for s in sections:
            editor = SectionEditor(s, label_for, editable)
            editor.changed.connect(self.changed)
            editor.cite.connect(self.cite)
            lay.addWidget(editor)
            self.sections.append(editor)
        lay.addStretch(1)
        self.setWidget(inner)  # the old page is deleted with its editors
        self._inner = inner

    def value(self) -> list[PlanSection]:
        return [s.value() for s in self.sections]
