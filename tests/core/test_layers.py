"""The layering: the core never imports Qt, and the import contracts in pyproject.toml hold."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "assistant"
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


# --- the import contracts ([tool.importlinter] in pyproject.toml) ----------------------------------
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def _lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("importlinter") is None:
        pytest.skip("import-linter is not installed (pip install -e .[dev])")
    # This checkout's package, whatever an editable install points at; no cache in the checkout.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_import_contracts_hold() -> None:
    out = _lint_imports()
    assert out.returncode == 0, f"import contracts broken (lint-imports):\n{out.stdout}\n{out.stderr}"
    assert "0 broken" in out.stdout


def test_import_checker_sees_a_broken_contract(tmp_path: Path) -> None:
    # Guard against a checker that can never fail: the CLI does start the GUI.
    config = tmp_path / "contracts.toml"
    config.write_text('[tool.importlinter]\nroot_package = "assistant"\n\n'
                      '[[tool.importlinter.contracts]]\nname = "cli without gui"\ntype = "forbidden"\n'
                      'source_modules = ["assistant.cli"]\nforbidden_modules = ["assistant.gui"]\n')
    out = _lint_imports(str(config))
    assert out.returncode != 0 and "assistant.cli.gui -> assistant.gui" in out.stdout, out.stdout
