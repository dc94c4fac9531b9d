"""Care plan: draft (deterministic without a model), edit, save, sign, versions, export PDF, print."""

from __future__ import annotations

import re

from gui_support import PASSWORD
from PySide6.QtCore import QPoint, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from assistant.gui.plan_model import SOURCES


def draft(qtbot, view):
    plan = view.careplan
    view.show_tab("careplan")
    qtbot.waitUntil(lambda: plan.generate.isEnabled(), timeout=10000)
    with qtbot.waitSignal(plan.version_model.modelReset, timeout=60000):
        qtbot.mouseClick(plan.generate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: plan.doc is not None and plan.stack.currentWidget() is plan.editor,
                    timeout=60000)
    return plan


def first_item_row(editor) -> int:
    return next(r for r in range(editor.plan.rowCount()) if not editor.plan.is_header(r))


def type_into(qtbot, editor, row: int, text: str) -> None:
    """Edit an item the way a user does: select it, F2, replace the text, Tab to commit."""
    index = editor.plan.index(row, 0)
    editor.window().activateWindow()
    qtbot.waitUntil(editor.window().isActiveWindow, timeout=5000)
    editor.scrollTo(index)
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=editor.visualRect(index).center())
    assert editor.currentIndex().row() == row
    qtbot.keyClick(editor, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QPlainTextEdit), timeout=3000)
    field = QApplication.focusWidget()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Tab)


def sign_with(qtbot, plan, password: str) -> None:
    dialog = plan.sign_dialog
    assert not dialog.sign_button.isEnabled()  # no password, no signature
    qtbot.keyClicks(dialog.password, password)
    if not dialog.confirm.isChecked():
        assert not dialog.sign_button.isEnabled()  # a password alone does not sign: confirm first
        qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.confirm.height() // 2))
    assert dialog.sign_button.isEnabled()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.password.text() == ""  # handed on, not kept in the field


def test_sign_dialog_shows_the_content_and_needs_the_password(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    plan = draft(qtbot, view)
    plan.sign.click()
    qtbot.waitUntil(lambda: plan.sign_dialog is not None and plan.sign_dialog.isVisible(), timeout=5000)
    dialog = plan.sign_dialog
    data = plan.doc.data
    assert data["title"] in dialog.heading.text() and "Version 1" in dialog.heading.text()
    for section in data["sections"]:
        n = len(section["items"])
        assert f"{section['title']}: {n} item" in dialog.sections.text()
        for item in section["items"]:
            assert item["text"] in dialog.content.toPlainText()
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    sign_with(qtbot, plan, "not-the-password")
    qtbot.waitUntil(lambda: "Signing" not in dialog.error.text(), timeout=10000)
    assert "wrong password" in dialog.error.text(), dialog.error.text()
    assert dialog.isVisible() and plan.doc.status == "draft"
    sign_with(qtbot, plan, PASSWORD)
    qtbot.waitUntil(lambda: plan.doc.status == "signed" or "Not signed" in dialog.error.text(), timeout=10000)
    assert plan.doc.status == "signed", dialog.error.text()
    assert not dialog.isVisible()


def test_unchecked_model_text_blocks_signing_in_the_tab(qtbot, signed_in, gui):
    from dataclasses import replace

    view = gui.open_patient(signed_in, "Beatriz")
    plan = draft(qtbot, view)
    data = dict(plan.doc.data)
    sections = [dict(s) for s in data["sections"]]
    rationale = next(s for s in sections if s["key"] == "rationale")
    rationale["items"] = [*rationale["items"], {"text": "Dear Dr. Smith, I hope this finds you well.",
                                                "kind": "rationale", "status": "unverified"}]
    plan._show_doc(replace(plan.doc, data={**data, "sections": sections}))
    assert "not checked against the record" in plan.notice.text()  # computed from the content
    plan.sign.click()
    assert plan.sign_dialog is None
    assert "Dear Dr. Smith" in plan.notice.text() and "rewrite" in plan.notice.text()


def test_draft_edit_save_sign_new_version(qtbot, signed_in, gui):
    window = signed_in
    view = gui.open_patient(window, "Beatriz")
    plan = draft(qtbot, view)
    editor = plan.editor
    assert plan.doc.status == "draft" and plan.doc.version == 1
    assert editor.plan.sections, "the draft has sections"
    assert plan.doc.data["source"] == "deterministic"  # no model pack in tests
    row = first_item_row(editor)
    first_key = editor.plan.sections[editor.plan.section_of(row)].key
    type_into(qtbot, editor, row, "Reviewed with the patient today; agreed to the plan.")
    assert editor.plan.item_at(row).text == "Reviewed with the patient today; agreed to the plan."
    assert plan.dirty and plan.save.isEnabled() and view.has_unsaved()
    editor.setCurrentIndex(editor.plan.index(row, 0))
    plan.add_item.click()
    new_row = editor.currentIndex().row()
    editor.plan.setData(editor.plan.index(new_row, 0), "Bring glucose diary next visit.")
    with qtbot.waitSignal(plan.version_model.modelReset, timeout=10000):
        plan.save.click()
    qtbot.waitUntil(lambda: not plan.dirty, timeout=5000)
    stored = plan.doc.data["sections"]
    section = next(s for s in stored if s["key"] == first_key)
    texts = {i["text"]: i["status"] for i in section["items"]}
    assert texts["Reviewed with the patient today; agreed to the plan."] == "edited"
    assert texts["Bring glucose diary next visit."] == "edited"
    # Sign: the dialog shows what is signed and asks the password again; read-only afterwards.
    plan.sign.click()
    qtbot.waitUntil(lambda: plan.sign_dialog is not None and plan.sign_dialog.isVisible(), timeout=5000)
    sign_with(qtbot, plan, PASSWORD)
    qtbot.waitUntil(lambda: plan.doc.status == "signed", timeout=5000)
    assert not plan.sign_dialog.isVisible()
    assert plan.doc.signed_by == "admin"
    assert not editor.plan.editable
    assert not editor.plan.flags(editor.plan.index(first_item_row(editor), 0)) & Qt.ItemFlag.ItemIsEditable
    assert not plan.sign.isEnabled() and plan.new_version.isEnabled() and not plan.add_item.isEnabled()
    # People read the signer's name; the login stays stored as the record of who signed.
    assert "signed by Dr Admin" in plan.status.text()
    by = next(c for c in range(plan.version_model.columnCount()) if plan.version_model.headerData(
        c, Qt.Orientation.Horizontal) == "By")
    assert plan.version_model.index(0, by).data() == "Dr Admin"
    # New version: a fresh draft v2, v1 superseded, both listed.
    plan.new_version.click()
    qtbot.waitUntil(lambda: plan.doc.version == 2 and plan.doc.status == "draft", timeout=5000)
    statuses = {d.version: d.status for d in plan.docs}
    assert statuses == {1: "superseded", 2: "draft"} or statuses == {1: "signed", 2: "draft"}
    assert plan.version_model.rowCount() == 2


def test_citation_in_plan_opens_entry(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    plan = draft(qtbot, view)
    editor = plan.editor
    rows = [r for r in range(editor.plan.rowCount()) if (i := editor.plan.item_at(r)) is not None
            and len(i.citations) == 1 and view.record.entry(i.citations[0]) is not None]
    assert rows
    index = editor.plan.index(rows[0], SOURCES)
    editor.scrollTo(index)
    with qtbot.waitSignal(view.cite_followed, timeout=2000) as sig:
        qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=editor.visualRect(index).center())
    assert sig.args == [editor.plan.item_at(rows[0]).citations[0]]
    assert view.current_key() != "careplan"


def test_export_pdf_and_print(qtbot, signed_in, gui, tmp_path):
    window = signed_in
    view = gui.open_patient(window, "Beatriz")
    plan = draft(qtbot, view)
    out = tmp_path / "plan.pdf"
    window.output.ask_path = lambda default: (asked.append(default), out)[1]
    asked: list[str] = []
    # Focus in an item being edited: Ctrl+E must still export (text fields take it as "end of line").
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    editor = plan.editor
    index = editor.plan.index(first_item_row(editor), 0)
    editor.edit(index)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QPlainTextEdit), timeout=3000)
    field = QApplication.focusWidget()
    qtbot.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.output.busy and window.output.last_export == out, timeout=60000)
    # Initials and birth year, never the name or MRN, in the suggested name.
    assert len(asked) == 1 and re.fullmatch(r"careplan_[A-Z]+\d{4}_\d{4}-\d\d-\d\d_v1-draft\.pdf", asked[0])
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and (out.stat().st_mode & 0o077) == 0
    assert window.output.last_how == "reports"
    # Print to a PDF "printer" so the test can look at what was printed.
    printed = tmp_path / "printed.pdf"
    printers: list[QPrinter] = []

    def choose():
        p = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(printed))
        printers.append(p)
        return p

    window.output.choose_printer = choose
    qtbot.keyClick(plan.editor, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.output.busy, timeout=60000)
    assert window.status.message.text() == "Sent to the printer."
    assert printed.exists() and printed.stat().st_size > 1000
    # The print queue, seen by everyone on the network, names the document but not the patient.
    patient = view.record.patient
    job = printers[0].docName()
    assert job == "Clinician Assistant care plan"
    assert not any(x and x.lower() in job.lower() for x in (*patient.name.split(), patient.mrn, patient.id))
    got = []
    pid = view.patient_id
    window.ctx.db.submit(lambda s: [e.action for e in s.audit.events(pid, limit=30)], got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert "careplan.export" in got[0] and "careplan.print" in got[0]
    assert plan.doc is not None
