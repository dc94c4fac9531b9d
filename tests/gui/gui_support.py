"""Constants the GUI tests share (imported by conftest.py and the test modules)."""

from __future__ import annotations

from pathlib import Path

import pytest

USER, PASSWORD = "admin", "a long password"
FAST_KDF = {"name": "argon2id", "time_cost": 1, "memory_kib": 1024, "parallelism": 1}
SMALL = "Zachary_Kutch_01396393-ed81-4f7f-a073-553cb407837f.json"
SECOND = "Matt_Mosciski_11bfb5ea-d969-43ae-8411-953b246de98d.json"
LARGEST = "Beatriz_Salazar_c837db1d-d74b-4707-be68-b87bb25b4504.json"  # most entries of the shared set
SYNTHEA = Path(__file__).resolve().parents[2].parent / "shared" / "fhir" / "synthea-r4"


def shared_file(name: str) -> Path:
    path = SYNTHEA / name
    if not path.exists():
        pytest.skip(f"shared record {name} not available")
    return path
