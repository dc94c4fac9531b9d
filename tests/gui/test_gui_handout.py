"""File menu: export and print the patient handout, print the medication list; audited, no name in the job."""

from __future__ import annotations

import subprocess

from PySide6.QtPrintSupport import QPrinter
from test_gui_careplan import draft


def _pdf_printer(path):
    p = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    p.setOutputFileName(str(path))
    return p


def test_handout_and_medication_list_from_the_file_menu(qtbot, signed_in, gui, tmp_path):
    window = signed_in
    view = gui.open_patient(window, "Beatriz")
    texts = [a.text() for a in window.act_documents]
    assert texts == ["Export handout…", "Print handout…", "Print medication list…"]
    window.act_documents[0].trigger()  # no plan yet: says what to do instead of failing
    assert "draft one" in window.status.message.text()
    draft(qtbot, view)
    out = tmp_path / "handout.pdf"
    asked: list[str] = []
    window.output.ask_path = lambda default: asked.append(default) or out
    window.act_documents[0].trigger()
    qtbot.waitUntil(lambda: not window.output.busy and window.output.last_export == out, timeout=60000)
    assert asked[0].startswith("handout_") and asked[0].endswith("_v1-draft.pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Your medicines" in text and "Who to call" in text
    printers: list[QPrinter] = []
    for n, action in ((1, window.act_documents[1]), (2, window.act_documents[2])):
        window.output.choose_printer = lambda n=n: printers.append(_pdf_printer(tmp_path / f"p{n}.pdf")) \
            or printers[-1]
        action.trigger()
        qtbot.waitUntil(lambda: not window.output.busy, timeout=60000)
        assert window.status.message.text() == "Sent to the printer."
    assert [p.docName() for p in printers] == ["Clinician Assistant patient handout",
                                               "Clinician Assistant medication list"]
    assert (tmp_path / "p2.pdf").stat().st_size > 1000
    got: list[list[str]] = []
    pid = view.patient_id
    window.ctx.db.submit(lambda s: [e.action for e in s.audit.events(pid, limit=40)], got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    for action in ("handout.export.started", "handout.export", "handout.print", "medlist.print"):
        assert action in got[0]
