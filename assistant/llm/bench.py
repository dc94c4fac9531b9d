"""Engine benchmark: time to first token, decode speed and peak memory on a fixed prompt (medians)."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from tokenizers import Tokenizer

from assistant.errors import BadInputError
from assistant.json_types import JSONObject
from assistant.llm.engine import Engine
from assistant.llm.pack import ModelPack
from assistant.llm.sampling import GenerationConfig

# Fixed, invented clinical prose (no real patient): repeated until the prompt has the asked length.
BENCH_TEXT = (
    "Clinic letter. The patient is a retired teacher seen today for review of type 2 diabetes, "
    "hypertension and stage 3 chronic kidney disease. She reports good adherence to metformin and "
    "ramipril, occasional dizziness on standing, and no chest pain, breathlessness or ankle swelling. "
    "Home blood pressure readings average in the low one-forties systolic. Her last HbA1c was higher "
    "than the time before, and her weight is unchanged. She walks most days and has cut down on sugary "
    "drinks. Examination: alert, well perfused, heart sounds normal, chest clear, no oedema, feet with "
    "intact sensation and palpable pulses. Plan: repeat renal function and potassium, review the "
    "metformin dose against kidney function, consider a second agent if glycaemic targets are not met, "
    "check orthostatic blood pressure at the next visit, and continue lifestyle advice. "
)


def bench_prompt_ids(tokenizer: Tokenizer, n_tokens: int) -> list[int]:
    """Exactly `n_tokens` prompt ids cut from the fixed text (the same for every engine compared)."""
    if n_tokens < 1:
        raise BadInputError("--prompt-tokens must be at least 1")
    ids: list[int] = []
    one = tokenizer.encode(BENCH_TEXT, add_special_tokens=False).ids
    while len(ids) < n_tokens:
        ids.extend(one)
    return ids[:n_tokens]


def prompt_file_ids(engine: Engine, path: str | Path) -> list[int]:
    """Prompt ids from a file: a JSON list of chat messages ([{"role", "content"}, ...]) is rendered
    with the pack's chat template, as the app sends it; any other file is raw text."""
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix == ".json":
        messages = json.loads(text)
        if not isinstance(messages, list) or not all(isinstance(m, dict) and "content" in m for m in messages):
            raise BadInputError(f"{path}: expected a JSON list of {{\"role\", \"content\"}} messages")
        return engine.encode(engine.render_chat(messages))
    return engine.encode(text, add_special_tokens=True)


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def run_bench(pack_dir: str | Path, prompt_tokens: int = 600, new_tokens: int = 128, runs: int = 3,
              warmup: int = 1, threads: int | None = None, device: str = "auto",
              spin: bool = True, prompt_file: str | Path | None = None, speculative: bool = False,
              stop_at_eos: bool = False) -> JSONObject:
    """Load the pack, warm up, then time `runs` greedy generations (that ignore end-of-sequence
    unless `stop_at_eos`) of the fixed prompt or of `prompt_file`."""
    if runs < 1 or warmup < 0 or new_tokens < 1:
        raise BadInputError("--runs and --new-tokens must be at least 1, --warmup at least 0")
    t0 = time.perf_counter()
    pack = ModelPack.load(pack_dir)
    engine = Engine(pack, device=device, threads=threads, spin=spin, speculative=speculative)
    load_s = time.perf_counter() - t0
    ids = prompt_file_ids(engine, prompt_file) if prompt_file else bench_prompt_ids(engine.tokenizer, prompt_tokens)
    # min_new_tokens keeps end-of-sequence away so every run decodes the same number of tokens.
    config = GenerationConfig(max_new_tokens=new_tokens, min_new_tokens=0 if stop_at_eos else new_tokens)
    samples = []
    output_ids: list[int] = []
    for i in range(warmup + runs):
        gen = engine.generate_ids(ids, config)
        gen.result()
        if i >= warmup:
            samples.append(gen.stats)
            output_ids = output_ids or list(gen.token_ids)
    return {
        "engine": "assistant.llm",
        "pack": str(pack.path),
        "model": pack.name,
        "quantization": pack.quantization,
        "provider": engine.provider,
        "threads": engine.threads,
        "spin": spin,
        "speculative": samples[0].speculative,
        "prompt_file": str(prompt_file) if prompt_file else None,
        "prompt_tokens": len(ids),
        "new_tokens": samples[0].new_tokens,
        "runs": runs,
        "load_s": round(load_s, 3),
        "ttft_s": round(_median([s.ttft_s for s in samples]), 4),
        "decode_tokens_per_s": round(_median([s.decode_tokens_per_s for s in samples]), 2),
        "peak_rss_mb": round(_median([s.peak_rss_mb for s in samples]), 1),
        "ttft_s_all": [round(s.ttft_s, 4) for s in samples],
        "decode_tokens_per_s_all": [round(s.decode_tokens_per_s, 2) for s in samples],
        "peak_rss_mb_all": [s.peak_rss_mb for s in samples],
        # per run: guesses checked, accepted, and model passes after the prompt
        "draft_tokens": samples[0].draft_tokens,
        "accepted_tokens": samples[0].accepted_tokens,
        "passes": samples[0].passes,
        "accepted_per_pass": round(samples[0].accepted_tokens / max(samples[0].passes, 1), 3),
        "output_ids": output_ids,
    }
