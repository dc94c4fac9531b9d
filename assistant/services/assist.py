"""The assist pipeline for the front ends: evaluate the flags, load the engine, write a summary."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.assist.generation import evaluate_risk
from assistant.errors import AssistantError
from assistant.records.record import PatientRecord

if TYPE_CHECKING:
    from assistant.assist.result import Summary
    from assistant.clinical.flags import RiskReport
    from assistant.llm.engine import Engine

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class EngineChoice:
    """The engine to write with, or None; `note` says why an installed pack is not used."""

    engine: Engine | None
    note: str = ""


def choose_engine(model_dir: str | Path | None = None, *, no_model: bool = False) -> EngineChoice:
    """The engine of `model_dir`, else of the installed model pack (None without a pack, or with
    `no_model`). A pack named with `model_dir` that cannot load raises ModelPackError (it was asked
    for); an installed pack that cannot load gives no engine and a note, so summaries, reviews and
    PDFs fall back to record-built text, as care-plan drafts do, instead of failing."""
    if no_model:
        return EngineChoice(None)
    from assistant.assist.generation import load_engine as load

    try:
        engine: Engine | None = load(model_dir)
    except Exception as e:  # ModelPackError, or ONNX Runtime refusing a damaged model file
        if model_dir is not None:
            raise
        why = e.message if isinstance(e, AssistantError) else f"{type(e).__name__}: {e}"
        log.warning("installed model pack unusable (%s); record-built text used", type(e).__name__)
        return EngineChoice(None, f"the installed model pack cannot be used ({why}); text written "
                                  "from the record without a language model. Reinstall the pack "
                                  "(`assistant model install`) or check it with `assistant doctor`")
    return EngineChoice(engine)


def load_engine(model_dir: str | Path | None = None, *, no_model: bool = False) -> Engine | None:
    """The engine `choose_engine` picks, without its note."""
    return choose_engine(model_dir, no_model=no_model).engine


__all__ = ["EngineChoice", "choose_engine", "evaluate_risk", "generate_summary", "load_engine"]
