"""Constants shared by tests (imported as `support`; conftest modules cannot be imported by name)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_FHIR = ROOT.parent / "shared" / "fhir" / "synthea-r4"
# Cheap Argon2 parameters: real ones cost ~0.3 s per derivation, too slow for hundreds of tests.
FAST_KDF = {"name": "argon2id", "time_cost": 1, "memory_kib": 1024, "parallelism": 1}
PASSWORD = "correct horse battery"
