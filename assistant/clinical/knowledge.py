"""Where the clinical knowledge tables live, and cached readers for their CSV and TOML files."""

from __future__ import annotations

import csv
import os
import tomllib
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from assistant.config import resources_dir
from assistant.errors import AssistantError

# The installer may move the tables next to a frozen executable; it sets this variable instead of
# patching code. Nothing else in the clinical package knows where the files are.
ENV_DIR = "ASSISTANT_KNOWLEDGE_DIR"


class KnowledgeError(AssistantError):
    """A knowledge table is missing or malformed: the installation is broken, not the user's input."""

    exit_code = 4


def knowledge_dir() -> Path:
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override)
    return _verified_pack()[0]


@cache
def _verified_pack() -> tuple[Path, str]:
    # Checked once per process, on the first table read: the built-in pack against its manifest,
    # an installed one against its signature too. A mismatch stops here, naming the file.
    from assistant.clinical.knowledge_install import active

    info = active()
    return (info.path or resources_dir() / "knowledge"), info.label


def knowledge_version() -> str:
    """'name version' of the pack the tables come from (recorded with every flag, score and plan)."""
    if os.environ.get(ENV_DIR):
        from assistant.clinical.knowledge_pack import MANIFEST

        manifest = Path(os.environ[ENV_DIR]) / MANIFEST
        return "unverified folder" if not manifest.is_file() else _verified_label(manifest.parent)
    return _verified_pack()[1]


def _verified_label(folder: Path) -> str:
    from assistant.clinical.knowledge_pack import read_manifest

    m = read_manifest(folder)
    return f"{m.get('name', '')} {m.get('version', '')}"


def knowledge_path(name: str) -> Path:
    """Path of one knowledge file, e.g. knowledge_path('interactions.csv')."""
    return knowledge_dir() / name


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a knowledge CSV as dicts of stripped strings. Lines starting with '#' are comments.

    Every table must have a non-empty `source` column on every row: a rule without a published
    source cannot be shown to a clinician (design principle 2).
    """
    path = knowledge_path(name)
    try:
        with path.open(encoding="utf-8", newline="") as f:
            lines = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    except OSError as e:
        raise KnowledgeError(f"knowledge table {path} cannot be read ({e.strerror}); "
                             "reinstall the application") from None
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or "source" not in reader.fieldnames:
        raise KnowledgeError(f"knowledge table {path} has no 'source' column")
    rows = []
    for n, raw in enumerate(reader, start=2):
        if None in raw:  # more cells than headers: a comma inside an unquoted field
            raise KnowledgeError(f"{path}: row {n} has more cells than the header")
        row = {k: (v or "").strip() for k, v in raw.items()}
        if not row["source"]:
            raise KnowledgeError(f"{path}: row {n} has no source")
        rows.append(row)
    return tuple(rows)


@cache
def read_toml(name: str) -> dict[str, Any]:
    path = knowledge_path(name)
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise KnowledgeError(f"knowledge file {path} cannot be read ({e.strerror}); "
                             "reinstall the application") from None
    except tomllib.TOMLDecodeError as e:
        raise KnowledgeError(f"knowledge file {path} is not valid TOML: {e}") from None


def split_list(cell: str, sep: str = ";") -> tuple[str, ...]:
    """A multi-valued cell ('a; b;c') as a tuple of non-empty stripped parts."""
    return tuple(p.strip() for p in cell.split(sep) if p.strip())


_DERIVED: list[Any] = []


def derived_table(fn: Callable[[], Any]) -> Any:
    """Decorator: build an index from the tables once, and forget it in clear_caches()."""
    cached = lru_cache(maxsize=1)(fn)
    _DERIVED.append(cached)
    return cached


def register_cache(fn: Any) -> Any:
    """Have clear_caches() also empty another lru_cache that depends on the tables."""
    _DERIVED.append(fn)
    return fn


def clear_caches() -> None:
    """Forget every loaded table (tests that point ASSISTANT_KNOWLEDGE_DIR elsewhere call this)."""
    read_csv.cache_clear()
    read_toml.cache_clear()
    _verified_pack.cache_clear()
    for fn in _DERIVED:
        fn.cache_clear()
