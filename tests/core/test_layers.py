"""The core never imports Qt: only assistant/gui/ may (napari's rule, enforced here)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "assistant"
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "qtpy")


def _qt_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found += [n for n in names if n.split(".")[0] in QT_MODULES]
    return found


def test_no_module_outside_gui_imports_qt() -> None:
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "gui":
            continue
        hits = _qt_imports(path)
        if hits:
            offenders[str(rel)] = hits
    assert offenders == {}, f"Qt imported outside assistant/gui/: {offenders}"


def test_checker_sees_a_qt_import(tmp_path: Path) -> None:
    # Guard against a checker that can never fail.
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport PyQt5.QtWidgets as w\n")
    assert _qt_imports(bad) == ["PySide6.QtCore", "PyQt5.QtWidgets"]


def test_importing_the_core_and_cli_loads_no_qt() -> None:
    code = ("import sys, pkgutil, importlib, assistant\n"
            "for m in pkgutil.walk_packages(assistant.__path__, 'assistant.'):\n"
            "    if m.name.startswith('assistant.gui'): continue\n"
            "    importlib.import_module(m.name)\n"
            "import assistant.cli.main; assistant.cli.main.build_parser()\n"
            "print([m for m in sys.modules if m.split('.')[0] in ('PySide6','PyQt5','PyQt6','shiboken6')])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
