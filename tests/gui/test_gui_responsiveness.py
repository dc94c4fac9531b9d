"""What keeps the interface thread free: one preload worker, a chart made after its tab, quiet background builds."""

from __future__ import annotations

import sys
import threading

from assistant.gui import lazy, patient_view, services


def test_preload_in_order_imports_on_one_worker_and_reports_each_module(qtbot, monkeypatch):
    names = ["json.tool", "xml.dom.minidom", "no_such_module_for_the_test"]
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    imported_on: list[tuple[str, int]] = []
    real_import = lazy.importlib.import_module

    def spy(name):
        imported_on.append((name, threading.get_ident()))
        return real_import(name)

    monkeypatch.setattr(lazy.importlib, "import_module", spy)
    seen: dict[str, tuple[object, str]] = {}
    then_ran: list[int] = []
    done: list[int] = []
    lazy.preload_in_order(names, then=lambda: then_ran.append(threading.get_ident()),
                          on_done=lambda: done.append(1))
    # Asked for after the preload started: each waits for it rather than importing again.
    for name in names:
        lazy.when_loaded(name, lambda m, e, name=name: seen.__setitem__(name, (m, e)))
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    workers = {tid for _n, tid in imported_on}
    assert [n for n, _t in imported_on if n in names] == names  # in order, once each
    assert len(workers) == 1 and threading.get_ident() not in workers
    assert then_ran and then_ran[0] in workers
    assert seen["json.tool"][0] is sys.modules["json.tool"] and seen["json.tool"][1] == ""
    assert seen["xml.dom.minidom"][0] is sys.modules["xml.dom.minidom"]
    module, error = seen["no_such_module_for_the_test"]
    assert module is None and "ModuleNotFoundError" in error


def test_sign_in_page_preloads_what_the_workers_and_the_chart_need(qtbot, window):
    wanted = (lazy.CHART_MODULE, "assistant.gui.workspace", *services.WORKER_MODULES)
    qtbot.waitUntil(lambda: all(m in sys.modules for m in wanted) and window._spare is not None,
                    timeout=20000)


def test_labs_chart_is_made_after_the_tab_and_shows_the_selected_measure(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    view.show_tab("labs")
    labs = view.labs
    # The tab is on screen with its table at once; the plot follows on a later turn.
    assert labs.chart is None
    assert labs.measure_model.rowCount() > 0
    qtbot.waitUntil(lambda: labs.chart is not None, timeout=20000)
    measure = labs.current_measure()
    assert measure is not None
    assert labs.chart.title.text().startswith(measure.name)
    other = next(m for m in labs.measures if m is not measure and m.numeric)
    assert labs.select_measure(other.name)
    assert labs.chart.title.text().startswith(other.name)


def test_background_tab_building_waits_while_an_opened_tab_settles(qtbot, signed_in, gui, monkeypatch):
    monkeypatch.setattr(patient_view, "USER_TAB_QUIET_S", 0.6)
    view = gui.open_patient(signed_in, "Beatriz")
    view.show_tab("labs")  # the user opens a tab: nothing else is built for a moment
    built = set(view._built)
    view._deferrals = 10**6  # no waiting for workers in this test: only the quiet period counts
    view._build_next()
    qtbot.wait(200)
    assert set(view._built) == built
    qtbot.waitUntil(lambda: set(view._built) > built, timeout=5000)  # then it carries on
    # Tabs built later still show their content.
    notes = view.notes
    assert notes is view.ensure("notes")


def test_labs_tab_is_built_in_stages_and_ends_with_its_table_results_and_chart(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    view.show_tab("labs")
    labs = view.labs
    # First turn: the measures only; the results pane and the chart come on later turns.
    assert labs.measure_model.rowCount() > 0 and labs._results is None and labs.chart is None
    qtbot.waitUntil(lambda: labs._results is not None and labs.chart is not None, timeout=20000)
    # The chart is drawn while hidden and shown on a later turn, so its first paint stands alone.
    qtbot.waitUntil(lambda: labs.chart_stack.currentWidget() is labs.chart, timeout=5000)
    measure = labs.current_measure()
    assert measure is not None
    assert labs.results.model.rowCount() == len(measure.observations)
    assert labs.chart_stack.currentWidget() is labs.chart and labs.chart.isVisible()
    assert labs.chart.title.text().startswith(measure.name)


def test_labs_results_are_there_when_asked_for_before_their_turn(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    labs = view.labs  # built in the background, not shown
    ref = labs.measures[0].observations[0].ref
    assert view.show_entry(ref)  # a citation followed at once builds the results pane
    assert labs.results.proxy.object_at(labs.results.view.currentIndex()).ref == ref


def test_first_labs_chart_is_the_spare_made_on_the_sign_in_page(qtbot, window, gui):
    import shiboken6

    from assistant.gui import chart

    # (A spare left by an earlier test's window is gone with that window.)
    qtbot.waitUntil(lambda: chart._spare is not None and shiboken6.isValid(chart._spare)
                    and chart._spare.parent() is window, timeout=20000)
    spare = chart._spare
    gui.sign_in(window)
    qtbot.waitUntil(lambda: window.workspace.patients.model.rowCount() > 0, timeout=10000)
    view = gui.open_patient(window, "Beatriz")
    view.show_tab("labs")
    qtbot.waitUntil(lambda: view.labs.chart is not None, timeout=20000)
    assert view.labs.chart is spare and chart._spare is None
