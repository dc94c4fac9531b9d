"""Undoable care-plan edits: one QUndoCommand per change of an item's field, an added, removed or moved item."""

from __future__ import annotations

import copy
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from .plan_data import PlanItem


class PlanTarget(Protocol):
    """What the commands change: the model's item operations, which notify the views."""

    def put_item(self, section: int, index: int, item: PlanItem) -> None: ...
    def insert_item(self, section: int, index: int, item: PlanItem) -> None: ...
    def take_item(self, section: int, index: int) -> PlanItem: ...
    def swap_items(self, section: int, index: int, other: int) -> None: ...


def clone(item: PlanItem) -> PlanItem:
    return PlanItem(item.text, list(item.citations), item.status, copy.deepcopy(item.extra))


class SetItem(QUndoCommand):
    """An item's text, target, interval or due date changed (with what that rewrote)."""

    def __init__(self, target: PlanTarget, section: int, index: int, before: PlanItem, after: PlanItem,
                 label: str) -> None:
        super().__init__(label)
        self.target, self.section, self.index = target, section, index
        self.before, self.after = clone(before), clone(after)

    def redo(self) -> None:
        self.target.put_item(self.section, self.index, clone(self.after))

    def undo(self) -> None:
        self.target.put_item(self.section, self.index, clone(self.before))


class AddItem(QUndoCommand):
    def __init__(self, target: PlanTarget, section: int, index: int, item: PlanItem) -> None:
        super().__init__("Add item")
        self.target, self.section, self.index, self.item = target, section, index, clone(item)

    def redo(self) -> None:
        self.target.insert_item(self.section, self.index, clone(self.item))

    def undo(self) -> None:
        self.target.take_item(self.section, self.index)


class RemoveItem(QUndoCommand):
    def __init__(self, target: PlanTarget, section: int, index: int, item: PlanItem) -> None:
        super().__init__("Remove item")
        self.target, self.section, self.index, self.item = target, section, index, clone(item)

    def redo(self) -> None:
        self.target.take_item(self.section, self.index)

    def undo(self) -> None:
        self.target.insert_item(self.section, self.index, clone(self.item))


class MoveItem(QUndoCommand):
    """An item moved one place up or down within its section (a swap with its neighbour)."""

    def __init__(self, target: PlanTarget, section: int, index: int, other: int) -> None:
        super().__init__("Move item up" if other < index else "Move item down")
        self.target, self.section, self.index, self.other = target, section, index, other

    def redo(self) -> None:
        self.target.swap_items(self.section, self.index, self.other)

    def undo(self) -> None:
        self.target.swap_items(self.section, self.index, self.other)
