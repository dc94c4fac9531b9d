"""Constants and small helpers shared by tests (imported as `support`; conftest modules cannot be imported by name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_FHIR = ROOT.parent / "shared" / "fhir" / "synthea-r4"
# Cheap Argon2 parameters: real ones cost ~0.3 s per derivation, too slow for hundreds of tests.
FAST_KDF = {"name": "argon2id", "time_cost": 1, "memory_kib": 1024, "parallelism": 1}
PASSWORD = "correct horse battery"


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run `assistant ARGV...` in-process: (exit code, stdout, stderr)."""
    from assistant.cli.main import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
