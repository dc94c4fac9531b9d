"""The assist pipeline for the front ends: evaluate the flags, load the engine, write a summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.assist.generation import evaluate_risk
from assistant.records.record import PatientRecord

if TYPE_CHECKING:
    from assistant.assist.result import Summary
    from assistant.clinical.flags import RiskReport
    from assistant.llm.engine import Engine

# The engine, the flags and the summary code are imported on first use: the CLI and the GUI import
# this module while they start, long before (if ever) a summary is asked for.


def generate_summary(record: PatientRecord, risk: RiskReport | None = None,
                     engine: Engine | None = None) -> Summary:
    """A fresh summary (deterministic unless an engine is given), unverified sentences marked or
    dropped as the site's `summary.unverified` setting says."""
    from assistant.assist.summary import generate_summary as generate
    from assistant.config import load_settings

    return generate(record, risk, engine, use_model=engine is not None,
                    unverified=str(load_settings()["summary.unverified"]))


def load_engine(model_dir: str | Path | None = None, *, no_model: bool = False) -> Engine | None:
    """The engine of `model_dir`, else of the installed model pack (None without a pack, or with
    `no_model`), as `assistant summarize` picks it."""
    if no_model:
        return None
    from assistant.assist.generation import load_engine as load

    engine: Engine | None = load(model_dir)
    return engine


__all__ = ["evaluate_risk", "generate_summary", "load_engine"]
