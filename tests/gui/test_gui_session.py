"""Sign in, wrong password, sign out, lock on idle (keeping unsaved edits), unlock."""

from __future__ import annotations

from pathlib import Path

from gui_support import PASSWORD, USER
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest


def _audit_actions(qtbot, window) -> list[str]:
    got = []
    window.ctx.db.submit(lambda s: [e.action for e in s.audit.events(limit=50)], got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    return got[0]


def test_wrong_password_keeps_sign_in_page_and_says_so(qtbot, window):
    window.signin.user.setText(USER)
    window.signin.password.setText("not the password")
    with qtbot.waitSignal(window.session.sign_in_failed, timeout=10000):
        qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.signin
    assert window.signin.error.isVisible()
    assert "Wrong user name or password" in window.signin.error.text()
    assert window.workspace is None and not window.act_import.isEnabled()
    # The form is usable again: the right password now works.
    window.signin.password.setText(PASSWORD)
    with qtbot.waitSignal(window.session.signed_in, timeout=10000):
        qtbot.keyClick(window.signin.password, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.workspace


def test_unknown_user_and_empty_fields(qtbot, window):
    qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)
    assert "Enter your user name and password" in window.signin.error.text()
    window.signin.user.setText("nobody")
    window.signin.password.setText("whatever password")
    with qtbot.waitSignal(window.session.sign_in_failed, timeout=10000):
        qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)
    assert "Wrong user name or password" in window.signin.error.text()


def test_missing_database_is_explained(qtbot, make_window, tmp_path):
    window = make_window(tmp_path / "nowhere" / "missing.db")
    window.signin.user.setText(USER)
    window.signin.password.setText(PASSWORD)
    with qtbot.waitSignal(window.session.sign_in_failed, timeout=10000):
        qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)
    assert "no database here" in window.signin.error.text()


def test_sign_out_returns_to_sign_in_and_closes_the_database(qtbot, signed_in, gui):
    window = signed_in
    gui.open_patient(window, "Zachary")
    with qtbot.waitSignal(window.session.signed_out, timeout=5000):
        window.act_sign_out.trigger()
    assert window.pages.currentWidget() is window.signin
    assert window.workspace is None
    assert window.signin.password.text() == ""
    assert not window.act_export.isEnabled()
    errors = []
    window.ctx.db.submit(lambda s: s.patients.count(), failure=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert "not signed in" in str(errors[0])


def test_idle_lock_keeps_unsaved_note_and_unlocks_with_password(qtbot, signed_in, gui):
    window = signed_in
    view = gui.open_patient(window, "Zachary")
    view.show_tab("notes")
    view.notes.editor.setPlainText("Draft note the clinician has not saved yet.")
    window.session.set_idle_minutes(0.3 / 60)  # 300 ms
    with qtbot.waitSignal(window.session.locked, timeout=5000):
        pass  # no input: the idle timer runs out
    assert window.pages.currentWidget() is window.lock_page
    assert not view.isVisible()  # patient data is hidden
    assert "unsaved edits are kept" in window.lock_page.message.text()
    assert not window.act_export.isEnabled() and not window.toolbar.isVisible()
    # A wrong password keeps it locked.
    window.lock_page.password.setText("wrong password")
    with qtbot.waitSignal(window.session.unlock_failed, timeout=10000):
        qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.lock_page
    assert "Wrong password" in window.lock_page.error.text()
    window.session.set_idle_minutes(10)
    window.lock_page.password.setText(PASSWORD)
    with qtbot.waitSignal(window.session.unlocked, timeout=10000):
        qtbot.mouseClick(window.lock_page.button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.workspace
    assert window.workspace.view is view
    assert view.notes.editor.toPlainText() == "Draft note the clinician has not saved yet."
    actions = _audit_actions(qtbot, window)
    assert {"auth.lock", "auth.unlock_failed", "auth.unlock"} <= set(actions)


def test_activity_postpones_the_idle_lock(qtbot, signed_in):
    window = signed_in
    window.session.set_idle_minutes(0.4 / 60)  # 400 ms
    window.workspace.patients.search.setFocus()
    handle = window.windowHandle()
    for i in range(6):
        qtbot.wait(150)
        # Through the window, as a person's input arrives (not straight into a widget).
        if i % 2:
            QTest.keyClick(handle, Qt.Key.Key_A)
        else:
            QTest.mouseMove(handle, QPoint(100 + 10 * i, 200))
    assert not window.session.is_locked
    qtbot.waitUntil(lambda: window.session.is_locked, timeout=5000)


def test_lock_hides_open_dialogs_and_restores_them(qtbot, signed_in):
    window = signed_in
    window.act_import.trigger()
    dialog = window.import_dialog
    assert dialog.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.session.is_locked
    assert not dialog.isVisible()
    window.lock_page.password.setText(PASSWORD)
    with qtbot.waitSignal(window.session.unlocked, timeout=10000):
        window.lock_page.button.click()
    assert dialog.isVisible()


def test_sign_out_from_lock_screen(qtbot, signed_in):
    window = signed_in
    window.session.lock()
    with qtbot.waitSignal(window.session.signed_out, timeout=5000):
        window.lock_page.sign_out_button.click()
    assert window.pages.currentWidget() is window.signin


def test_cli_registers_gui_command():
    from assistant.cli.main import build_parser

    args = build_parser().parse_args(["gui", "--db", str(Path("x.db"))])
    assert args.command == "gui" and callable(args.func)
