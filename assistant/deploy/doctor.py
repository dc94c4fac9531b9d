"""`assistant doctor`: what is installed and configured on this machine, checked without a password."""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant import __version__
from assistant.config import (
    KEYS,
    Settings,
    load_settings,
    resources_dir,
    site_config_path,
    site_data_path,
    user_config_path,
)
from assistant.errors import AssistantError

OK, WARN, FAIL = "ok", "warn", "fail"
# Distributions whose versions matter when something goes wrong (read from metadata: no Qt import).
VERSIONED = ("onnxruntime", "tokenizers", "sqlcipher3", "PySide6-Essentials", "reportlab", "cryptography",
             "numpy", "fhir.resources")
REPORT_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass
class Check:
    """One line of the report: what was checked, ok/warn/fail, a short sentence and the details."""

    name: str
    status: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


def command_name() -> str:
    """How the user runs us: `clinician-assistant` in the packaged app, `assistant` from source."""
    return "clinician-assistant" if getattr(sys, "frozen", False) else "assistant"


def _version(dist: str) -> str:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return ""


def check_versions() -> Check:
    versions = {"clinician-assistant": __version__, "python": platform.python_version()}
    versions.update({d: _version(d) or "not installed" for d in VERSIONED})
    try:
        import sqlcipher3

        conn = sqlcipher3.connect(":memory:")
        versions["sqlcipher"] = str(conn.execute("PRAGMA cipher_version").fetchone()[0])
        conn.close()
    except Exception as e:  # a broken build: say so, keep going
        versions["sqlcipher"] = f"unavailable ({e})"
    frozen = bool(getattr(sys, "frozen", False))
    details = {"versions": versions, "platform": platform.platform(), "machine": platform.machine(),
               "frozen": frozen, "executable": sys.executable}
    return Check("versions", OK, f"clinician-assistant {__version__}, Python {versions['python']}, "
                 f"{'packaged' if frozen else 'source'} on {platform.system()} {platform.machine()}", details)


def check_providers(settings: Settings | None) -> Check:
    try:
        import onnxruntime
    except ImportError as e:
        return Check("onnxruntime", FAIL, f"ONNX Runtime cannot load ({e}); reinstall the application")
    providers = list(onnxruntime.get_available_providers())
    device = settings["models.device"] if settings else "auto"
    wanted = {"cuda": "CUDAExecutionProvider", "directml": "DmlExecutionProvider",
              "coreml": "CoreMLExecutionProvider"}.get(device)
    details = {"version": onnxruntime.__version__, "providers": providers, "device_setting": device}
    if wanted and wanted not in providers:
        return Check("onnxruntime", WARN, f"models.device is {device!r} but {wanted} is not available "
                     f"(providers: {', '.join(providers)}); inference falls back to CPU", details)
    return Check("onnxruntime", OK, f"{onnxruntime.__version__}; providers {', '.join(providers)}", details)


def check_model(settings: Settings | None) -> Check:
    if settings is None:
        return Check("model pack", WARN, "not checked: the configuration has an error")
    from assistant.deploy.packs import load_pack

    path = settings.pack_dir
    details: dict[str, Any] = {"path": str(path), "configured_by": settings.sources["models.pack_dir"]}
    if not (path / "manifest.json").exists():
        return Check("model pack", WARN, f"no model pack at {path}: summaries and plans use deterministic "
                     f"text (install one with `{command_name()} model install`)", details)
    try:
        pack = load_pack(path)
    except AssistantError as e:
        return Check("model pack", FAIL, e.message, details)
    details.update(pack.describe())
    return Check("model pack", OK, f"{pack.name} {pack.version} ({pack.quantization}, {pack.licence}) at "
                 f"{path}: manifest and checksums verified", details)


def _plain_sqlite_reads(path: Path) -> bool:
    """True if the standard (unencrypted) SQLite library can read the file: then it is NOT encrypted."""
    with open(path, "rb") as f:
        if f.read(16) == PLAIN_SQLITE_HEADER:
            return True
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return True
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def check_database(path: Path | None) -> Check:
    if path is None:
        return Check("database", WARN, "not checked: the configuration has an error")
    from assistant.store.keyring import Keyring

    keys = Keyring.path_for(path)
    details: dict[str, Any] = {"path": str(path), "key_file": str(keys), "exists": path.exists()}
    if not path.exists():
        folder = next((p for p in path.parents if p.exists()), None)
        writable = folder is not None and os.access(folder, os.W_OK)
        details["folder_writable"] = writable
        return Check("database", WARN, f"no database at {path} yet: create it with `{command_name()} init`"
                     + ("" if writable else f" (cannot write to {folder})"), details)
    try:
        details["size_bytes"] = path.stat().st_size
        with open(path, "rb"):
            pass
    except OSError as e:
        return Check("database", FAIL, f"{path}: cannot read ({e.strerror}); check permissions", details)
    details["writable"] = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    try:
        ring = Keyring.load(keys)
    except AssistantError as e:
        return Check("database", FAIL, e.message, details)
    details["accounts_with_keys"] = len(ring.slots)
    details["rekey_interrupted"] = bool(ring.pending)
    if _plain_sqlite_reads(path):
        details["encrypted"] = False
        return Check("database", FAIL, f"{path} is NOT encrypted: plain SQLite can read it", details)
    details["encrypted"] = True
    note = "" if details["writable"] else " (read-only for this user)"
    return Check("database", OK if details["writable"] else WARN,
                 f"{path}: present, encrypted (plain SQLite cannot read it), key file with "
                 f"{len(ring.slots)} key slots{note}", details)


def check_fonts() -> Check:
    folder = resources_dir() / "fonts"
    present = sorted(p.name for p in folder.glob("*.tt[fc]")) if folder.is_dir() else []
    missing = [f for f in REPORT_FONTS if f not in present]
    details = {"folder": str(folder), "fonts": present}
    if missing:
        return Check("fonts", FAIL, f"report fonts missing in {folder}: {', '.join(missing)}; reinstall "
                     "the application", details)
    return Check("fonts", OK, f"{len(present)} fonts in {folder}", details)


def _run(cmd: list[str]) -> str | None:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout if r.returncode == 0 else ""


def list_printers() -> tuple[list[str], str]:
    """(printer names, how they were listed): CUPS `lpstat -a`, or PowerShell Get-Printer on Windows."""
    if sys.platform == "win32":
        out = _run(["powershell", "-NoProfile", "-Command", "Get-Printer | ForEach-Object Name"])
        return ([line.strip() for line in (out or "").splitlines() if line.strip()], "Get-Printer")
    if shutil.which("lpstat") is None:
        return [], "no lpstat (CUPS client not installed)"
    out = _run(["lpstat", "-a"])
    return ([line.split()[0] for line in (out or "").splitlines() if line.strip()], "lpstat -a")


def check_printers() -> Check:
    printers, how = list_printers()
    details = {"printers": printers, "method": how}
    if not printers:
        return Check("printers", WARN, f"none found ({how}); PDF export still works", details)
    return Check("printers", OK, f"{len(printers)} found: {', '.join(printers)}", details)


def config_report(settings: Settings | None, error: str | None) -> dict[str, Any]:
    site, user = site_config_path(), user_config_path()
    out: dict[str, Any] = {
        "site_file": str(site), "site_file_present": site.exists(),
        "user_file": str(user), "user_file_present": user.exists(),
        "site_data": str(site_data_path()), "resources": str(resources_dir()),
    }
    if error:
        out["error"] = error
    if settings is not None:
        out["models_dir"] = str(settings.models_dir)
        out["pack_dir"] = str(settings.pack_dir)
        out["db_path"] = str(settings.db_path)
        out["values"] = {k.name: {"value": settings[k.name], "source": settings.sources[k.name],
                                  "locked": k.name in settings.locked} for k in KEYS}
    return out


def run_doctor(db: Path | None = None) -> dict[str, Any]:
    """All checks, as a JSON-ready dict: {"ok", "checks": [...], "config": {...}}."""
    settings: Settings | None
    try:
        settings, error = load_settings(), None
    except AssistantError as e:
        settings, error = None, e.message
    checks = [check_versions()]
    checks.append(Check("configuration", FAIL, error) if error else
                  Check("configuration", OK, f"site file {site_config_path()} "
                        f"{'in effect' if site_config_path().exists() else 'absent (defaults)'}; "
                        f"{len(settings.locked) if settings else 0} locked settings"))
    checks += [check_providers(settings), check_model(settings),
               check_database(db if db is not None else settings.db_path if settings else None),
               check_fonts(), check_printers()]
    return {"ok": all(c.status != FAIL for c in checks), "checks": [asdict(c) for c in checks],
            "config": config_report(settings, error)}


def format_report(report: dict[str, Any]) -> str:
    lines = [f"Clinician Assistant {__version__}: doctor"]
    for c in report["checks"]:
        lines.append(f"[{c['status']:4}] {c['name']}: {c['summary']}")
    cfg = report["config"]
    lines += ["", "Configuration",
              f"  site file: {cfg['site_file']} ({'present' if cfg['site_file_present'] else 'absent'})",
              f"  user file: {cfg['user_file']} ({'present' if cfg['user_file_present'] else 'absent'})"]
    for name in ("db_path", "pack_dir", "models_dir", "resources"):
        if name in cfg:
            lines.append(f"  {name}: {cfg[name]}")
    if cfg.get("error"):
        lines.append(f"  ERROR: {cfg['error']}")
    for name, v in cfg.get("values", {}).items():
        lock = "  [locked by site]" if v["locked"] else ""
        lines.append(f"  {name} = {json.dumps(v['value'])}  ({v['source']}){lock}")
    lines.append("")
    lines.append("All checks passed." if report["ok"] else "Some checks FAILED (see [fail] above).")
    return "\n".join(lines)
