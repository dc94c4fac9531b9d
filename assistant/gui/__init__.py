"""PySide6 desktop application over the Qt-free core."""
