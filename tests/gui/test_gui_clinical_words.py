"""Clinical words on screen: short test names, clinicians' units, BP as sys/dia, names not ids, order, notes, banner."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QStyleOptionViewItem, QTextBrowser, QToolTip

RAW_UNITS = ("mm[Hg]", "{score}", "(score)", "Cel", "10*3", "10*6", "kg/m2", "[")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def test_labs_show_short_names_clinician_units_and_rounded_pressure(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    view.show_tab("labs")
    labs = view.labs
    qtbot.waitUntil(lambda: labs.measure_model.rowCount() > 0, timeout=10000)
    names = [m.name for m in labs.measures]
    assert "Potassium" in names or "HbA1c" in names, names
    assert not [n for n in names if "[" in n or len(n) > 40], names
    for m in labs.measures:
        latest = m.latest_text()
        assert not [u for u in RAW_UNITS if u in latest], (m.name, latest)
    bp = next(m for m in labs.measures if m.name == "Blood pressure")
    match = re.fullmatch(r"(\d+)/(\d+) mmHg", bp.latest_text())
    assert match, bp.latest_text()
    assert int(match.group(1)) > int(match.group(2))  # systolic first
    assert set(bp.series) == {"Systolic BP", "Diastolic BP"}


def test_detail_panes_name_what_an_entry_refers_to(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    med = next((m for m in view.record.medications if m.reason_refs), None)
    assert med is not None, "the test record has a medicine with a reason"
    assert view.show_entry(med.ref)
    detail = view.ensure("medications").detail.toPlainText()
    reason = view.record.entry(med.reason_refs[0])
    assert "Reasons" in detail and reason is not None and reason.display in detail
    assert not UUID.search(detail), detail


def test_current_medicines_come_before_stopped_ones(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    tab = view.ensure("medications")
    rows = [tab.proxy.object_at(tab.proxy.index(r, 0)) for r in range(tab.proxy.rowCount())]
    active = [m.is_active for m in rows]
    assert True in active and False in active
    assert active == sorted(active, reverse=True), "a stopped medicine is listed above a current one"
    assert "current first" in tab.count.text()


def test_notes_tab_counts_notes_and_reads_them_in_a_tall_reader(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    n = len(view.record.notes)
    index = view.tabs.indexOf(view._pages["notes"])
    assert view.tabs.tabText(index) == (f"Notes ({n})" if n else "Notes")
    view.show_tab("notes")
    reader = view.notes.reader.detail
    assert isinstance(reader, QTextBrowser) and reader.objectName() == "noteReader"
    qtbot.wait(50)
    lines = reader.height() // reader.fontMetrics().lineSpacing()
    assert lines > 12, f"the note reader shows only {lines} lines"


def test_deceased_banner_says_so_with_the_date(qtbot):
    from assistant.gui.banner import Banner
    from assistant.records.domain import Patient
    from assistant.records.record import PatientRecord

    died = datetime(2024, 3, 2, 10, 0, tzinfo=UTC)
    banner = Banner()
    qtbot.addWidget(banner)
    banner.set_record(PatientRecord(Patient(id="p", family="Doe", given=("Jan",), deceased=True,
                                            birth_date=date(1950, 5, 1),
                                            deceased_date=died)))
    banner.show()
    assert banner.deceased.isVisible() and banner.deceased.text() == "Deceased 2024-03-02"
    assert "at death" in banner.facts.text()
    banner.set_record(PatientRecord(Patient(id="q", family="Roe")))
    assert not banner.deceased.isVisible()


def test_a_cut_off_cell_shows_its_whole_text_as_a_tooltip(qtbot):
    from assistant.gui.section_tab import ElidedTips, elided_text_cut, make_table
    from assistant.gui.table_models import Column, RowTableModel, TableProxy

    long = "Urine albumin/creatinine ratio"  # under 40 characters: the model adds no tooltip itself
    columns = (Column("Name", lambda s: s, width=80), Column("Other", lambda s: "x"))
    model = RowTableModel(columns)
    model.set_rows([long])
    view = make_table(TableProxy(model), columns, "t")
    qtbot.addWidget(view)
    view.resize(300, 200)
    view.show()
    index = view.model().index(0, 0)
    assert elided_text_cut(view, index)
    delegate = view.itemDelegate()
    assert isinstance(delegate, ElidedTips)
    pos = view.visualRect(index).center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    assert delegate.helpEvent(event, view, QStyleOptionViewItem(), index)
    assert QToolTip.text() == long
    QToolTip.hideText()
    short = view.model().index(0, 1)
    assert not elided_text_cut(view, short)
    assert view.model().data(index, Qt.ItemDataRole.ToolTipRole) is None
