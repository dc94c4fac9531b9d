"""Summary with the real default model pack (skipped when `make model` has not been run)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from assist_fixtures import ROOT, sample_record, sample_risk

from assistant.assist.generation import allowed_numbers, number_constraint
from assistant.assist.summary import generate_summary
from assistant.assist.word_audit import ungrounded_words

# Another pack can be tested with ASSISTANT_TEST_PACK=DIR.
PACK = Path(os.environ.get("ASSISTANT_TEST_PACK") or ROOT / "models" / "default")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine():
    if not (PACK / "manifest.json").is_file():
        pytest.skip(f"no model pack at {PACK} (make model)")
    from assistant.assist.generation import load_engine

    return load_engine(Path(PACK))


def test_model_summary_is_verified_or_marked(engine):
    rec = sample_record()
    pieces: list[str] = []
    s = generate_summary(rec, sample_risk(), engine, on_text=pieces.append)
    assert s.source == "model" and s.model
    assert s.timing["new_tokens"] > 0 and s.timing["ttft_s"] > 0
    assert {x.status for x in s.all_sentences} <= {"verified", "unverified", "deterministic"}
    # Record-built text is not model text: only the model's shown sentences are put to the checks.
    assert all(x.status == "deterministic" for x in s.record_built)
    shown = [x for x in s.model_sentences if x.status == "verified"]
    assert all(x.unsupported == () and x.fact_ids for x in shown)
    # The independent word audit finds nothing in them that the cited lines lack (issue 13 target).
    assert [ungrounded_words(x.text, [s.facts.fact(i).text for i in x.fact_ids]) for x in shown] == [[]] * len(shown)
    assert all(x.status == "unverified" for x in s.dropped)
    assert "".join(pieces).strip()
    # The number constraint is built from the sheet and the engine's own tokenizer.
    assert number_constraint(engine, s.facts) is not None and "3.8" in allowed_numbers(s.facts)


def test_engine_free_after_cancel_and_again(engine):
    rec = sample_record()
    cancel = threading.Event()
    s = generate_summary(rec, None, engine, cancel=cancel, on_text=lambda _t: cancel.set())
    assert s.cancelled
    # A stopped generation must not leave the engine busy.
    s = generate_summary(rec, None, engine)
    assert s.source == "model" and not s.cancelled
