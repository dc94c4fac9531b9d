"""Care-plan editor: every column incl. timing edits, undo/redo of each kind, add/remove/reorder, store round trip, signing."""

from __future__ import annotations

import pytest
from gui_support import PASSWORD
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QLineEdit
from test_gui_careplan import draft, first_item_row, type_into

from assistant.gui.plan_model import DUE, SOURCES, TARGET, TEXT, WHEN, due_of


def timed_row(editor) -> int:
    """A monitoring item whose text states its interval."""
    plan = editor.plan
    for row in range(plan.rowCount()):
        item = plan.item_at(row)
        if item is not None and item.extra.get("interval") and item.extra["interval"] in item.text \
                and item.extra.get("key", "").startswith("monitor:"):
            return row
    pytest.skip("the draft has no monitoring item that states its interval")


def cell(editor, row: int, col: int) -> str:
    return str(editor.plan.index(row, col).data())


def edit_cell(qtbot, editor, row: int, col: int) -> QLineEdit | QDateEdit:
    """Open a cell's editor the way a user does (select it, F2) and return the field."""
    editor.window().activateWindow()
    qtbot.waitUntil(editor.window().isActiveWindow, timeout=5000)
    index = editor.plan.index(row, col)
    editor.scrollTo(index)
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=editor.visualRect(index).center())
    qtbot.keyClick(editor, Qt.Key.Key_F2)
    kind = QDateEdit if col == DUE else QLineEdit
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), kind)
                    or isinstance(QApplication.focusWidget().parent(), kind), timeout=3000)
    field = QApplication.focusWidget()
    return field if isinstance(field, kind) else field.parent()


def stored_plan(qtbot, window, doc_id: str) -> dict:
    got: list = []
    window.ctx.db.submit(lambda s: s.documents.get(doc_id).data, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    return got[0]


def test_every_column_incl_timing_edits_and_the_text_follows(qtbot, signed_in, gui):
    window = signed_in
    view = gui.open_patient(window, "Beatriz")
    plan = draft(qtbot, view)
    editor = plan.editor
    row = timed_row(editor)
    item = editor.plan.item_at(row)
    old_interval = item.extra["interval"]
    # The interval, typed into its cell: the sentence that states it changes with it.
    field = edit_cell(qtbot, editor, row, WHEN)
    field.selectAll()
    qtbot.keyClicks(field, "every 6 weeks")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    item = editor.plan.item_at(row)
    assert cell(editor, row, WHEN) == "every 6 weeks"
    assert "every 6 weeks" in item.text and old_interval not in item.text and item.status == "edited"
    # The next-due date, picked in its date field: the text states the new date, not the old.
    field = edit_cell(qtbot, editor, row, DUE)
    field.setDate(QDate(2031, 3, 14))
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    item = editor.plan.item_at(row)
    assert cell(editor, row, DUE) == "2031-03-14" and "next due 2031-03-14" in item.text
    assert item.text.count("next due") == 1
    # The target, and the text itself.
    field = edit_cell(qtbot, editor, row, TARGET)
    field.selectAll()
    qtbot.keyClicks(field, "< 5.0 mmol/L")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert cell(editor, row, TARGET) == "< 5.0 mmol/L"
    text_row = first_item_row(editor)
    type_into(qtbot, editor, text_row, "Reviewed with the patient.")
    assert cell(editor, text_row, TEXT) == "Reviewed with the patient."
    # The record's own columns are not the plan's words: they do not edit.
    for col in range(SOURCES - 1, SOURCES + 1):
        assert not editor.plan.flags(editor.plan.index(row, col)) & Qt.ItemFlag.ItemIsEditable
    # Saved and read back from the store: every edit is there, and the changed items are "edited".
    doc_id = plan.doc.id
    with qtbot.waitSignal(plan.version_model.modelReset, timeout=10000):
        plan.save.click()
    qtbot.waitUntil(lambda: not plan.dirty, timeout=5000)
    stored = [i for s in stored_plan(qtbot, window, doc_id)["sections"] for i in s["items"]]
    timed = next(i for i in stored if i.get("due") == "2031-03-14")
    assert timed["interval"] == "every 6 weeks" and timed["target"] == "< 5.0 mmol/L"
    assert "every 6 weeks" in timed["text"] and "next due 2031-03-14" in timed["text"]
    assert timed["status"] == "edited"
    assert any(i["text"] == "Reviewed with the patient." and i["status"] == "edited" for i in stored)
    plan.load()  # the tab reads the plan from the store again
    qtbot.waitUntil(lambda: any(due_of(i) == "2031-03-14" for s in plan.editor.plan.sections for i in s.items),
                    timeout=5000)


def test_a_timing_only_change_is_marked_edited_by_the_core():
    """A client that changes a field but not the text (the CLI's JSON, say) still gets "edited":
    what is signed changed, so the item is no longer the drafted one."""
    from assistant.assist.careplan.document import CarePlanDocument, Item, Section, mark_edits

    item = Item(text="Potassium: yearly.", kind="monitoring", status="deterministic", interval="yearly",
                key="monitor:k")
    before = CarePlanDocument("p1", "Plan", "2026-01-01", sections=(Section("monitoring", "Monitoring", (item,)),))
    for change in ({"interval": "every 3 months"}, {"target": "< 5.0 mmol/L"}, {"due": "2027-01-01"}):
        changed = Item(**{**item.__dict__, **change})
        after = mark_edits(before, CarePlanDocument("p1", "Plan", "2026-01-01",
                                                    sections=(Section("monitoring", "Monitoring", (changed,)),)))
        assert after.sections[0].items[0].status == "edited", change
    same = mark_edits(before, before)
    assert same.sections[0].items[0].status == "deterministic"


def test_a_goal_target_edit_changes_the_patient_section_too(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    plan = draft(qtbot, view)
    model = plan.editor.plan
    goal = next(r for r in range(model.rowCount()) if (i := model.item_at(r)) is not None
                and str(i.extra.get("key", "")).startswith("goal:") and i.extra.get("target", "").startswith("<"))
    key = model.item_at(goal).extra["key"]
    patient = next(r for r in range(model.rowCount()) if (i := model.item_at(r)) is not None
                   and i.extra.get("key") == f"patient:{key}")
    assert model.setData(model.index(goal, TARGET), "< 90 mg/dL")
    assert "target < 90 mg/dL" in model.item_at(goal).text
    assert "below 90 mg/dL" in model.item_at(patient).text and model.item_at(patient).extra["target"] == "< 90 mg/dL"
    model.undo_stack.undo()  # one edit, one undo: both items back
    assert "below 90" not in model.item_at(patient).text and "< 90" not in model.item_at(goal).text


def test_undo_and_redo_every_kind_of_edit(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    plan = draft(qtbot, view)
    editor, model = plan.editor, plan.editor.plan
    bar = plan.edit_bar
    row = timed_row(editor)
    section = model.section_of(row)
    before = [[(i.text, dict(i.extra), i.status) for i in s.items] for s in model.sections]
    assert not bar.undo.isEnabled() and not bar.redo.isEnabled() and not plan.dirty
    snapshots = [before]

    def snap() -> None:
        snapshots.append([[(i.text, dict(i.extra), i.status) for i in s.items] for s in model.sections])

    assert model.setData(model.index(row, TEXT), "Potassium again soon.")
    snap()
    assert model.setData(model.index(row, TARGET), "< 5.5 mmol/L")
    snap()
    assert model.setData(model.index(row, WHEN), "every 2 weeks")
    snap()
    assert model.setData(model.index(row, DUE), "2030-01-01")
    snap()
    editor.setCurrentIndex(model.index(row, TEXT))
    assert editor.add_item(section) > 0
    snap()
    editor.setCurrentIndex(model.index(model.row_of(section, 0), TEXT))
    assert editor.move_current(1)
    snap()
    assert editor.remove_current()
    snap()
    assert model.undo_stack.count() == 7 and plan.dirty and bar.undo.isEnabled()
    # Undo each with the toolbar: the plan goes back through every state to the draft as loaded.
    for expected in reversed(snapshots[:-1]):
        qtbot.mouseClick(bar.undo, Qt.MouseButton.LeftButton)
        assert [[(i.text, dict(i.extra), i.status) for i in s.items] for s in model.sections] == expected
    assert not plan.dirty and not bar.undo.isEnabled() and bar.redo.isEnabled()
    # Redo each with the keys (Ctrl+Shift+Z), undo one with Ctrl+Z.
    editor.setFocus()
    for expected in snapshots[1:]:
        qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert [[(i.text, dict(i.extra), i.status) for i in s.items] for s in model.sections] == expected
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [[(i.text, dict(i.extra), i.status) for i in s.items] for s in model.sections] == snapshots[-2]


def test_add_remove_reorder_with_buttons_and_keys_within_a_section(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    plan = draft(qtbot, view)
    editor, model, bar = plan.editor, plan.editor.plan, plan.edit_bar
    section = next(n for n, s in enumerate(model.sections) if len(s.items) >= 2)
    texts = [i.text for i in model.sections[section].items]
    first = model.row_of(section, 0)
    editor.setFocus()
    editor.setCurrentIndex(model.index(first, TEXT))
    # Ctrl+Down / the Down button move the item; it stays selected; it never leaves its section.
    qtbot.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert [i.text for i in model.sections[section].items][:2] == [texts[1], texts[0]]
    assert editor.currentIndex().row() == first + 1
    qtbot.mouseClick(bar.move_up, Qt.MouseButton.LeftButton)
    assert [i.text for i in model.sections[section].items] == texts
    assert not editor.move_current(-1)  # the first item of a section goes no higher
    last = model.row_of(section, len(texts) - 1)
    editor.setCurrentIndex(model.index(last, TEXT))
    assert not editor.move_current(1) and model.section_of(last) == section
    # Insert adds an empty item below the selected one and opens it for typing; Delete removes it.
    editor.setCurrentIndex(model.index(first, TEXT))
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Insert)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert [i.text for i in model.sections[section].items] == [texts[0], "", *texts[1:]]
    editor.setFocus()
    editor.setCurrentIndex(model.index(first + 1, TEXT))
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert [i.text for i in model.sections[section].items] == texts
    # The buttons do the same.
    editor.setCurrentIndex(model.index(first, TEXT))
    qtbot.mouseClick(bar.add_item, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(QApplication.focusWidget(), "Walk 30 minutes a day.")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert model.sections[section].items[1].text == "Walk 30 minutes a day."
    editor.setCurrentIndex(model.index(first + 1, TEXT))
    qtbot.mouseClick(bar.remove_item, Qt.MouseButton.LeftButton)
    assert [i.text for i in model.sections[section].items] == texts


def test_sign_after_timing_edits_then_read_only(qtbot, signed_in, gui):
    window = signed_in
    view = gui.open_patient(window, "Beatriz")
    plan = draft(qtbot, view)
    editor, model = plan.editor, plan.editor.plan
    row = timed_row(editor)
    assert model.setData(model.index(row, WHEN), "every 4 weeks")
    plan.sign.click()  # saves first, then shows what is signed
    qtbot.waitUntil(lambda: plan.sign_dialog is not None and plan.sign_dialog.isVisible(), timeout=10000)
    dialog = plan.sign_dialog
    assert "When: every 4 weeks" in dialog.content.toPlainText()
    dialog.password.setText("wrong-password-1")
    assert not dialog.sign_button.isEnabled()  # not without confirming what is shown
    qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.confirm.height() // 2))
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "wrong password" in dialog.error.text(), timeout=10000)
    assert plan.doc.status == "draft" and dialog.isVisible()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: plan.doc.status == "signed", timeout=10000)
    signed = [i for s in stored_plan(qtbot, window, plan.doc.id)["sections"] for i in s["items"]]
    assert any(i.get("interval") == "every 4 weeks" and "every 4 weeks" in i["text"] for i in signed)
    # Read-only: no cell edits, no structure edits, no history to undo, the bar is off.
    row = timed_row(editor)
    text = model.item_at(row).text
    assert not any(model.flags(model.index(row, c)) & Qt.ItemFlag.ItemIsEditable for c in range(6))
    assert not model.setData(model.index(row, WHEN), "yearly") and model.item_at(row).text == text
    assert model.add_item(0) == -1 and not model.remove_item(row) and model.move_item(row, 1) == -1
    assert model.undo_stack.count() == 0
    bar = plan.edit_bar
    assert not any(b.isEnabled() for b in (bar.undo, bar.redo, bar.add_item, bar.remove_item,
                                           bar.move_up, bar.move_down))
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert model.item_at(row).text == text
    # Changing it means a new version, a draft again.
    with qtbot.waitSignal(plan.version_model.modelReset, timeout=10000):
        plan.new_version.click()
    qtbot.waitUntil(lambda: plan.doc.status == "draft" and plan.doc.version == 2, timeout=10000)
    assert editor.plan.editable
