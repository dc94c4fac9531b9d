"""The house rules: small modules with a docstring, command-line code only in assistant/cli."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "assistant"
MAX_LINES = 400
DOMAIN = ("records", "store", "clinical", "llm", "assist", "reports", "services", "deploy", "gui")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_over_the_size_limit() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules()
            if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines (split them): {long}"


def test_every_module_says_what_it_is_for() -> None:
    missing = [str(p.relative_to(ROOT)) for p in _modules()
               if p.name != "__main__.py" and not ast.get_docstring(ast.parse(p.read_text("utf-8")))]
    assert missing == [], f"modules without a docstring: {missing}"


def test_argparse_lives_only_in_the_cli_package() -> None:
    # The domain packages know nothing of the command line (issue 12): no commands modules and no
    # argparse outside assistant/cli.
    commands = [str(p.relative_to(ROOT)) for pkg in DOMAIN for p in (PACKAGE / pkg).rglob("*commands*.py")]
    assert commands == []
    users = []
    for p in _modules():
        # `python -m assistant.demo` (make run) is the one entry point outside the CLI package.
        if p.is_relative_to(PACKAGE / "cli") or p == PACKAGE / "demo.py":
            continue
        tree = ast.parse(p.read_text("utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if "argparse" in names:
                users.append(str(p.relative_to(ROOT)))
    assert users == [], f"argparse imported outside assistant/cli: {users}"

