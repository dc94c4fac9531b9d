"""Issue 16's "done when", in the app alone at both window sizes: chart entry, flags, plan edit and sign, print."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from gui_support import PASSWORD, resolve_first_problem, save_dialog
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget
from test_gui_careplan import draft, first_item_row, sign_with, type_into
from test_gui_chart_entry import arthur_db  # noqa: F401  (the demo database fixture)
from test_gui_plan_editor import edit_cell, timed_row

from assistant.gui.plan_model import TEXT, WHEN

# Where the screenshots go: a folder the person running the test can open (tmp), kept after the run.
SHOTS = Path(os.environ.get("ASSISTANT_SHOTS", "/tmp/clinic-morning"))


def _settled(qtbot: Any, view: Any) -> Any:
    qtbot.waitUntil(lambda: view.overview.risk is not None and view.overview._risk_task is None, timeout=20000)
    return view.overview.risk


def _printer(path: Path) -> QPrinter:
    p = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    p.setOutputFileName(str(path))
    return p


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _record_entries(qtbot: Any, view: Any) -> None:
    """Vitals, a critical potassium, stop a medicine, add an allergy, resolve a problem: all by the forms."""
    view.show_tab("labs")
    labs = view.entry_bars["labs"]
    labs.buttons["Record vitals"].click()
    vitals = labs.dialog
    vitals.bp.setText("132/84")
    for field, value in (("pulse", "76"), ("spo2", "97"), ("weight", "88")):
        if field in vitals.edits:
            vitals.edits[field].setText(value)
    save_dialog(qtbot, vitals)
    assert any(o.code.code == "85354-9" and o.recorded_by for o in view.record.observations)
    labs.buttons["Record lab result"].click()
    lab = labs.dialog
    lab.select_test("potassium")
    lab.value.setText("6.3")
    lab.unit.setEditText("mmol/L")
    save_dialog(qtbot, lab)
    meds = view.ensure("medications")
    med = next(m for m in view.record.medications if m.is_active)
    assert meds.select_ref(med.ref)
    bar = view.entry_bars["medications"]
    qtbot.waitUntil(lambda: bar.buttons["Stop"].isEnabled(), timeout=5000)
    bar.buttons["Stop"].click()
    bar.dialog.reason.setText("side effects")
    save_dialog(qtbot, bar.dialog)
    assert not view.record.entry(med.ref).is_active
    view.ensure("allergies")
    allergies = view.entry_bars["allergies"]
    allergies.buttons["Record allergy"].click()
    allergies.dialog.substance.setText("Sulfonamide")
    allergies.dialog.reaction.setText("rash")
    save_dialog(qtbot, allergies.dialog)
    assert "Sulfonamide" in [a.substance for a in view.record.active_allergies]
    resolve_first_problem(qtbot, view)


def _edit_plan(qtbot: Any, plan: Any) -> None:
    """An item's text and its timing, each typed into its cell; one undo and one redo with the bar."""
    editor, model, bar = plan.editor, plan.editor.plan, plan.edit_bar
    row = first_item_row(editor)
    type_into(qtbot, editor, row, "Agreed with the patient at today's visit.")
    assert model.item_at(row).text == "Agreed with the patient at today's visit."
    timed = timed_row(editor)
    field = edit_cell(qtbot, editor, timed, WHEN)
    field.selectAll()
    qtbot.keyClicks(field, "every 2 weeks")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert str(model.index(timed, WHEN).data()) == "every 2 weeks"
    assert "every 2 weeks" in model.item_at(timed).text
    qtbot.mouseClick(bar.undo, Qt.MouseButton.LeftButton)
    assert str(model.index(timed, WHEN).data()) != "every 2 weeks"
    assert str(model.index(row, TEXT).data()) == "Agreed with the patient at today's visit."
    qtbot.mouseClick(bar.redo, Qt.MouseButton.LeftButton)
    assert str(model.index(timed, WHEN).data()) == "every 2 weeks"


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_a_clinic_morning_in_the_app(qtbot: Any, make_window: Any, arthur_db: Path,  # noqa: F811
                                     gui: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    window = make_window(arthur_db)
    window.resize(*size)
    gui.sign_in(window)
    view = gui.open_patient(window, "Arthur")
    before = _settled(qtbot, view)
    assert not any(f.severity == "critical" and "Potassium" in f.title for f in before.flags)

    _record_entries(qtbot, view)
    qtbot.waitUntil(lambda: view.overview.risk is not before
                    and any(f.severity == "critical" and "Potassium" in f.title for f in view.overview.risk.flags),
                    timeout=20000)
    after = _settled(qtbot, view)
    assert {f.id for f in after.flags} != {f.id for f in before.flags}
    shown = [w.text() for w in view.overview.flags.findChildren(QWidget) if hasattr(w, "text")]
    assert any("Potassium" in str(t) for t in shown), "the critical flag is on screen"

    plan = draft(qtbot, view)
    _edit_plan(qtbot, plan)
    plan.sign.click()  # saves the edits, then shows what will be signed
    qtbot.waitUntil(lambda: plan.sign_dialog is not None and plan.sign_dialog.isVisible(), timeout=10000)
    assert "every 2 weeks" in plan.sign_dialog.content.toPlainText()
    sign_with(qtbot, plan, PASSWORD)
    qtbot.waitUntil(lambda: plan.doc.status == "signed", timeout=10000)
    signed = [i for s in plan.doc.data["sections"] for i in s["items"]]
    assert any(i["text"] == "Agreed with the patient at today's visit." for i in signed)
    assert any(i.get("interval") == "every 2 weeks" for i in signed)

    printed: list[Path] = []
    for n, action in enumerate(window.act_documents[1:]):  # print handout, print medication list
        out = tmp_path / f"printed{n}.pdf"
        window.output.choose_printer = lambda out=out: printed.append(out) or _printer(out)
        action.trigger()
        qtbot.waitUntil(lambda: not window.output.busy, timeout=60000)
        assert window.status.message.text() == "Sent to the printer."
    # The printer gets page images (what the PDF renderer drew), so count pages rather than read text.
    assert 1 <= _pages(printed[0]) <= 2 and _pages(printed[1]) >= 1
    assert all(p.stat().st_size > 5000 for p in printed)

    tag = f"{size[0]}x{size[1]}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.show_tab("careplan")
    qtbot.wait(50)
    assert window.grab().save(str(SHOTS / f"careplan-{tag}.png"))
    view.show_tab("overview")
    qtbot.wait(50)
    assert window.grab().save(str(SHOTS / f"overview-{tag}.png"))
    assert window.size().width() == size[0]


def test_tabbing_through_a_blank_due_date_writes_nothing(qtbot: Any, signed_in: Any, gui: Any) -> None:
    """The date picker opens a blank due date on today; passing through it must not date the item."""
    from assistant.gui.plan_model import DUE

    plan = draft(qtbot, gui.open_patient(signed_in, "Beatriz"))
    editor, model = plan.editor, plan.editor.plan
    row = next((r for r in range(model.rowCount()) if model.item_at(r) is not None
                and not str(model.index(r, DUE).data() or "")
                and model.flags(model.index(r, DUE)) & Qt.ItemFlag.ItemIsEditable), None)
    if row is None:
        pytest.skip("every item of the draft has a due date")
    text = model.item_at(row).text
    field = edit_cell(qtbot, editor, row, DUE)
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert model.undo_stack.count() == 0 and not plan.dirty
    assert not str(model.index(row, DUE).data() or "") and model.item_at(row).text == text
