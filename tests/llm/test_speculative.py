"""Speculative decoding: prompt-lookup drafts, draft length, the runner's check and trim, and the loop's switches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.llm.speculative import DraftLength, PromptLookup

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "models" / "default"
needs_pack = pytest.mark.skipif(not (PACK / "manifest.json").is_file(), reason="no default pack: run `make model`")


def test_lookup_proposes_what_followed_the_last_tokens() -> None:
    look = PromptLookup([5, 6, 7, 8, 9, 1, 2, 5, 6])
    assert look.propose(3) == [7, 8, 9]
    assert look.propose(1) == [7]
    look.push(7)  # the text now ends 5, 6, 7: the longer match still points after the first run
    assert look.propose(2) == [8, 9]


def test_lookup_has_no_guess_for_new_text_or_single_tokens() -> None:
    look = PromptLookup([1, 2, 3, 4])
    assert look.propose(4) == []  # the ending (3, 4) occurs nowhere earlier
    look.push(9)
    look.push(3)
    assert look.propose(4) == []  # one matching token (3) is not enough: MIN_NGRAM is 2
    assert look.propose(0) == []


def test_lookup_takes_the_latest_occurrence_and_generated_text() -> None:
    look = PromptLookup([1, 2, 10, 1, 2, 20])
    for t in (1, 2):
        look.push(t)
    assert look.propose(1) == [20]  # the latest earlier "1 2" was followed by 20
    with pytest.raises(ValueError):
        PromptLookup([], max_ngram=1, min_ngram=2)


def test_draft_length_grows_on_full_acceptance_and_shrinks_on_rejection() -> None:
    d = DraftLength(start=4, maximum=8)
    d.update(4, 4)
    assert d.value == 6
    d.update(6, 6)
    d.update(8, 8)
    assert d.value == 8
    for _ in range(10):
        d.update(3, 0)
    assert d.value == 1


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    if not (PACK / "manifest.json").is_file():
        pytest.skip("no default pack: run `make model`")
    from assistant.llm import Engine

    return Engine(PACK, device="cpu", threads=1, speculative=True)


PROMPT = ("Medication: metformin 500 mg twice daily. Medication: lisinopril 10 mg once daily. "
          "Problem: type 2 diabetes since 2010. Problem: hypertension since 2012. Repeat the lines above:\n")


@needs_pack
def test_runner_check_gives_a_row_per_token_and_trim_forgets_them(engine) -> None:  # type: ignore[no-untyped-def]
    r = engine.runner
    assert r.can_verify and engine.layout.logits_positions
    ids = engine.encode(PROMPT, add_special_tokens=True)
    r.start(len(ids) + 16)
    r.prefill(ids)
    base = r.length
    first = r.verify([100, 200, 300]).copy()
    assert first.shape == (3, r.vocab) and r.length == base + 3
    r.trim(base)
    other = r.verify([400, 500]).copy()
    r.trim(base)
    again = r.verify([100, 200, 300]).copy()
    # The stale entries written for 400, 500 are never read: the same check gives the same rows.
    assert np.array_equal(first, again)
    assert not np.array_equal(other[0], first[0])
    r.trim(base + 1)
    assert r.length == base + 1
    with pytest.raises(ValueError):
        r.trim(base + 5)


def _no_guesses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The speculating loop with every lookup coming back empty: one token per pass."""
    monkeypatch.setattr(PromptLookup, "propose", lambda self, k: [])


@needs_pack
def test_speculation_accepts_copied_runs_and_gives_the_plain_loops_tokens(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assistant.llm import GenerationConfig

    config = GenerationConfig(max_new_tokens=40)
    engine.speculative = False
    off = engine.generate(PROMPT, config)
    off.result()
    assert not off.stats.speculative and off.stats.draft_tokens == 0
    assert off.stats.passes == off.stats.new_tokens - 1  # one pass per token after the first
    engine.speculative = True
    spec = engine.generate(PROMPT, config)
    spec.result()
    assert spec.stats.speculative and spec.stats.accepted_tokens > 0
    assert spec.stats.passes + spec.stats.accepted_tokens == spec.stats.new_tokens - 1
    with monkeypatch.context() as m:
        _no_guesses(m)
        plain = engine.generate(PROMPT, config)
        plain.result()
    assert plain.stats.accepted_tokens == 0
    # Exact: the same tokens with guesses as without, and as with the setting off.
    assert spec.token_ids == plain.token_ids == off.token_ids


@needs_pack
def test_a_check_rounds_like_single_steps(engine) -> None:  # type: ignore[no-untyped-def]
    """Teacher-forced: the logits of a check over k tokens equal those of k single steps of the
    pack's own model, bit for bit, whatever the context length modulo 4 (a plain several-row pass
    differed by up to ~0.7)."""
    r = engine.runner
    assert engine.layout.exact_checks and r.can_verify and engine.exact_check_error == 0.0
    ids = engine.encode(PROMPT * 3, add_special_tokens=True)
    forced = engine.encode(" Medication: metformin 500 mg twice daily. Problem: hypertension", add_special_tokens=False)
    for cut in range(4):
        context = ids[:len(ids) - cut]
        r.start(len(context) + len(forced))
        r.prefill(context)
        base = r.length
        singles = np.stack([r.step(t).copy() for t in forced[:9]])
        for k in (2, 5, 9):
            r.trim(base)
            rows = r.verify(forced[:k]).copy()
            assert np.array_equal(rows, singles[:k]), f"cut {cut} k={k}: max |diff| {np.abs(rows - singles[:k]).max()}"


@needs_pack
def test_a_check_that_rounds_otherwise_turns_speculation_off(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The start-up check is real: a tail layout one slot off (a remainder of 3 summed as one
    group, as a plain several-row kernel would) makes checks differ from steps, and the engine
    then decodes one token per pass instead of guessing."""
    from assistant.llm import Engine, GenerationConfig, exactcheck, kvcache

    real = exactcheck.tail_plan

    def merged(total: int, rows: int) -> tuple[int, np.ndarray, np.ndarray]:
        prefix, slots, mask = real(total, rows)
        for i in range(rows):
            for j in range(4, exactcheck.TAIL_SLOTS, 4):
                lone = mask[i, j] and not (j + 1 < exactcheck.TAIL_SLOTS and mask[i, j + 1])
                if lone and mask[i, j - 4] and mask[i, j - 3] and not mask[i, j - 2]:
                    slots[i, j - 2], mask[i, j - 2] = slots[i, j], 1.0  # back beside its pair
                    slots[i, j], mask[i, j] = 0, 0.0
        return prefix, slots, mask

    monkeypatch.setattr(kvcache, "tail_plan", merged)
    wrong = Engine(PACK, device="cpu", threads=1, speculative=True)
    assert wrong.exact_check_error is not None and wrong.exact_check_error > 0
    assert not wrong.runner.can_verify
    gen = wrong.generate(PROMPT, GenerationConfig(max_new_tokens=12))
    gen.result()
    assert not gen.stats.speculative and gen.stats.draft_tokens == 0


def _demo_prompts(engine, count: int) -> list[list[int]]:  # type: ignore[no-untyped-def]
    from benchmarks.llm_workload import workload_prompts

    return [p["ids"] for p in workload_prompts(engine, limit=1)[:count]]


@needs_pack
def test_speculation_gives_the_plain_tokens_on_demo_fact_sheets(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The app's own summary and care-plan prompts for a demo patient (which copy long runs from the
    fact sheet): speculative and plain greedy decoding agree token for token."""
    from assistant.llm import GenerationConfig

    config = GenerationConfig(max_new_tokens=56)
    engine.speculative = True
    accepted = 0
    for ids in _demo_prompts(engine, 2):
        spec = engine.generate_ids(ids, config)
        spec.result()
        accepted += spec.stats.accepted_tokens
        with monkeypatch.context() as m:
            _no_guesses(m)
            plain = engine.generate_ids(ids, config)
            plain.result()
        assert spec.token_ids == plain.token_ids
    assert accepted > 0  # guesses were taken, so the agreement says something


@needs_pack
def test_sampling_never_speculates(engine) -> None:  # type: ignore[no-untyped-def]
    from assistant.llm import GenerationConfig

    config = GenerationConfig(max_new_tokens=12, temperature=0.8, top_p=0.9, seed=7)
    engine.speculative = True
    on = engine.generate(PROMPT, config)
    on.result()
    engine.speculative = False
    off = engine.generate(PROMPT, config)
    off.result()
    engine.speculative = True
    assert not on.stats.speculative and on.stats.draft_tokens == 0
    assert on.token_ids == off.token_ids  # the same seed, the same single-step loop
