"""Write the settings a user changes in the app to their own TOML file (other keys in it are kept)."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from assistant import config
from assistant.errors import BadInputError


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    # A JSON string is a valid TOML basic string (same escapes) for everything a setting holds.
    return json.dumps(str(value), ensure_ascii=False)


def dump_toml(flat: dict[str, Any]) -> str:
    """Dotted names to TOML tables: {'models.device': 'cpu'} -> [models] device = "cpu"."""
    tables: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for name, value in sorted(flat.items()):
        table, _, key = name.rpartition(".")
        (tables.setdefault(table, {}) if table else top)[key] = value
    lines = [f"{k} = {_toml_value(v)}" for k, v in top.items()]
    for table, values in tables.items():
        lines += ["", f"[{table}]"] + [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    return "# Clinician Assistant user settings (written by the app; edit with care)\n" + \
        "\n".join(lines).lstrip("\n") + "\n"


def save_user_settings(changes: dict[str, Any], settings: config.Settings) -> Path:
    """Validate and merge `changes` into the user file; settings fixed by the site are refused."""
    path = config.user_config_path()
    flat: dict[str, Any] = {}
    if path.exists():
        with open(path, "rb") as f:
            try:
                flat = config._flatten(tomllib.load(f))
            except tomllib.TOMLDecodeError as e:
                raise BadInputError(f"{path}: not valid TOML ({e}); fix or delete it") from None
    for name, value in changes.items():
        key = config.KEY_BY_NAME[name]
        if not settings.can_change(name):
            raise BadInputError(f"{name} is set by your site and cannot be changed here")
        flat[name] = config._check(key, value, "setting")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(dump_toml(flat), encoding="utf-8")
    os.replace(tmp, path)
    return path
