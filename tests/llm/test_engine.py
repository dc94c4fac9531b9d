"""Engine mechanics on tiny random packs: KV cache, stopping, streaming, cancelling, budget, sampling."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from test_tiny_pack import EOS_ID, build_tiny_pack

from assistant.errors import BadInputError
from assistant.llm import Engine, EngineBusyError, GenerationConfig, ModelPack
from assistant.llm.engine import prefill_chunks

PROMPT = "The patient takes metformin 1000 mg twice daily."


@pytest.fixture(scope="module", params=["genai", "optimum"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = build_tiny_pack(tmp_path_factory.mktemp(request.param), request.param)
    return Engine(ModelPack.load(folder), device="cpu", threads=1)


@pytest.fixture(scope="module")
def genai_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine(build_tiny_pack(tmp_path_factory.mktemp("g"), "genai"), device="cpu", threads=1)


def greedy(n: int, **kw: object) -> GenerationConfig:
    return GenerationConfig(max_new_tokens=n, min_new_tokens=n, **kw)  # type: ignore[arg-type]


class Recorder:
    """A logits processor that only records what it is shown."""

    def __init__(self) -> None:
        self.logits: list[np.ndarray] = []
        self.seen: list[list[int]] = []

    def __call__(self, generated, logits):
        self.logits.append(logits.copy())
        self.seen.append(list(generated))
        return logits


def test_kv_cache_decode_matches_full_recompute(engine: Engine) -> None:
    prompt = engine.encode(PROMPT)
    rec = Recorder()
    gen = engine.generate_ids(prompt, greedy(12), logits_processor=rec)
    gen.result()
    assert len(gen.token_ids) == 12
    for i in range(12):
        # Recompute step i from scratch: one prefill over prompt + the first i generated tokens.
        ref = Recorder()
        engine.generate_ids(prompt + gen.token_ids[:i], greedy(1), logits_processor=ref).result()
        np.testing.assert_allclose(rec.logits[i], ref.logits[0], rtol=1e-4, atol=1e-4)
        assert int(np.argmax(ref.logits[0])) == gen.token_ids[i]
    assert rec.seen[5] == gen.token_ids[:5]


def test_same_call_twice_gives_same_tokens(engine: Engine) -> None:
    a = engine.generate(PROMPT, greedy(10))
    a.result()
    engine.generate("Blood pressure 142/88, heart rate 72, eGFR 42", greedy(30)).result()  # dirty the cache
    b = engine.generate(PROMPT, greedy(10))
    b.result()
    assert a.token_ids == b.token_ids


def test_stops_on_eos_without_emitting_it(engine: Engine) -> None:
    def eos_third(generated, logits):
        if len(generated) == 2:
            logits[:] = -np.inf
            logits[EOS_ID] = 0.0
        return logits

    gen = engine.generate(PROMPT, GenerationConfig(max_new_tokens=20), logits_processor=eos_third)
    text = gen.result()
    assert gen.token_ids[-1] == EOS_ID and len(gen.token_ids) == 3
    assert gen.stats.stop_reason == "eos"
    assert text == engine.decode(gen.token_ids[:2])


def test_min_new_tokens_holds_back_eos(engine: Engine) -> None:
    def want_eos(generated, logits):
        logits[EOS_ID] = 1e9
        return logits

    gen = engine.generate(PROMPT, GenerationConfig(max_new_tokens=8, min_new_tokens=4), logits_processor=want_eos)
    gen.result()
    assert len(gen.token_ids) == 5 and gen.token_ids[-1] == EOS_ID and EOS_ID not in gen.token_ids[:4]


def test_stop_string_cuts_text_and_streams_only_before_it(engine: Engine) -> None:
    full = engine.generate(PROMPT, greedy(40))
    full_text = full.result()
    visible = full_text.strip()
    assert len(visible) > 10, full_text
    start = len(full_text) // 2
    stop = full_text[start : start + 3]
    cut = full_text.find(stop)
    gen = engine.generate(PROMPT, GenerationConfig(max_new_tokens=40, stop_strings=(stop,)))
    pieces = list(gen)
    assert gen.stats.stop_reason == "stop_string"
    assert "".join(pieces) == gen.text == full_text[:cut]


def test_streamed_pieces_join_to_the_decoded_text(engine: Engine) -> None:
    gen = engine.generate(PROMPT, greedy(25))
    pieces = list(gen)
    assert "".join(pieces) == gen.text == engine.decode(gen.token_ids)
    assert gen.stats.stop_reason == "max_new_tokens"


def test_cancel_from_another_thread_between_tokens(genai_engine: Engine) -> None:
    gen = genai_engine.generate(PROMPT, greedy(50))
    for _ in gen:
        if len(gen.token_ids) >= 3:
            t = threading.Thread(target=genai_engine.cancel)
            t.start()
            t.join()
    assert gen.stats.stop_reason == "cancelled"
    assert 3 <= len(gen.token_ids) <= 4
    assert not genai_engine.busy


def test_cancel_event_and_worker_thread(genai_engine: Engine) -> None:
    stop = threading.Event()
    pieces: list[str] = []
    at_cancel: list[int] = []
    gen = genai_engine.generate(PROMPT, greedy(200), cancel=stop)

    def worker() -> None:  # as the GUI does: generate on a worker, cancel from elsewhere
        for piece in gen:
            pieces.append(piece)
            if len(gen.token_ids) >= 5 and not stop.is_set():
                at_cancel.append(len(gen.token_ids))
                stop.set()

    t = threading.Thread(target=worker)
    t.start()
    t.join(timeout=30)
    assert gen.stats.stop_reason == "cancelled" and len(gen.token_ids) == at_cancel[0]
    assert "".join(pieces) == gen.text


def test_cancel_before_start_generates_nothing(genai_engine: Engine) -> None:
    stop = threading.Event()
    stop.set()
    gen = genai_engine.generate(PROMPT, greedy(5), cancel=stop)
    assert gen.result() == "" and gen.stats.stop_reason == "cancelled" and gen.token_ids == []


def test_one_generation_at_a_time(genai_engine: Engine) -> None:
    first = genai_engine.generate(PROMPT, greedy(10))
    started, release = threading.Event(), threading.Event()

    def consume() -> None:  # another thread is in the middle of consuming `first`
        next(first)
        started.set()
        release.wait(10)
        first.close()  # closing a generation frees the engine

    t = threading.Thread(target=consume)
    t.start()
    started.wait(10)
    assert genai_engine.busy
    with pytest.raises(EngineBusyError):
        next(genai_engine.generate(PROMPT, greedy(3)))
    release.set()
    t.join(10)
    assert not genai_engine.busy and first.stats.stop_reason == "cancelled"
    assert len(genai_engine.generate(PROMPT, greedy(3)).token_ids) == 0  # not started yet


def test_a_loop_left_with_break_does_not_hold_the_engine(genai_engine: Engine) -> None:
    first = genai_engine.generate(PROMPT, greedy(20))
    for _ in first:
        break
    second = genai_engine.generate(PROMPT, greedy(3))
    second.result()
    assert first.stats.stop_reason == "cancelled" and len(second.token_ids) == 3


def test_context_budget_refuses_with_numbers(genai_engine: Engine) -> None:
    ids = list(range(3, 253))  # 250 tokens; the tiny context is 256
    with pytest.raises(BadInputError, match=r"250 tokens.*10 new tokens.*4 more than.*256"):
        genai_engine.generate_ids(ids, GenerationConfig(max_new_tokens=10))
    with pytest.raises(BadInputError, match="leaves no room"):
        genai_engine.generate_ids([3], GenerationConfig(max_new_tokens=256))


def test_context_budget_truncates_when_asked(genai_engine: Engine) -> None:
    ids = list(range(3, 253))
    gen = genai_engine.generate_ids(ids, GenerationConfig(max_new_tokens=10, overflow="truncate"))
    gen.result()
    assert gen.stats.truncated_tokens == 4 and gen.stats.prompt_tokens == 246


def test_chat_truncation_drops_old_turns_first(genai_engine: Engine) -> None:
    long = "The patient takes metformin 1000 mg twice daily. " * 8
    msgs = [{"role": "system", "content": "Be brief."}]
    msgs += [{"role": "user" if i % 2 == 0 else "assistant", "content": long} for i in range(8)]
    with pytest.raises(BadInputError):
        genai_engine.chat(msgs, GenerationConfig(max_new_tokens=20))
    gen = genai_engine.chat(msgs, GenerationConfig(max_new_tokens=20, overflow="truncate"))
    gen.result()
    assert gen.stats.truncated_tokens > 0
    assert gen.stats.prompt_tokens + 20 <= genai_engine.context_length
    assert genai_engine.decode(gen.prompt_ids, skip_special_tokens=False).startswith("<|im_start|>system\nBe brief.")


def test_chat_uses_the_pack_template(genai_engine: Engine) -> None:
    text = genai_engine.render_chat([{"role": "user", "content": "Hi"}])
    assert text == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    ids = genai_engine.encode(text)
    assert ids[0] == 1 and 2 in ids  # special tokens parsed from the rendered text


def test_sampling_is_reproducible_with_a_seed(engine: Engine) -> None:
    cfg = GenerationConfig(max_new_tokens=15, min_new_tokens=15, temperature=1.5, top_p=0.95, seed=7)
    a, b = engine.generate(PROMPT, cfg), engine.generate(PROMPT, cfg)
    a.result(), b.result()
    assert a.token_ids == b.token_ids
    others = [engine.generate(PROMPT, GenerationConfig(max_new_tokens=15, min_new_tokens=15, temperature=1.5,
                                                       seed=s)) for s in range(3)]
    for o in others:
        o.result()
    assert len({tuple(o.token_ids) for o in [a, *others]}) > 1


def test_top_k_one_is_greedy(engine: Engine) -> None:
    g = engine.generate(PROMPT, greedy(10))
    k = engine.generate(PROMPT, greedy(10, temperature=0.8, top_k=1, seed=3))
    g.result(), k.result()
    assert g.token_ids == k.token_ids


def test_stats_are_reported(genai_engine: Engine) -> None:
    gen = genai_engine.generate(PROMPT, greedy(8))
    gen.result()
    s = gen.stats
    assert s.new_tokens == 8 and s.prompt_tokens == len(genai_engine.encode(PROMPT, add_special_tokens=True))
    assert s.ttft_s > 0 and s.decode_tokens_per_s > 0 and s.peak_rss_mb > 10
    assert s.provider == "CPUExecutionProvider" and s.threads == 1 and genai_engine.device == "cpu"
    assert genai_engine.last_stats is s


def test_count_tokens(genai_engine: Engine) -> None:
    assert genai_engine.count_tokens(PROMPT) == len(genai_engine.encode(PROMPT)) > 3


def test_engine_accepts_a_path(tmp_path: Path) -> None:
    engine = Engine(build_tiny_pack(tmp_path / "p"), device="cpu")
    assert engine.threads >= 1 and engine.context_length == 256


def test_prefill_chunks_are_near_equal_and_cover_the_prompt() -> None:
    assert prefill_chunks(600, 512) == [(0, 300), (300, 600)]
    assert prefill_chunks(512, 512) == [(0, 512)]
    assert prefill_chunks(10, None) == [(0, 10)]
    pieces = prefill_chunks(1001, 100)
    assert len(pieces) == 11 and pieces[0][0] == 0 and pieces[-1][1] == 1001
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
    assert max(e - s for s, e in pieces) <= 100 and min(e - s for s, e in pieces) >= 90


def test_chunked_prefill_gives_the_same_logits_and_tokens(tmp_path: Path) -> None:
    folder = build_tiny_pack(tmp_path, "genai")
    whole = Engine(ModelPack.load(folder), device="cpu", threads=1, prefill_chunk_tokens=10_000)
    chunked = Engine(ModelPack.load(folder), device="cpu", threads=1, prefill_chunk_tokens=3)
    assert chunked.prefill_chunk_tokens == 3
    prompt = chunked.encode(PROMPT + " " + PROMPT)
    assert len(prompt) > 9  # several pieces
    outs = []
    for eng in (whole, chunked):
        rec = Recorder()
        gen = eng.generate_ids(prompt, greedy(8), logits_processor=rec)
        gen.result()
        outs.append((gen.token_ids, rec.logits))
    assert outs[0][0] == outs[1][0]
    for a, b in zip(outs[0][1], outs[1][1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_optimum_packs_prefill_in_one_call(tmp_path: Path) -> None:
    engine = Engine(build_tiny_pack(tmp_path, "optimum"), device="cpu", threads=1, prefill_chunk_tokens=3)
    assert engine.prefill_chunk_tokens is None


def test_cancel_is_seen_between_prefill_pieces(tmp_path: Path) -> None:
    engine = Engine(build_tiny_pack(tmp_path, "genai"), device="cpu", threads=1, prefill_chunk_tokens=2)
    cancel = threading.Event()
    calls = []
    real = engine.runner.prefill

    def prefill(ids):  # cancel as soon as the first piece has run
        calls.append(len(ids))
        cancel.set()
        return real(ids)

    engine.runner.prefill = prefill  # type: ignore[method-assign]
    gen = engine.generate_ids(engine.encode(PROMPT), greedy(4), cancel=cancel)
    assert gen.result() == "" and gen.token_ids == []
    assert calls == [2] and gen.stats.stop_reason == "cancelled"


def test_prefill_chunk_tokens_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="prefill_chunk_tokens"):
        Engine(build_tiny_pack(tmp_path, "genai"), device="cpu", threads=1, prefill_chunk_tokens=0)



def test_onnxruntime_telemetry_is_off_once_the_engine_module_loads():
    # In a fresh process (reloading the module here would give later tests new class objects).
    import subprocess
    import sys

    code = ("import onnxruntime as o; calls = []; o.disable_telemetry_events = lambda: calls.append(1); "
            "import assistant.llm.providers; print(len(calls))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "1", out.stderr
