"""The care-plan editor's item model: a header row per section, then its items; every edit is an undoable command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QUndoStack

from .plan_data import PlanItem, PlanSection
from .plan_timing import due_after, redate, retarget, retime, stated_due
from .plan_undo import AddItem, MoveItem, RemoveItem, SetItem, clone

Index = QModelIndex | QPersistentModelIndex

# The core's deterministic assessment of a goal or monitoring item, in words.
STATES = {"at-target": "at target", "above-target": "above target", "below-target": "below target",
          "missing": "no result on record", "due": "due now", "overdue": "overdue",
          "due-soon": "due soon", "up-to-date": "up to date", "urgent": "urgent"}
STATUS_NOTE = {"unverified": "Model text NOT checked against the record: delete or rewrite it before signing",
               "edited": "Edited by you", "deterministic": "Built from the record and templates",
               "verified": "Written by the model and checked against the record"}
# Plan item, target and timing are the plan's words and the clinician's to change; the details
# (latest value, assessment) and sources are the record's and open it.
COLUMNS = ("Plan item", "Target", "When", "Next due", "Details", "Sources")
TEXT, TARGET, WHEN, DUE, DETAILS, SOURCES = range(len(COLUMNS))
EDITABLE = (TEXT, TARGET, WHEN, DUE)
COLUMN_TIPS = ("The item as it will be signed", "The goal's target value",
               "How often or by when (editing it rewrites the text that states it)",
               "The next due date (editing it rewrites the text that states it)",
               "From the record: latest value and assessment (the guideline in the tooltip)", "The record entries the item rests on")
# Items that state the same timing in other words (the drafter writes one from the other).
LINKED = {"followup:next": "patient:followup", "patient:followup": "followup:next"}
SECTION_BG = QColor("#e8eef6")
UNVERIFIED_BG = QColor("#fff4d6")


def item_details(item: PlanItem) -> str:
    parts = ["UNCHECKED model text: delete or rewrite it to sign"] if item.status == "unverified" else []
    if item.extra.get("latest"):
        parts.append(f"Latest: {item.extra['latest']}")
    if item.extra.get("state") in STATES:
        parts.append(STATES[item.extra["state"]].capitalize())
    if item.status == "unverified" and item.extra.get("issues"):
        parts.append("Not in the record: " + ", ".join(map(str, item.extra["issues"])))
    return "\n".join(parts)


def due_of(item: PlanItem) -> str:
    return str(item.extra.get("due") or "") or stated_due(item.text)


class PlanModel(QAbstractTableModel):
    """Only drafts are editable; each change goes through `undo_stack` (Ctrl+Z / Ctrl+Shift+Z)."""

    edited = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.sections: list[PlanSection] = []
        self.rows: list[tuple[int, int]] = []  # (section, item); item -1 is the section's header
        self.editable = False
        self.as_of = ""  # the plan's date, against which an edited due date is judged
        self.label_for: Callable[[str], str] = str
        self.undo_stack = QUndoStack(self)
        self.undo_stack.indexChanged.connect(self._history_moved)

    def _history_moved(self, _index: int) -> None:
        self.edited.emit()

    def load(self, sections: list[PlanSection], label_for: Callable[[str], str], editable: bool,
             as_of: str = "") -> None:
        self.beginResetModel()
        self.sections = [replace(s, items=[clone(i) for i in s.items], extra=dict(s.extra)) for s in sections]
        self.label_for, self.editable, self.as_of = label_for, editable, as_of
        self._rebuild()
        self.endResetModel()
        self.undo_stack.clear()  # history is per loaded version: a signed one has none to undo

    def _rebuild(self) -> None:
        self.rows = []
        for si, s in enumerate(self.sections):
            self.rows.append((si, -1))
            self.rows.extend((si, ii) for ii in range(len(s.items)))

    def item_at(self, row: int) -> PlanItem | None:
        si, ii = self.rows[row]
        return None if ii < 0 else self.sections[si].items[ii]

    def section_of(self, row: int) -> int:
        return self.rows[row][0] if 0 <= row < len(self.rows) else -1

    def is_header(self, row: int) -> bool:
        return self.rows[row][1] < 0

    def row_of(self, section: int, index: int) -> int:
        return self.rows.index((section, index))

    # --- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return COLUMN_TIPS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and index.column() in EDITABLE and not self.is_header(index.row()):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        si, ii = self.rows[index.row()]
        col = index.column()
        if ii < 0:  # section header
            return self._header_data(si, col, role)
        item = self.sections[si].items[ii]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(item, col)
        if role == Qt.ItemDataRole.BackgroundRole and item.status == "unverified":
            return QBrush(UNVERIFIED_BG)
        if role == Qt.ItemDataRole.ForegroundRole and col == SOURCES:
            return QBrush(QColor("#1f5fa8"))
        if role == Qt.ItemDataRole.FontRole and item.status == "edited" and col == TEXT:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == SOURCES and item.citations:
                return "Click to open the record entry this item rests on"
            if col == DETAILS and item.extra.get("source"):  # the guideline, kept out of the row's height
                return "\n".join(filter(None, (item_details(item), f"Source: {item.extra['source']}")))
            return STATUS_NOTE.get(item.status, "") if col == TEXT else self._text(item, col) or COLUMN_TIPS[col]
        return None

    def _header_data(self, si: int, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and col == 0:
            n = len(self.sections[si].items)
            return f"{self.sections[si].title}  ({n} item{'s' if n != 1 else ''})"
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(SECTION_BG)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, item: PlanItem, col: int) -> str:
        if col == TEXT:
            return item.text
        if col == TARGET:
            return str(item.extra.get("target") or "")
        if col == WHEN:
            return str(item.extra.get("interval") or "")
        if col == DUE:
            return due_of(item)
        if col == DETAILS:
            return item_details(item)
        return "\n".join(self.label_for(r) for r in item.citations)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        si, ii = self.rows[index.row()]
        col = index.column()
        before = self.sections[si].items[ii]
        after = self.edited_item(before, col, str(value).strip())
        if after is None:
            return False
        label = f"Edit {COLUMNS[col].lower()}"
        # The same target or timing stated in another item (the patient's section repeats the goals
        # and the next check-up) changes with it: one plan, one statement of each.
        linked = [(s, i, it, self.edited_item(it, col, str(value).strip())) for s, i, it in self._linked(before)] \
            if col in (TARGET, WHEN, DUE) else []
        linked = [x for x in linked if x[3] is not None]
        self.undo_stack.beginMacro(label)
        self.undo_stack.push(SetItem(self, si, ii, before, after, label))
        for s, i, it, changed in linked:
            assert changed is not None
            self.undo_stack.push(SetItem(self, s, i, it, changed, label))
        self.undo_stack.endMacro()
        return True

    def _linked(self, item: PlanItem) -> list[tuple[int, int, PlanItem]]:
        key = str(item.extra.get("key") or "")
        if not key:
            return []
        pair = LINKED.get(key) or (f"patient:{key}" if key.startswith("goal:") else "") \
            or (key.removeprefix("patient:") if key.startswith("patient:goal:") else "")
        return [(s, i, it) for s, sec in enumerate(self.sections) for i, it in enumerate(sec.items)
                if pair and it.extra.get("key") == pair]

    def edited_item(self, item: PlanItem, col: int, value: str) -> PlanItem | None:
        """The item after setting column `col` to `value`, with the text kept true to its timing;
        None when nothing changes or the value cannot be taken."""
        new = clone(item)
        if col == TEXT:
            new.text = value
            due = stated_due(value)
            if due and item.extra.get("due"):
                new.extra["due"] = due  # the text now says when: the field follows it
        elif col == TARGET:
            old = str(item.extra.get("target") or "")
            if not value and old and old in item.text:
                return None
            new.text = retarget(item.text, old, value)
            _set(new.extra, "target", value)
        elif col == WHEN:
            old = str(item.extra.get("interval") or "")
            if value == old or (not value and old and old.lower() in item.text.lower()):
                return None  # the text states the interval: change it, do not leave the text alone
            new.text = retime(item.text, old, value)
            _set(new.extra, "interval", value)
            due = due_after(new.text, value)  # the date the text states follows the new interval
            if due:
                self._redate(new, due)
        elif col == DUE:
            if not value or value == due_of(item):
                return None
            self._redate(new, value)
        if new.text == item.text and new.extra == item.extra:
            return None
        # The clinician's words now: the verifier's verdict about the old text no longer applies.
        new.status = "edited"
        new.extra.pop("issues", None)
        return new

    def _redate(self, item: PlanItem, due: str) -> None:
        old_state = item.extra.get("state")
        item.text, state = redate(item.text, due, self.as_of)
        item.extra["due"] = due
        if old_state in (None, "", "due", "overdue", "due-soon", "up-to-date"):
            # "Due now" for a test never done is no longer true once a date is set; a later date
            # is "up to date" only for a test with a result.
            _set(item.extra, "state", "" if state == "up-to-date" and old_state == "due" else state)

    # --- what the commands call ------------------------------------------------------------------
    def put_item(self, section: int, index: int, item: PlanItem) -> None:
        self.sections[section].items[index] = item
        row = self.row_of(section, index)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def insert_item(self, section: int, index: int, item: PlanItem) -> None:
        row = self.row_of(section, -1) + 1 + index
        self.beginInsertRows(QModelIndex(), row, row)
        self.sections[section].items.insert(index, item)
        self._rebuild()
        self.endInsertRows()
        self._header_changed(section)

    def take_item(self, section: int, index: int) -> PlanItem:
        row = self.row_of(section, index)
        self.beginRemoveRows(QModelIndex(), row, row)
        item = self.sections[section].items.pop(index)
        self._rebuild()
        self.endRemoveRows()
        self._header_changed(section)
        return item

    def swap_items(self, section: int, index: int, other: int) -> None:
        items = self.sections[section].items
        items[index], items[other] = items[other], items[index]
        first, last = sorted((self.row_of(section, index), self.row_of(section, other)))
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _header_changed(self, section: int) -> None:
        row = self.row_of(section, -1)
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    # --- structure edits (undoable) --------------------------------------------------------------
    def add_item(self, section: int, text: str = "", at: int | None = None) -> int:
        """Insert an item into a section (at its end by default); returns its row, or -1."""
        if not self.editable or not 0 <= section < len(self.sections):
            return -1
        n = len(self.sections[section].items)
        at = n if at is None else max(0, min(at, n))
        self.undo_stack.push(AddItem(self, section, at, PlanItem(text, [], "edited")))
        return self.row_of(section, at)

    def remove_item(self, row: int) -> bool:
        if not self.editable or not 0 <= row < len(self.rows) or self.is_header(row):
            return False
        si, ii = self.rows[row]
        self.undo_stack.push(RemoveItem(self, si, ii, self.sections[si].items[ii]))
        return True

    def move_item(self, row: int, delta: int) -> int:
        """Move an item up (-1) or down (+1) within its section; returns its new row, or -1."""
        if not self.editable or not 0 <= row < len(self.rows) or self.is_header(row):
            return -1
        si, ii = self.rows[row]
        other = ii + delta
        if not 0 <= other < len(self.sections[si].items):
            return -1
        self.undo_stack.push(MoveItem(self, si, ii, other))
        return self.row_of(si, other)

    def value(self) -> list[PlanSection]:
        """The sections as edited; empty items are dropped."""
        return [replace(s, items=[clone(i) for i in s.items if i.text.strip()]) for s in self.sections]


def _set(extra: dict[str, Any], key: str, value: str) -> None:
    if value:
        extra[key] = value
    else:
        extra.pop(key, None)
