"""Shared test fixtures: offscreen Qt, fast key derivation, temporary stores, the shared FHIR corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Qt must never try to open a display in tests (CI has none).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never read the machine's real site or user configuration.
os.environ.setdefault("ASSISTANT_SITE_CONFIG", str(Path(__file__).parent / "data" / "no-site.toml"))
os.environ.setdefault("ASSISTANT_USER_CONFIG", str(Path(__file__).parent / "data" / "no-user.toml"))

from support import FAST_KDF, PASSWORD, SHARED_FHIR  # noqa: E402


@pytest.fixture
def shared_fhir() -> Path:
    if not SHARED_FHIR.is_dir():
        pytest.skip("shared Synthea bundles (../shared/fhir/synthea-r4) not present")
    return SHARED_FHIR


@pytest.fixture
def make_store(tmp_path: Path):
    """Factory for a fresh encrypted store with an admin account; closed after the test."""
    from assistant.store.database import Store

    opened: list[Store] = []

    def make(name: str = "test.db") -> Store:
        store, _recovery = Store.create(tmp_path / name, "admin", PASSWORD, kdf=FAST_KDF)
        opened.append(store)
        return store

    yield make
    for s in opened:
        s.close()


@pytest.fixture
def store(make_store):
    return make_store()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Environment for running `assistant` CLI commands against a temporary database."""
    db = tmp_path / "cli.db"
    monkeypatch.setenv("ASSISTANT_DB", str(db))
    monkeypatch.setenv("ASSISTANT_USER", "admin")
    monkeypatch.setenv("ASSISTANT_PASSWORD", PASSWORD)
    return db
