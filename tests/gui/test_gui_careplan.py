"""Care plan: draft (deterministic without a model), edit, save, sign, versions, export PDF, print."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from assistant.gui import services

pytestmark = pytest.mark.skipif(not services.careplan_available(),
                                reason="assistant.assist.careplan not in this build")


def draft(qtbot, view):
    plan = view.careplan
    view.show_tab("careplan")
    qtbot.waitUntil(lambda: plan.generate.isEnabled(), timeout=10000)
    with qtbot.waitSignal(plan.version_model.modelReset, timeout=60000):
        qtbot.mouseClick(plan.generate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: plan.doc is not None and plan.stack.currentWidget() is plan.editor,
                    timeout=60000)
    return plan


def test_draft_edit_save_sign_new_version(qtbot, signed_in, gui):
    window = signed_in
    view = gui.open_patient(window, "Beatriz")
    plan = draft(qtbot, view)
    assert plan.doc.status == "draft" and plan.doc.version == 1
    assert plan.editor.sections, "the draft has sections"
    assert plan.doc.data["source"] == "deterministic"  # no model pack in tests
    first = next(s for s in plan.editor.sections if s.items)
    item = first.items[0]
    item.edit.setPlainText("Reviewed with the patient today; agreed to the plan.")
    assert plan.dirty and plan.save.isEnabled() and view.has_unsaved()
    added = first.add_empty()
    added.edit.setPlainText("Bring glucose diary next visit.")
    with qtbot.waitSignal(plan.version_model.modelReset, timeout=10000):
        plan.save.click()
    qtbot.waitUntil(lambda: not plan.dirty, timeout=5000)
    stored = plan.doc.data["sections"]
    section = next(s for s in stored if s["key"] == first.section.key)
    texts = {i["text"]: i["status"] for i in section["items"]}
    assert texts["Reviewed with the patient today; agreed to the plan."] == "edited"
    assert texts["Bring glucose diary next visit."] == "edited"
    # Sign: read-only afterwards.
    with qtbot.waitSignal(plan.version_model.modelReset, timeout=10000):
        plan.sign.click()
    qtbot.waitUntil(lambda: plan.doc.status == "signed", timeout=5000)
    assert plan.doc.signed_by == "admin"
    assert all(e.edit.isReadOnly() for s in plan.editor.sections for e in s.items)
    assert not plan.sign.isEnabled() and plan.new_version.isEnabled()
    assert "signed by admin" in plan.status.text()
    # New version: a fresh draft v2, v1 superseded, both listed.
    plan.new_version.click()
    qtbot.waitUntil(lambda: plan.doc.version == 2 and plan.doc.status == "draft", timeout=5000)
    statuses = {d.version: d.status for d in plan.docs}
    assert statuses == {1: "superseded", 2: "draft"} or statuses == {1: "signed", 2: "draft"}
    assert plan.version_model.rowCount() == 2


def test_citation_in_plan_opens_entry(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    plan = draft(qtbot, view)
    cited = [(e, r) for s in plan.editor.sections for e in s.items for r in e.item.citations
             if view.record.entry(r) is not None]
    assert cited
    editor, ref = cited[0]
    editor.meta.linkActivated.emit(f"cite:{ref}")
    assert view.current_key() != "careplan"


def test_export_pdf_and_print(qtbot, signed_in, gui, tmp_path):
    window = signed_in
    view = gui.open_patient(window, "Beatriz")
    plan = draft(qtbot, view)
    out = tmp_path / "plan.pdf"
    window.output.ask_path = lambda default: (asked.append(default), out)[1]
    asked: list[str] = []
    # Focus in the plan editor: Ctrl+E must still export (text fields would take it as "end of line").
    plan.editor.sections[0].items[0].edit.setFocus()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(plan.editor.sections[0].items[0].edit, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.output.busy and window.output.last_export == out, timeout=60000)
    assert asked == ["care-plan-v1-draft.pdf"]  # no patient identifier in the suggested name
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and (out.stat().st_mode & 0o077) == 0
    if services.reports_available():
        assert window.output.last_how == "reports"
    # Print to a PDF "printer" so the test can look at what was printed.
    printed = tmp_path / "printed.pdf"

    def choose():
        p = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(printed))
        return p

    window.output.choose_printer = choose
    qtbot.keyClick(plan.editor.sections[0].items[0].edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.output.busy, timeout=60000)
    assert window.status.message.text() == "Sent to the printer."
    assert printed.exists() and printed.stat().st_size > 1000
    got = []
    pid = view.patient_id
    window.ctx.db.submit(lambda s: [e.action for e in s.audit_events(pid, limit=30)], got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert "careplan.export" in got[0] and "careplan.print" in got[0]
    assert plan.doc is not None
