"""LLM engine vs onnxruntime-genai on the same pack and prompt: TTFT, decode tokens/s, peak memory, tokens.

Peak memory: each engine alone in its own process (one warm-up, two runs). Speed and tokens: both
engines in one process, runs interleaved (engine, genai, genai, engine, ...) after a warm-up, so a
busy machine slows both alike; greedy, end-of-sequence ignored. Reported: medians, and the median of
the per-pair ratios. Run alone with
`python -m benchmarks.bench_llm [--pack DIR] [--prompt-tokens N] [--new-tokens N] [--pairs N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PACK = ROOT / "models" / "default"
OUT = ROOT / ".bench" / "llm.json"


def _peak_reset() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class GenaiRunner:
    """onnxruntime-genai on a copy of the pack's config that sets its thread count."""

    def __init__(self, pack: Path, threads: int) -> None:
        import onnxruntime_genai as og

        self.og, self.tmp = og, tempfile.TemporaryDirectory()
        for f in pack.iterdir():
            if f.name != "genai_config.json":
                os.symlink(f.resolve(), Path(self.tmp.name) / f.name)
        config = json.loads((pack / "genai_config.json").read_text())
        # genai defaults to one thread here; give it the engine's thread count.
        config["model"]["decoder"]["session_options"]["intra_op_num_threads"] = threads
        (Path(self.tmp.name) / "genai_config.json").write_text(json.dumps(config))
        self.model = og.Model(self.tmp.name)
        # A usable genai pipeline holds its tokenizer, as the engine's process does.
        self.tokenizer = og.Tokenizer(self.model)

    def run(self, ids: list[int], new_tokens: int) -> tuple[float, float, float, list[int]]:
        """(time to first token, decode tokens/s, peak RSS MB of the call, output ids)."""
        og = self.og
        _peak_reset()
        start = time.perf_counter()
        params = og.GeneratorParams(self.model)
        params.set_search_options(max_length=len(ids) + new_tokens, min_length=len(ids) + new_tokens,
                                  do_sample=False)
        gen = og.Generator(self.model, params)
        gen.append_tokens(ids)
        gen.generate_next_token()
        out = [int(gen.get_next_tokens()[0])]
        first = time.perf_counter()
        while len(out) < new_tokens:
            gen.generate_next_token()
            out.append(int(gen.get_next_tokens()[0]))
        end = time.perf_counter()
        return first - start, (len(out) - 1) / (end - first), _peak_mb(), out


def genai_worker(pack: Path, ids_file: Path, new_tokens: int, runs: int, warmup: int, threads: int) -> dict[str, Any]:
    """Memory (and timing) of onnxruntime-genai alone in its process, measured as the engine's."""
    ids = json.loads(ids_file.read_text())
    runner = GenaiRunner(pack, threads)
    samples = [runner.run(ids, new_tokens) for _ in range(warmup + runs)][warmup:]
    return {"engine": "onnxruntime-genai", "version": runner.og.__version__, "threads": threads,
            "ttft_s_all": [s[0] for s in samples], "decode_tokens_per_s_all": [s[1] for s in samples],
            "peak_rss_mb_all": [s[2] for s in samples], "output_ids": samples[0][3]}


def paired_worker(pack: Path, ids_file: Path, new_tokens: int, pairs: int, threads: int,
                  spin: bool = True) -> dict[str, Any]:
    """Speed: both engines in one process, runs interleaved, so a busy machine slows both alike."""
    from assistant.llm import Engine, GenerationConfig

    ids = json.loads(ids_file.read_text())
    engine = Engine(pack, device="cpu", threads=threads, spin=spin)
    genai = GenaiRunner(pack, threads)
    config = GenerationConfig(max_new_tokens=new_tokens, min_new_tokens=new_tokens)

    def ours() -> tuple[float, float, float, list[int]]:
        gen = engine.generate_ids(ids, config)
        gen.result()
        return gen.stats.ttft_s, gen.stats.decode_tokens_per_s, gen.stats.peak_rss_mb, gen.token_ids

    ours(), genai.run(ids, new_tokens)  # warm-up
    rows = []
    for i in range(pairs):
        if i % 2 == 0:
            a, b = ours(), genai.run(ids, new_tokens)
        else:
            b = genai.run(ids, new_tokens)
            a = ours()
        rows.append({"engine": a[:2], "genai": b[:2], "identical": a[3] == b[3]})
        print(f"  pair {i + 1}/{pairs}: decode {a[1]:.1f} vs {b[1]:.1f} tokens/s, "
              f"first token {a[0]:.2f} vs {b[0]:.2f} s", file=sys.stderr, flush=True)
    return {"provider": engine.provider, "rows": rows}


def _run_json(cmd: list[str], show_progress: bool = False) -> dict[str, Any]:
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=None if show_progress else subprocess.PIPE,
                          text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed: {(done.stderr or '').strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(pack: Path, prompt_tokens: int, new_tokens: int, pairs: int, spin: bool = True) -> dict[str, Any]:
    from tokenizers import Tokenizer

    from assistant.llm.bench import bench_prompt_ids
    from assistant.llm.providers import physical_cores

    threads = physical_cores()
    ids = bench_prompt_ids(Tokenizer.from_file(str(pack / "tokenizer.json")), prompt_tokens)
    with tempfile.TemporaryDirectory() as tmp:
        ids_file = Path(tmp) / "ids.json"
        ids_file.write_text(json.dumps(ids))
        common = ["--pack", str(pack), "--ids", str(ids_file), "--new-tokens", str(new_tokens),
                  "--threads", str(threads)]
        # Peak memory: each engine alone in its own process (the engine-only entry point, since
        # `assistant model bench` also imports every other subsystem).
        ours_mem = _run_json([sys.executable, "-m", "assistant.llm.bench", str(pack), "--device", "cpu",
                              "--prompt-tokens", str(prompt_tokens), "--new-tokens", str(new_tokens),
                              "--runs", "2", "--threads", str(threads), *([] if spin else ["--no-spin"])])
        if ours_mem["prompt_tokens"] != len(ids):
            raise RuntimeError("the engine's bench prompt differs from genai's")
        genai_mem = _run_json([sys.executable, "-m", "benchmarks.bench_llm", "--genai-worker", "--runs", "2", *common])
        # Speed and tokens: interleaved in one process.
        paired = _run_json([sys.executable, "-m", "benchmarks.bench_llm", "--paired-worker", "--runs", str(pairs),
                            *common, *([] if spin else ["--no-spin"])], show_progress=True)
    rows = paired["rows"]

    def med(who: str, i: int) -> float:
        return float(statistics.median(r[who][i] for r in rows))

    engine = {"ttft_s": med("engine", 0), "decode_tokens_per_s": med("engine", 1),
              "peak_rss_mb": statistics.median(ours_mem["peak_rss_mb_all"])}
    genai = {"ttft_s": med("genai", 0), "decode_tokens_per_s": med("genai", 1),
             "peak_rss_mb": statistics.median(genai_mem["peak_rss_mb_all"])}
    return {
        "pack": str(pack), "prompt_tokens": prompt_tokens, "new_tokens": new_tokens, "threads": threads,
        "provider": paired["provider"], "pairs": pairs, "spin": spin, "engine": engine, "genai": genai,
        "ratio": {"decode_tokens_per_s": engine["decode_tokens_per_s"] / genai["decode_tokens_per_s"],
                  "ttft_s": engine["ttft_s"] / genai["ttft_s"],
                  "peak_rss_mb": engine["peak_rss_mb"] / genai["peak_rss_mb"],
                  # per-pair ratios: each pair ran back to back, under the same load
                  "decode_per_pair_median": statistics.median(r["engine"][1] / r["genai"][1] for r in rows),
                  "ttft_per_pair_median": statistics.median(r["engine"][0] / r["genai"][0] for r in rows)},
        "greedy_tokens_identical": all(r["identical"] for r in rows)
        and ours_mem["output_ids"] == genai_mem["output_ids"],
        "rows": rows,
        "memory_runs": {"engine": ours_mem["peak_rss_mb_all"], "genai": genai_mem["peak_rss_mb_all"]},
    }


def report(result: dict[str, Any]) -> None:
    e, g, r = result["engine"], result["genai"], result["ratio"]
    print(f"pack {result['pack']}: {result['prompt_tokens']}-token prompt, {result['new_tokens']} new tokens, "
          f"{result['provider']}, {result['threads']} threads{'' if result['spin'] else ' (not spinning)'}, "
          f"medians of {result['pairs']} interleaved pairs")
    print(f"{'':22}{'engine':>10}{'genai':>10}{'ratio':>8}  target")
    print(f"{'decode tokens/s':22}{e['decode_tokens_per_s']:10.1f}{g['decode_tokens_per_s']:10.1f}"
          f"{r['decode_tokens_per_s']:8.2f}  >= 1.00")
    print(f"{'time to first token s':22}{e['ttft_s']:10.3f}{g['ttft_s']:10.3f}{r['ttft_s']:8.2f}  <= 1.00")
    print(f"{'peak memory MB':22}{e['peak_rss_mb']:10.0f}{g['peak_rss_mb']:10.0f}{r['peak_rss_mb']:8.2f}  <= 1.00")
    print(f"per-pair median ratios (same load for both): decode {r['decode_per_pair_median']:.2f}, "
          f"first token {r['ttft_per_pair_median']:.2f}")
    print(f"greedy tokens identical: {'yes' if result['greedy_tokens_identical'] else 'NO'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pack", type=Path, default=Path(os.environ.get("ASSISTANT_BENCH_PACK", DEFAULT_PACK)))
    parser.add_argument("--prompt-tokens", type=int, default=600)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--pairs", type=int, default=6, help="interleaved engine/genai runs after a warm-up")
    parser.add_argument("--no-spin", dest="spin", action="store_false",
                        help="the engine's idle threads sleep instead of spinning (see models/README.md)")
    parser.add_argument("--genai-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--paired-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--ids", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.genai_worker:
        print(json.dumps(genai_worker(args.pack, args.ids, args.new_tokens, args.runs, 1, args.threads)))
        return
    if args.paired_worker:
        print(json.dumps(paired_worker(args.pack, args.ids, args.new_tokens, args.runs, args.threads, args.spin)))
        return
    if not (args.pack / "manifest.json").is_file():
        print(f"skipped: no model pack at {args.pack} (run `make model`)")
        return
    try:
        import onnxruntime_genai  # noqa: F401
    except ImportError:
        print("onnxruntime-genai is not installed (pip install '.[bench]'): engine numbers only")
        print(_run_json([sys.executable, "-m", "assistant.llm.bench", str(args.pack)]))
        return
    result = compare(args.pack, args.prompt_tokens, args.new_tokens, args.pairs, args.spin)
    report(result)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))
    print(f"(details in {OUT.relative_to(ROOT)})")


if __name__ == "__main__":
    main(sys.argv[1:])
