"""The app's look: Fusion style, our stylesheet and SVG icons from resources/style."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from assistant.config import resources_dir

SEVERITY_ORDER = {"critical": 0, "high": 1, "moderate": 2, "info": 3}
SEVERITY_COLOR = {"critical": "#b42318", "high": "#dc6803", "moderate": "#a16207", "info": "#2563eb"}


def style_dir() -> Path:
    return resources_dir() / "style"


@cache
def icon(name: str) -> QIcon:
    path = style_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def apply(app: QApplication) -> None:
    """Fusion everywhere (the same look on every platform), a light palette and our stylesheet."""
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f5f7fa"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f8fafc"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#cfe0f5"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#101828"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#1f5fa8"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#101828"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#101828"))
    app.setPalette(palette)
    font = QFont(app.font())
    if font.pointSizeF() < 9.5:
        font.setPointSizeF(10)
    app.setFont(font)
    qss = style_dir() / "app.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    app.setWindowIcon(icon("app"))


def set_primary(button: QPushButton, primary: bool = True) -> QPushButton:
    button.setProperty("primary", primary)
    return button


def set_property(widget: QWidget, name: str, value: object) -> None:
    """Change a property the stylesheet selects on and make Qt re-apply the style."""
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
