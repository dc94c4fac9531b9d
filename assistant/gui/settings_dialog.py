"""Settings: model pack (with its licence), device, idle-lock minutes (site-locked: read-only); knowledge packs."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant import config

from . import choosers, services
from .knowledge_view import KnowledgeView
from .session import describe_error
from .style import set_primary
from .user_settings import save_user_settings

DEVICE_LABELS = {"auto": "Automatic (GPU when present, else CPU)", "cpu": "CPU",
                 "cuda": "GPU: NVIDIA CUDA", "directml": "GPU: DirectML (Windows)",
                 "coreml": "GPU/ANE: Core ML (macOS)"}


class SettingsDialog(QDialog):
    """`saved(settings)` with the reloaded settings after a successful save."""

    saved = Signal(object)

    def __init__(self, settings: config.Settings, model_state: str = "", parent: QWidget | None = None,
                 account: object = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self.resize(640, 560)
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        outer.addWidget(self.tabs, 1)
        general = QWidget()
        lay = QVBoxLayout(general)
        form = QFormLayout()
        pack_row = QHBoxLayout()
        self.pack = QLineEdit(settings["models.pack_dir"])
        self.pack.setObjectName("packDir")
        self.pack.setPlaceholderText(f"default: {settings.pack_dir}")
        self.browse = QPushButton("Browse…")
        pack_row.addWidget(self.pack, 1)
        pack_row.addWidget(self.browse)
        form.addRow("Model pack", pack_row)
        self.device = QComboBox()
        self.device.setObjectName("device")
        for choice in config.KEY_BY_NAME["models.device"].choices:
            self.device.addItem(DEVICE_LABELS.get(choice, choice), choice)
        self.device.setCurrentIndex(max(self.device.findData(settings["models.device"]), 0))
        form.addRow("Device", self.device)
        self.idle = QSpinBox()
        self.idle.setObjectName("idleMinutes")
        key = config.KEY_BY_NAME["session.idle_lock_minutes"]
        self.idle.setRange(int(key.minimum or 1), int(key.maximum or 240))
        self.idle.setSuffix(" min")
        self.idle.setValue(int(settings["session.idle_lock_minutes"]))
        form.addRow("Lock after idle", self.idle)
        lay.addLayout(form)
        for widget, name in ((self.pack, "models.pack_dir"), (self.device, "models.device"),
                             (self.idle, "session.idle_lock_minutes")):
            if not settings.can_change(name):
                widget.setEnabled(False)
                widget.setToolTip("Set by your site administrator")
        self.browse.setEnabled(settings.can_change("models.pack_dir"))
        title = QLabel("Model")
        title.setObjectName("sectionTitle")
        lay.addWidget(title)
        self.model_state = QLabel(model_state)
        self.model_state.setObjectName("hint")
        self.model_state.setWordWrap(True)
        lay.addWidget(self.model_state)
        self.pack_info = QLabel("")
        self.pack_info.setWordWrap(True)
        self.pack_info.setObjectName("packInfo")
        lay.addWidget(self.pack_info)
        self.licence = QPlainTextEdit()
        self.licence.setObjectName("licence")
        self.licence.setReadOnly(True)
        lay.addWidget(self.licence, 1)
        self.tabs.addTab(general, "General")
        self.knowledge = KnowledgeView(account)
        self.tabs.addTab(self.knowledge, "Clinical knowledge")
        lay = outer
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        buttons = QHBoxLayout()
        self.where = QLabel(f"Saved to {config.user_config_path()}")
        self.where.setObjectName("hint")
        buttons.addWidget(self.where, 1)
        cancel = QPushButton("Cancel")
        self.save_button = set_primary(QPushButton("Save"))
        self.save_button.setObjectName("saveSettings")
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        lay.addLayout(buttons)
        cancel.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        self.browse.clicked.connect(self._browse)
        self.pack.editingFinished.connect(self._show_pack)
        self._show_pack()

    def _browse(self) -> None:
        folder = choosers.existing_folder(self, "Model pack folder", self.pack.text())
        if folder:
            self.pack.setText(folder)
            self._show_pack()

    def _show_pack(self) -> None:
        from pathlib import Path

        path = Path(self.pack.text()).expanduser() if self.pack.text().strip() else self.settings.pack_dir
        try:
            info = services.read_pack_info(path)
        except Exception as e:  # a missing pack is normal: the app then writes deterministic text
            self.pack_info.setText(f"<b>No usable pack</b> at {escape(str(path))}: {escape(describe_error(e))}"
                                   "<br>Without a model every feature still works with deterministic text.")
            self.licence.setPlainText("")
            return
        self.pack_info.setText(f"<b>{escape(info.name)}</b> {escape(info.version)} · licence: "
                               f"<b>{escape(info.licence or 'not stated')}</b>"
                               + (f"<br>Source: {escape(info.source)}" if info.source else ""))
        self.licence.setPlainText(info.licence_text or f"Licence: {info.licence or 'not stated in the manifest'}")

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.settings.can_change("models.pack_dir"):
            out["models.pack_dir"] = self.pack.text().strip()
        if self.settings.can_change("models.device"):
            out["models.device"] = self.device.currentData()
        if self.settings.can_change("session.idle_lock_minutes"):
            out["session.idle_lock_minutes"] = self.idle.value()
        return out

    def save(self) -> None:
        try:
            save_user_settings(self.values(), self.settings)
            new = config.load_settings()
        except Exception as e:
            self.error.setText(describe_error(e))
            self.error.show()
            return
        self.saved.emit(new)
        self.accept()
