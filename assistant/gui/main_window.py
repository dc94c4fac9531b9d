"""Main window: sign-in, workspace and lock pages, toolbar and menus, shortcuts, status bar."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from . import lazy, tasks
from .admin import gate
from .context import AppContext
from .model_manager import ModelManager, preload_tokenizer
from .session import Session
from .shortcuts import ShortcutGuard
from .signin import LockPage, SignInPage
from .status import StatusBar
from .style import icon

if TYPE_CHECKING:
    from assistant.config import Settings

    from .import_dialog import ImportDialog
    from .output_actions import OutputActions
    from .workspace import Workspace

# Imported on a worker right after the sign-in page shows (see lazy.py): launch stays fast, and
# they are ready before the password has been checked.
WORKSPACE_MODULES = ("assistant.gui.workspace", "assistant.gui.output_actions",
                     "assistant.gui.import_dialog", "assistant.gui.settings_dialog")

TITLE = "Clinician Assistant"
SPARE_CHART_DELAY_MS = 100  # after the preload, before the spare chart is made


def _warm_tables() -> None:
    from . import services

    services.warm_reference_tables()
    services.warm_core_modules()


def _freeze_startup_objects() -> None:
    # Modules, classes and tables loaded so far live as long as the app: keep them out of the
    # cyclic collector's full passes, which otherwise walk them all (~50 ms, holding the
    # interpreter lock whichever thread triggers one).
    gc.freeze()


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Before anything is on screen: parsing the tokenizer holds the interpreter lock for
        # ~140 ms, which on the model-loading worker would freeze the sign-in page.
        preload_tokenizer(settings)
        self.setWindowTitle(TITLE)  # never a patient's name: the title shows in task bars and when locked
        self.setObjectName("mainWindow")
        self.settings = settings
        self.session = Session(settings.db_path, settings["session.idle_lock_minutes"], self)
        self.models = ModelManager(self)
        self.ctx = AppContext(self.session, settings, self.models)
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.signin = SignInPage(f"Database: {settings.db_path}")
        self.lock_page = LockPage()
        self.pages.addWidget(self.signin)
        self.pages.addWidget(self.lock_page)
        self.workspace: Workspace | None = None
        self._spare: Workspace | None = None  # built before sign-in, see _prepare_workspace
        self.startup_seconds = 0.0  # launch to shown, set by app.run
        self.import_dialog: ImportDialog | None = None
        self._hidden_windows: list[QWidget] = []
        self.status = StatusBar(self.ctx)
        self.setStatusBar(self.status)
        self._output: OutputActions | None = None
        self._build_actions()
        self.session.signed_in.connect(self._signed_in)
        self.session.sign_in_failed.connect(self.signin.show_error)
        self.session.locked.connect(self._locked)
        self.session.unlocked.connect(self._unlocked)
        self.session.unlock_failed.connect(self.lock_page.show_error)
        self.session.signed_out.connect(self._signed_out)
        self.signin.submitted.connect(self.session.sign_in)
        self.lock_page.unlock.connect(self.session.unlock)
        self.lock_page.sign_out.connect(self.sign_out)
        self._set_signed_in_ui(False)
        self.resize(1366, 768)
        QTimer.singleShot(0, self._preload)

    def _preload(self) -> None:
        # Everything the signed-in app needs, while the password is typed: the workspace first
        # (it is built as soon as its module is in), the chart library last.
        lazy.preload_in_order(WORKSPACE_MODULES + (lazy.CHART_MODULE,), then=_warm_tables,
                              on_done=self._preloaded)
        # The model needs no database: it loads while the user types the password, so the first
        # summary does not wait for it. (Creating the ONNX session holds the interpreter for
        # ~0.2 s; better now than under the clinician's first search.)
        QTimer.singleShot(300, self._load_model_once)

    def _load_model_once(self) -> None:
        if not self.models.attempted:
            self.models.load(self.settings)

    @property
    def output(self) -> OutputActions:
        """Export and print (Ctrl+E, Ctrl+P); built on first use."""
        if self._output is None:
            from .output_actions import OutputActions

            self._output = OutputActions(self.ctx, self)
        return self._output

    # --- actions, menus, shortcuts --------------------------------------------------------------
    def _action(self, text: str, slot: Any, shortcut: Any = None, icon_name: str = "") -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the toolbar is hidden
        return action

    def _build_actions(self) -> None:
        self.act_home = self._action("Home", self.show_home, None, "home")
        self.act_find = self._action("Find patient", self.focus_search, QKeySequence.StandardKey.Find, "search")
        self.act_patients = self._action("Patients", self.toggle_patients, None, "search")
        self.act_patients.setCheckable(True)
        self.act_patients.setChecked(True)
        self.act_patients.setToolTip("Show or hide the patient list (Ctrl+F shows it and puts the cursor in search)")
        self.act_import = self._action("Import…", self.show_import, None, "import")
        self.act_export = self._action("Export PDF…", lambda: self.output.export(), "Ctrl+E", "export")
        self.act_print = self._action("Print…", lambda: self.output.print(), QKeySequence.StandardKey.Print,
                                      "print")
        self.act_documents = [self._action(text, slot) for text, slot in (
            ("Export handout…", lambda: self.output.export_handout()), ("Print handout…", lambda: self.output.print_handout()),
            ("Print medication list…", lambda: self.output.print_medlist()))]
        self.act_settings = self._action("Settings…", self.show_settings, None, "settings")
        self.act_deidentify = self._action("De-identified export…", self.show_deidentify)
        self.act_lock = self._action("Lock", self.session.lock, "Ctrl+L", "lock")
        self.act_sign_out = self._action("Sign out", self.sign_out, None, "signout")
        self.act_quit = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)
        # Esc cancels a generation; as a shortcut it reaches us whichever widget has focus.
        self.esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel_generation)
        self.esc.setContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcut_guard = ShortcutGuard(self, self._generating)
        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_home, self.act_patients, self.act_import, self.act_print, self.act_export,
                  self.act_settings):
            bar.addAction(a)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction(self.act_lock)
        bar.addAction(self.act_sign_out)
        self.addToolBar(bar)
        self.toolbar = bar
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        for a in (self.act_import, self.act_export, self.act_print, *self.act_documents, self.act_deidentify):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addActions([self.act_lock, self.act_sign_out, self.act_quit])
        menu.addMenu("&Go").addActions([self.act_home, self.act_find, self.act_patients])
        tools = menu.addMenu("&Tools")
        tools.addAction(self.act_settings)
        self.signed_in_actions = [self.act_home, self.act_find, self.act_patients, self.act_import,
                                  self.act_export, self.act_print, self.act_settings, self.act_lock, self.act_sign_out]

    def _set_signed_in_ui(self, on: bool) -> None:
        for a in self.signed_in_actions:
            a.setEnabled(on)
        gate(self.act_deidentify, self.session.account, "Export records without identifiers (HIPAA Safe Harbor)", on)
        self.toolbar.setVisible(on)
        self.menuBar().setEnabled(on)
        self.esc.setEnabled(on)
        self.status.set_signed_in(on)

    # --- session transitions ---------------------------------------------------------------------
    def _preloaded(self) -> None:
        _freeze_startup_objects()
        # Built once the preload worker is done, not while it imports: the two would share the
        # interpreter, and the workspace's ~60 ms of widget building would take twice as long.
        lazy.when_loaded("assistant.gui.workspace", self._workspace_module_ready, context=self)
        # A chart for the first Labs tab, on a later turn than the workspace (each is a stall).
        QTimer.singleShot(SPARE_CHART_DELAY_MS, self, lambda: lazy.when_loaded(
            lazy.CHART_MODULE, self._chart_module_ready, context=self))

    def _chart_module_ready(self, module: Any, _error: str) -> None:
        if module is not None:
            module.prepare_spare(self)

    def _workspace_module_ready(self, module: Any, _error: str) -> None:
        if module is not None:
            self._prepare_workspace()

    def _prepare_workspace(self) -> None:
        """Build the (empty) workspace while the sign-in page waits for the password, so signing in
        only fills it: building and styling ~100 widgets is the slow part, and holds no patient data."""
        if self._spare is None and self.workspace is None:
            from .workspace import Workspace

            self._spare = Workspace(self.ctx)
            self._spare.hide()
            self.pages.addWidget(self._spare)
            self._spare.ensurePolished()

    def _signed_in(self, account: Any) -> None:
        if self._spare is None:
            self._prepare_workspace()
        self.workspace, self._spare = self._spare, None
        assert self.workspace is not None
        self.workspace.message.connect(self.status.flash)
        self.workspace.patient_opened.connect(self.status.patient_opened)
        self.workspace.sidebar_toggled.connect(self.act_patients.setChecked)
        self.workspace.import_requested.connect(self.show_import)
        self.workspace.export_requested.connect(self._export_plan)
        self.workspace.print_requested.connect(self._print_plan)
        self.pages.setCurrentWidget(self.workspace)
        self.signin.reset()
        self._set_signed_in_ui(True)
        self.status.set_user(account.shown_name)
        self.workspace.start()
        self.workspace.patients.focus_search()
        self._load_model_once()
        # The chart library is imported with the preload; should the sign-in have come first,
        # it is imported on a worker now, so the first Labs tab never waits on it.
        QTimer.singleShot(200, lazy.preload)

    def sign_out(self) -> None:
        if self.workspace is not None:
            self.workspace.confirm_discard(self._do_sign_out)
        else:
            self.session.sign_out()

    def _do_sign_out(self) -> None:
        if self.workspace is not None:
            self.workspace.shutdown()
        self.session.sign_out()

    def _signed_out(self) -> None:
        self._restore_hidden_windows(close=True)
        if self.import_dialog is not None:
            self.import_dialog.cancel()
            self.import_dialog.close()
            self.import_dialog.deleteLater()
            self.import_dialog = None
        if self.workspace is not None:
            self.workspace.close_patient(emit=False)
            self.pages.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        self._set_signed_in_ui(False)
        self.signin.reset()
        self.pages.setCurrentWidget(self.signin)
        QTimer.singleShot(500, self._prepare_workspace)

    def _locked(self) -> None:
        # The workspace is hidden, not destroyed: unsaved text stays exactly where it was.
        self.lock_page.prepare(self.session.account.name, bool(self.workspace and self.workspace.has_unsaved()))
        self.pages.setCurrentWidget(self.lock_page)
        self._set_signed_in_ui(False)
        self.status.set_locked(True)
        self._hidden_windows = [w for w in self._other_windows() if w.isVisible()]
        for w in self._hidden_windows:
            w.hide()

    def _unlocked(self) -> None:
        if self.workspace is not None:
            self.pages.setCurrentWidget(self.workspace)
        self._set_signed_in_ui(True)
        self.status.set_locked(False)
        self._restore_hidden_windows()

    def _other_windows(self) -> list[QWidget]:
        from PySide6.QtWidgets import QApplication

        return [w for w in QApplication.topLevelWidgets() if w is not self and w.isWindow()
                and not w.objectName().startswith("qt_")]

    def _restore_hidden_windows(self, close: bool = False) -> None:
        for w in self._hidden_windows:
            if close:
                w.close()
            else:
                w.show()
        self._hidden_windows = []

    # --- commands --------------------------------------------------------------------------------
    def show_home(self) -> None:
        if self.workspace is not None:
            self.workspace.show_home()

    def focus_search(self) -> None:
        if self.workspace is not None and not self.session.is_locked:
            self.workspace.set_sidebar(True)
            self.workspace.patients.focus_search()

    def toggle_patients(self) -> None:
        if self.workspace is not None:
            self.workspace.set_sidebar(self.act_patients.isChecked())

    def _generating(self) -> bool:
        view = self.workspace.view if self.workspace is not None else None
        return view is not None and view.generating

    def cancel_generation(self) -> None:
        view = self.workspace.view if self.workspace is not None else None
        if view is not None and view.cancel_generation():
            self.status.flash("Generation cancelled.")

    def _export_plan(self) -> None:
        self._show_plan_tab()
        self.output.export()

    def _print_plan(self) -> None:
        self._show_plan_tab()
        self.output.print()

    def _show_plan_tab(self) -> None:
        # The tab's buttons put out the care plan, never the summary: output picks by the tab shown.
        view = self.workspace.view if self.workspace is not None else None
        if view is not None and view.current_key() != "careplan":
            view.show_tab("careplan")

    def show_import(self) -> None:
        if self.import_dialog is None:
            from .import_dialog import ImportDialog

            self.import_dialog = ImportDialog(self.ctx.db, self)
            self.import_dialog.imported.connect(self._imported)
        self.import_dialog.show()
        self.import_dialog.raise_()

    def _imported(self, _report: Any) -> None:
        if self.workspace is not None:
            self.workspace.patients.refresh()
            self.workspace.home.refresh()

    def show_deidentify(self) -> None:
        from .deidentify_dialog import open_for

        open_for(self)

    def show_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.models.message, self, self.session.account)
        dialog.saved.connect(self._settings_saved)
        dialog.open()

    def _settings_saved(self, settings: Settings) -> None:
        old = self.settings
        self.settings = self.ctx.settings = settings
        self.session.set_idle_minutes(settings["session.idle_lock_minutes"])
        if (old.pack_dir, old["models.device"]) != (settings.pack_dir, settings["models.device"]):
            self.models.load(settings)
        self.status.flash("Settings saved.")

    # --- exit ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        if self.workspace is not None and self.workspace.has_unsaved() and not getattr(self, "_force", False):
            event.ignore()
            box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved edits",
                              "There are unsaved edits. Quit and discard them?",
                              QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self)
            box.finished.connect(lambda r: self._force_close() if r == QMessageBox.StandardButton.Discard
                                 else None)
            box.open()
            return
        self.shutdown()
        super().closeEvent(event)

    def _force_close(self) -> None:
        self._force = True
        self.close()

    def shutdown(self) -> None:
        """Stop every worker: generations, import, model load, then the database thread."""
        if self.import_dialog is not None:
            self.import_dialog.cancel()
        if self.workspace is not None:
            self.workspace.shutdown()
        self.models.shutdown()
        self.shortcut_guard.detach()
        self.session.idle.set_enabled(False)
        tasks.cancel_all()
        self.session.shutdown()
