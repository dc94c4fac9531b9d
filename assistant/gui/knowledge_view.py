"""Settings view of the clinical-knowledge packs: the active one, those installed, verify, install, roll back."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assistant.clinical import knowledge_install as packs
from assistant.clinical.knowledge_pack import PackInfo

from . import choosers
from .admin import gate
from .session import describe_error
from .tasks import Task, run_task

COLUMNS = ("Pack", "Version", "Date", "Tables", "Origin", "")
AFTER_CHANGE = ("Flags, scores and care plans evaluated from now on use it; those already on screen "
                "keep the version they name.")


def origin(info: PackInfo) -> str:
    """'built-in', or the first characters of the trusted publisher key that signed the pack."""
    return f"signed by {info.signed_by[:12]}…" if info.signed_by else "built-in"


def describe(info: PackInfo) -> str:
    return f"{info.label} · {info.date} · {origin(info)}"


class KnowledgeView(QWidget):
    """`changed(label)` after an install or a rollback, with the label of the pack now active."""

    changed = Signal(str)

    def __init__(self, account: object = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.account = account
        self.task: Task | None = None
        self.setObjectName("knowledgeView")
        lay = QVBoxLayout(self)
        intro = QLabel("The clinical knowledge (interactions, reference ranges, critical limits, care-plan "
                       "templates, code maps) is a versioned pack. Packs other than the built-in one must "
                       "be signed by a publisher key your site trusts (knowledge.trusted_keys).")
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.active = QLabel("")
        self.active.setObjectName("knowledgeActive")
        self.active.setWordWrap(True)
        lay.addWidget(self.active)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("knowledgePacks")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        self.result = QLabel("")
        self.result.setObjectName("knowledgeResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.result)
        row = QHBoxLayout()
        self.verify_button = QPushButton("Verify now")
        self.verify_button.setToolTip("Check every table of the active pack against its manifest "
                                      "(and an installed pack's signature)")
        self.install_button = QPushButton("Install pack…")
        self.rollback_button = QPushButton("Roll back")
        for b in (self.verify_button, self.install_button, self.rollback_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.verify_button.clicked.connect(self.verify)
        self.install_button.clicked.connect(self._choose_and_install)
        self.rollback_button.clicked.connect(self.rollback)
        self.refresh()

    # --- what is shown ------------------------------------------------------------------------
    def refresh(self) -> None:
        active: PackInfo | None = None
        try:
            active = packs.active()
            self.active.setText(f"Active: <b>{escape(active.label)}</b> · {escape(active.date)} · "
                                f"{escape(origin(active))}")
        except Exception as e:  # noqa: BLE001 - a pack that no longer verifies is shown, not raised
            self.active.setText(f"<b>Active pack does not verify:</b> {escape(describe_error(e))}")
        try:
            rows = packs.installed()
        except Exception as e:  # noqa: BLE001 - the built-in pack itself broken: say so
            rows = []
            self._show(f"The installed packs cannot be listed: {describe_error(e)}", ok=False)
        self.table.setRowCount(len(rows))
        for r, info in enumerate(rows):
            is_active = active is not None and info.label == active.label
            cells = (info.name, info.version, info.date, str(info.files), origin(info),
                     "active" if is_active else "")
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        # An installed pack is active, whether or not it still verifies: a broken one is exactly
        # what a rollback is for.
        can_roll = packs.active_dir() != packs.builtin_dir()
        self._set_busy(False, can_roll)

    def _set_busy(self, busy: bool, can_roll: bool | None = None) -> None:
        self.verify_button.setEnabled(not busy)
        gate(self.install_button, self.account, "Install a signed knowledge pack from a folder", not busy)
        if can_roll is None:
            can_roll = self.rollback_button.isEnabled()
        gate(self.rollback_button, self.account, "Make the previously active pack active again",
             not busy and can_roll)
        if not can_roll and not busy:
            self.rollback_button.setToolTip("The built-in pack is active: there is nothing to roll back to")

    def _show(self, text: str, ok: bool) -> None:
        self.result.setObjectName("knowledgeResult" if ok else "error")
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.result.setText(text)

    # --- commands (on a worker: they read and hash every table) -------------------------------
    def _run(self, fn: Callable[[], PackInfo], ok_text: Callable[[PackInfo], str], fail_text: str,
             changed: bool) -> None:
        if self.task is not None:
            return
        self._set_busy(True)
        self._show("Working…", ok=True)

        def done(info: PackInfo) -> None:
            self.task = None
            self._show(ok_text(info), ok=True)
            self.refresh()
            if changed:
                self.changed.emit(info.label)

        def failed(error: BaseException) -> None:
            self.task = None
            self._show(f"{fail_text}: {describe_error(error)}", ok=False)
            self.refresh()

        self.task = run_task(lambda _c: fn(), name="knowledge", on_result=done, on_error=failed, context=self)

    def verify(self) -> None:
        self._run(packs.active, lambda i: f"OK: {describe(i)}: all {i.files} tables match the manifest"
                  + (", and the signature is by a trusted key." if i.signed_by else "."),
                  "Verification failed", changed=False)

    def ask_folder(self) -> str:
        """The pack folder from the safe chooser (tests replace this)."""
        return choosers.existing_folder(self, "Knowledge pack folder")

    def _choose_and_install(self) -> None:
        folder = self.ask_folder()
        if folder:
            self.install(Path(folder))

    def install(self, source: Path) -> None:
        # A pack's manifest picked instead of its folder means the folder.
        folder = source.parent if source.is_file() else source
        self._run(lambda: packs.install(folder), lambda i: f"Installed {describe(i)}; it is now active. "
                  + AFTER_CHANGE, "Refused; the current pack stays in use", changed=True)

    def rollback(self) -> None:
        self._run(packs.rollback, lambda i: f"Rolled back: {describe(i)} is active. " + AFTER_CHANGE,
                  "Roll back failed", changed=True)
