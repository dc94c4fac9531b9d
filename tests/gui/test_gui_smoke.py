"""Smoke: the window starts on the sign-in page, signs in, lists and opens a patient."""

from __future__ import annotations


def test_sign_in_and_open(qtbot, window, gui):
    assert window.pages.currentWidget() is window.signin
    gui.sign_in(window)
    qtbot.waitUntil(lambda: window.workspace.patients.model.rowCount() == 3, timeout=5000)
    view = gui.open_patient(window, "Beatriz")
    assert view.banner.name.text().startswith("Beatriz")
