"""Fixtures of the clinical tests: the chart builder's clock moved to now, for charts dated relative to today."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import test_chart_builder as builder


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Now (whole seconds); the builder's AS_OF moved to it, so `ago(days)` counts back from today."""
    now = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr(builder, "AS_OF", now)
    return now
