"""Every control works: each button and action on every page is wired to something, and the once-dead ones act."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import SIGNAL, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QMenu, QPushButton, QToolButton, QWidget


def _own_triggered_receivers(action: QAction) -> int:
    """Receivers of `triggered` beyond the ones Qt adds itself (a tool button or menu showing it)."""
    qt_added = sum(1 for o in action.associatedObjects() if isinstance(o, QToolButton | QMenu))
    return action.receivers(SIGNAL("triggered(bool)")) - qt_added


def _button_dead(button: QAbstractButton) -> bool:
    action = button.defaultAction() if isinstance(button, QToolButton) else None
    if action is not None:
        return _own_triggered_receivers(action) <= 0
    wired = button.receivers(SIGNAL("clicked(bool)"))
    if button.isCheckable():  # a toggle may act on `toggled` instead (the flag cards' arrows)
        wired += button.receivers(SIGNAL("toggled(bool)"))
    return wired <= 0


def _requests_unheard(root: QObject) -> list[str]:
    """A `*_requested` signal (a button handing its job up) that nobody listens to is a dead control."""
    dead = []
    for obj in [root, *root.findChildren(QObject)]:
        meta = obj.metaObject()
        # Every method, not from methodOffset(): PySide lists a Python class's signals before it.
        for i in range(meta.methodCount()):
            method = meta.method(i)
            name = bytes(method.name().data()).decode()
            if method.methodType() == method.MethodType.Signal and name.endswith("_requested"):
                signature = bytes(method.methodSignature().data()).decode()
                if obj.receivers(SIGNAL(signature)) <= 0:
                    dead.append(f"{type(obj).__name__}.{name}")
    return dead


def dead_controls(root: QWidget, page: str) -> list[str]:
    """Visible, enabled buttons and actions under `root` wired to nothing."""
    dead = []
    for button in root.findChildren(QAbstractButton):
        if not isinstance(button, QPushButton | QToolButton):
            continue
        if button.isVisible() and button.isEnabled() and _button_dead(button):
            dead.append(f"{page}: button {button.text()!r} ({button.objectName() or type(button).__name__})")
    for action in root.findChildren(QAction):
        # No text: Qt's own (a line edit's clear button, a toolbar's widget slot), not a command.
        if (action.isSeparator() or not action.text() or action.menu() is not None
                or not action.isVisible() or not action.isEnabled()):
            continue
        if _own_triggered_receivers(action) <= 0:
            dead.append(f"{page}: action {action.text()!r}")
    dead += [f"{page}: signal {s}" for s in _requests_unheard(root)]
    return dead


def test_every_button_and_action_on_every_page_is_wired(qtbot, signed_in, gui):
    window = signed_in
    checked: dict[str, int] = {}
    problems: list[str] = []

    def walk(root: QWidget, page: str) -> None:
        qtbot.wait(50)  # let pending layout and lazy builds settle
        problems.extend(dead_controls(root, page))
        checked[page] = sum(1 for b in root.findChildren(QAbstractButton) if b.isVisible() and b.isEnabled())

    walk(window, "home and patient list")
    view = gui.open_patient(window, "Beatriz")
    keys = [view._key_at(i) for i in range(view.tabs.count())]
    assert {"overview", "careplan"} <= set(keys)
    for key in keys:
        view.show_tab(key)
        if key == "careplan":  # a draft, so that Export PDF… and Print… are enabled and walked
            plan = view.careplan
            qtbot.waitUntil(plan.generate.isEnabled, timeout=10000)
            plan.generate.click()
            qtbot.waitUntil(lambda p=plan: p.doc is not None and p.export.isEnabled(), timeout=60000)
            assert plan.export.isVisible() and plan.print_button.isVisible()
        walk(window, f"patient tab {key}")
    window.show_settings()
    from assistant.gui.settings_dialog import SettingsDialog

    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SettingsDialog)), timeout=5000)
    dialog = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    walk(dialog, "settings")
    dialog.tabs.setCurrentWidget(dialog.knowledge)
    walk(dialog, "settings: clinical knowledge")
    dialog.close()
    assert window.act_deidentify.isEnabled()  # an admin: the de-identified export is offered
    window.act_deidentify.trigger()
    from assistant.gui.deidentify_dialog import DeidentifyDialog

    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(DeidentifyDialog)), timeout=5000)
    deid = next(d for d in window.findChildren(DeidentifyDialog) if d.isVisible())
    walk(deid, "de-identified export")
    deid.close()
    assert not problems, "controls wired to nothing:\n" + "\n".join(problems)
    assert checked["patient tab careplan"] > checked["home and patient list"] > 0
    assert checked["settings: clinical knowledge"] >= 3 and checked["de-identified export"] >= 3


def test_the_check_finds_a_dead_button(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    live, dead = QPushButton("Live", page), QPushButton("Dead", page)
    live.clicked.connect(lambda: None)
    page.show()
    assert [p.split("'")[1] for p in dead_controls(page, "page")] == ["Dead"]
    assert dead.isVisible()


def test_home_import_button_opens_the_import_dialog(qtbot, signed_in):
    window = signed_in
    window.show_home()
    home = window.workspace.home
    assert home.import_button.isVisible() and home.import_button.isEnabled()
    qtbot.mouseClick(home.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.import_dialog is not None and window.import_dialog.isVisible(), timeout=5000)


def test_careplan_tab_export_and_print_put_out_the_plan(qtbot, signed_in, gui, tmp_path: Path):
    from PySide6.QtPrintSupport import QPrinter

    window = signed_in
    view = gui.open_patient(window, "Beatriz")
    view.show_tab("careplan")
    plan = view.careplan
    qtbot.waitUntil(plan.generate.isEnabled, timeout=10000)
    plan.generate.click()
    qtbot.waitUntil(lambda: plan.doc is not None and plan.export.isEnabled(), timeout=60000)
    asked: list[str] = []
    target = tmp_path / "plan.pdf"
    window.output.ask_path = lambda default: asked.append(default) or target
    qtbot.mouseClick(plan.export, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and window.output.task is None, timeout=60000)
    assert asked and asked[0].startswith("careplan_") and "_v1" in asked[0]
    assert target.read_bytes().startswith(b"%PDF")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    window.output.choose_printer = lambda: printer
    qtbot.mouseClick(plan.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.output.task is None and window.output.last_how == "reports"
                    and (tmp_path / "printed.pdf").exists(), timeout=60000)
