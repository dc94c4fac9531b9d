"""Patient list (search as you type, sort, recents) and the patient view (banner, tables, citations)."""

from __future__ import annotations

from PySide6.QtCore import Qt


def _names(panel) -> list[str]:
    proxy = panel.proxy
    return [proxy.data(proxy.index(r, 0)) for r in range(proxy.rowCount())]


def test_search_as_you_type_by_name_and_mrn(qtbot, signed_in):
    panel = signed_in.workspace.patients
    assert len(_names(panel)) == 3
    qtbot.keyClicks(panel.search, "zach")
    qtbot.waitUntil(lambda: _names(panel) == ["Zachary Kutch"], timeout=5000)
    mrn = panel.model.objects()[0].mrn
    panel.search.setText(mrn[:8])
    qtbot.waitUntil(lambda: _names(panel) == ["Zachary Kutch"] and "1 match" in panel.status.text(),
                    timeout=5000)
    panel.search.setText("qqqqqqq")
    qtbot.waitUntil(lambda: _names(panel) == [] and "No patient matches" in panel.status.text(),
                    timeout=5000)
    panel.search.clear()
    qtbot.waitUntil(lambda: len(_names(panel)) == 3, timeout=5000)


def test_search_finds_note_text_and_shows_the_match(qtbot, signed_in, gui):
    window = signed_in
    view = gui.open_patient(window, "Matt")
    view.show_tab("notes")
    view.notes.editor.setPlainText("Patient reports xylophonist cramps in both hands.")
    with qtbot.waitSignal(view.notes.note_saved, timeout=5000):
        view.notes.save.click()
    window.focus_search()
    panel = window.workspace.patients
    assert panel.isVisible() and panel.search.hasFocus()
    with qtbot.waitSignal(panel.results_shown, timeout=5000):
        panel.search.setText("xylophon")
    assert _names(panel) == ["Matt Mosciski"]
    assert not panel.view.isColumnHidden(4)
    assert "xylophonist" in panel.model.objects()[0].snippet


def test_sort_by_clicking_a_header(qtbot, signed_in):
    panel = signed_in.workspace.patients
    header = panel.view.horizontalHeader()
    born = [panel.proxy.data(panel.proxy.index(r, 1)) for r in range(3)]
    header.sectionClicked.emit(1)  # what a click on the "Born" header does
    qtbot.wait(50)
    panel.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    sorted_born = [panel.proxy.data(panel.proxy.index(r, 1)) for r in range(3)]
    assert sorted_born == sorted(born)
    panel.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert [panel.proxy.data(panel.proxy.index(r, 1)) for r in range(3)] == sorted(born, reverse=True)


def test_recent_patients_on_home(qtbot, signed_in, gui):
    window = signed_in
    gui.open_patient(window, "Zachary")
    gui.open_patient(window, "Matt")
    window.act_home.trigger()
    home = window.workspace.home
    qtbot.waitUntil(lambda: home.model.rowCount() == 2, timeout=5000)
    assert {r.name for r in home.model.objects()} == {"Matt Mosciski", "Zachary Kutch"}
    assert "3 patient records" in home.stats.text()
    with qtbot.waitSignal(window.workspace.patient_opened, timeout=5000):
        home.view.activated.emit(home.proxy.index(home.proxy.proxy_row_of(lambda r: r.name == "Zachary Kutch"), 0))
    assert window.workspace.view.record.patient.name == "Zachary Kutch"


def test_banner_and_every_table(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    record = view.record
    p = record.patient
    assert view.banner.name.text() == p.name
    facts = view.banner.facts.text()
    assert p.mrn in facts and str(p.age_years()) in facts and ("Female" in facts or "Male" in facts)
    allergies = view.banner.allergies.text()
    assert allergies == "None recorded" or record.active_allergies[0].substance in allergies
    for key, field in (("problems", "conditions"), ("medications", "medications"),
                       ("allergies", "allergies"), ("encounters", "encounters"),
                       ("procedures", "procedures"), ("immunizations", "immunizations")):
        tab = view.ensure(key)
        assert tab.model.rowCount() == len(getattr(record, field)), key
    labs = view.labs
    assert sum(m.count() for m in labs.measures) == len(record.observations)
    assert labs.measure_model.rowCount() > 5


def test_tables_sort_by_date_naturally(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    tab = view.ensure("encounters")
    tab.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    objs = [tab.proxy.object_at(tab.proxy.index(r, 0)) for r in range(tab.proxy.rowCount())]
    starts = [e.start for e in objs]
    assert starts == sorted(starts)
    tab.filter.setText("zzzz-no-match")
    assert tab.proxy.rowCount() == 0 and "0 of" in tab.count.text()


def test_citation_opens_the_entry_in_its_tab(qtbot, signed_in, gui):
    from assistant.gui.entry_detail import entry_label

    view = gui.open_patient(signed_in, "Beatriz")
    record = view.record
    for entry, key in ((record.conditions[-1], "problems"), (record.medications[-1], "medications"),
                       (record.observations[-1], "labs"), (record.encounters[-1], "encounters")):
        assert view.show_entry(entry.ref)
        assert view.current_key() == key
        if key == "labs":
            selected = view.labs.results.proxy.object_at(view.labs.results.view.currentIndex())
            detail = view.labs.results.detail.toPlainText()
        else:
            tab = view.ensure(key)
            selected = tab.proxy.object_at(tab.view.currentIndex())
            detail = tab.detail.toPlainText()
        assert selected.ref == entry.ref
        # The entry by its name, and no raw id where a person reads (issue 16).
        assert entry.id not in detail
        assert entry_label(entry, kind=False).rsplit(" (", 1)[0].split(" ")[0] in detail
    assert not view.show_entry("Condition/does-not-exist")


def test_lab_chart_point_click_opens_entry(qtbot, signed_in, gui):
    from assistant.clinical.display_names import observation_name

    view = gui.open_patient(signed_in, "Beatriz")
    view.show_tab("labs")
    labs = view.labs
    qtbot.waitUntil(lambda: labs.chart is not None, timeout=20000)
    measure = max(labs.measures, key=lambda m: sum(len(s.points) for s in m.series.values()))
    assert labs.select_measure(measure.name)
    qtbot.wait(100)
    points = labs.chart.point_positions()
    assert len(points) >= 2
    ref, pos = points[0]
    qtbot.mouseClick(labs.chart.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: labs.results.view.currentIndex().isValid() and
                    labs.results.proxy.object_at(labs.results.view.currentIndex()).ref == ref,
                    timeout=5000)
    shown = labs.results.detail.toPlainText()
    assert ref.split("/", 1)[1] not in shown  # no raw id where a person reads
    assert observation_name(view.record.entry(ref)) in shown


def test_write_a_note_saves_it_encrypted_and_audited(qtbot, signed_in, gui):
    window = signed_in
    view = gui.open_patient(window, "Zachary")
    before = view.notes.reader.model.rowCount()
    view.show_tab("notes")
    assert not view.notes.save.isEnabled()
    view.notes.title.setText("Phone call")
    qtbot.keyClicks(view.notes.editor, "Called about results; will repeat potassium in a week.")
    assert view.has_unsaved()
    with qtbot.waitSignal(view.notes.note_saved, timeout=5000):
        qtbot.mouseClick(view.notes.save, Qt.MouseButton.LeftButton)
    assert view.notes.reader.model.rowCount() == before + 1
    assert view.notes.editor.toPlainText() == "" and not view.has_unsaved()
    saved = view.notes.reader.model.object_at(0)
    assert saved.title == "Phone call" and saved.author == "Dr Admin"  # the author's name, not the login
    got = []
    pid = view.patient_id
    window.ctx.db.submit(lambda s: ([n.text for n in s.patients.load_record(pid, audit=False).notes],
                                    [e.action for e in s.audit.events(pid, limit=20)]), got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    texts, actions = got[0]
    assert "Called about results; will repeat potassium in a week." in texts
    assert "note.add" in actions and "chart.open" in actions


def test_switching_patient_with_unsaved_note_asks_first(qtbot, signed_in, gui):
    from PySide6.QtWidgets import QMessageBox

    window = signed_in
    view = gui.open_patient(window, "Zachary")
    view.notes.editor.setPlainText("unsaved words")
    panel = window.workspace.patients
    panel.search.setText("Matt")
    qtbot.waitUntil(lambda: _names(panel) == ["Matt Mosciski"], timeout=5000)
    panel.open_patient.emit(panel.model.objects()[0].id)
    box = window.workspace.findChild(QMessageBox, "discardBox")
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(100)
    assert window.workspace.view is view
    panel.open_patient.emit(panel.model.objects()[0].id)
    box = [b for b in window.workspace.findChildren(QMessageBox, "discardBox") if b.isVisible()][0]
    with qtbot.waitSignal(window.workspace.patient_opened, timeout=5000):
        box.button(QMessageBox.StandardButton.Discard).click()
    assert window.workspace.view.record.patient.name == "Matt Mosciski"
