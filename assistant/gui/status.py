"""Status bar: who is signed in, whether the model is loaded, on which device, last generation speed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from .context import AppContext


class StatusBar(QStatusBar):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("statusBar")
        self.message = QLabel("")
        self.message.setObjectName("statusMessage")
        self.user = QLabel("")
        self.user.setObjectName("statusUser")
        self.model = QLabel("")
        self.model.setObjectName("statusModel")
        self.device = QLabel("")
        self.device.setObjectName("statusDevice")
        self.speed = QLabel("")
        self.speed.setObjectName("statusSpeed")
        self.addWidget(self.message, 1)
        for w in (self.user, self.model, self.device, self.speed):
            self.addPermanentWidget(w)
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(lambda: self.message.setText(""))
        ctx.models.changed.connect(self.update_model)
        self.update_model()

    def set_signed_in(self, on: bool) -> None:
        if not on:
            self.user.setText("Not signed in")

    def set_user(self, name: str) -> None:
        self.user.setText(f"Signed in: {name}")

    def set_locked(self, locked: bool) -> None:
        self.user.setText("Locked" if locked else f"Signed in: {self.ctx.user}")

    def flash(self, text: str, ms: int = 6000) -> None:
        self.message.setText(text)
        self._flash_timer.start(ms)

    def patient_opened(self, view: Any) -> None:
        pass  # the banner names the patient; the status bar never does (it stays visible when locked)

    def update_model(self) -> None:
        m = self.ctx.models
        if m.state == "loaded":
            self.model.setText(f"Model: {m.info.name if m.info else 'loaded'}")
            self.model.setToolTip(m.message)
        elif m.state == "loading":
            self.model.setText("Model: loading…")
            self.model.setToolTip("")
        else:
            self.model.setText("Model: not loaded (deterministic text)")
            self.model.setToolTip(m.message)
        self.device.setText(f"Device: {m.device.upper() if m.device else '—'}")
        if m.last_speed:
            self.speed.setText(f"Last generation: {m.last_speed:.1f} tokens/s")
        else:
            self.speed.setText("Last generation: —")
