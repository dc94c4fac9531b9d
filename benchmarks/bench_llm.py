"""LLM engine vs onnxruntime-genai on the same pack and prompt: TTFT, decode tokens/s, peak memory, tokens.

Each engine runs in its own process (so peak memory is its own), in alternating rounds (so a noisy
machine hurts both alike); each process loads the pack, warms up once, then times greedy runs that
ignore end-of-sequence. Reported values are medians over all timed runs. Run alone with
`python -m benchmarks.bench_llm [--pack DIR] [--prompt-tokens N] [--new-tokens N] [--rounds N]`.
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


def genai_worker(pack: Path, ids_file: Path, new_tokens: int, runs: int, warmup: int, threads: int) -> dict[str, Any]:
    """Time onnxruntime-genai the way the engine is timed (its process imports nothing else heavy)."""
    import onnxruntime_genai as og

    ids = json.loads(ids_file.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        for f in pack.iterdir():
            if f.name != "genai_config.json":
                os.symlink(f.resolve(), Path(tmp) / f.name)
        config = json.loads((pack / "genai_config.json").read_text())
        # genai defaults to one thread here; give it the engine's thread count.
        config["model"]["decoder"]["session_options"]["intra_op_num_threads"] = threads
        (Path(tmp) / "genai_config.json").write_text(json.dumps(config))
        t0 = time.perf_counter()
        model = og.Model(tmp)
        # A usable genai pipeline holds its tokenizer, as the engine's process does.
        tokenizer = og.Tokenizer(model)
        load_s = time.perf_counter() - t0
        samples, output = [], []
        for i in range(warmup + runs):
            _peak_reset()
            start = time.perf_counter()
            params = og.GeneratorParams(model)
            params.set_search_options(max_length=len(ids) + new_tokens, min_length=len(ids) + new_tokens,
                                      do_sample=False)
            gen = og.Generator(model, params)
            gen.append_tokens(ids)
            gen.generate_next_token()
            out = [int(gen.get_next_tokens()[0])]
            first = time.perf_counter()
            while len(out) < new_tokens:
                gen.generate_next_token()
                out.append(int(gen.get_next_tokens()[0]))
            end = time.perf_counter()
            peak = _peak_mb()
            del gen, params
            if i >= warmup:
                samples.append((first - start, (len(out) - 1) / (end - first), peak))
                output = output or out
    return {"engine": "onnxruntime-genai", "version": og.__version__, "threads": threads, "load_s": load_s,
            "ttft_s_all": [s[0] for s in samples], "decode_tokens_per_s_all": [s[1] for s in samples],
            "peak_rss_mb_all": [s[2] for s in samples], "output_ids": output,
            "tokenizer_vocab": len(tokenizer.decode(ids[:8]))}


def _run_json(cmd: list[str]) -> dict[str, Any]:
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(pack: Path, prompt_tokens: int, new_tokens: int, rounds: int, runs: int) -> dict[str, Any]:
    from tokenizers import Tokenizer

    from assistant.llm.bench import bench_prompt_ids
    from assistant.llm.providers import physical_cores

    threads = physical_cores()
    ids = bench_prompt_ids(Tokenizer.from_file(str(pack / "tokenizer.json")), prompt_tokens)
    ours: dict[str, list] = {"ttft": [], "tps": [], "mem": []}
    theirs: dict[str, list] = {"ttft": [], "tps": [], "mem": []}
    same = True
    with tempfile.TemporaryDirectory() as tmp:
        ids_file = Path(tmp) / "ids.json"
        ids_file.write_text(json.dumps(ids))
        # The engine-only entry point: `assistant model bench` would also import every other subsystem.
        engine_cmd = [sys.executable, "-m", "assistant.llm.bench", str(pack), "--device", "cpu",
                      "--prompt-tokens", str(prompt_tokens), "--new-tokens", str(new_tokens),
                      "--runs", str(runs), "--threads", str(threads)]
        genai_cmd = [sys.executable, "-m", "benchmarks.bench_llm", "--genai-worker", "--pack", str(pack),
                     "--ids", str(ids_file), "--new-tokens", str(new_tokens), "--runs", str(runs),
                     "--threads", str(threads)]
        for r in range(rounds):
            order = [("ours", engine_cmd), ("genai", genai_cmd)]
            for who, cmd in order if r % 2 == 0 else order[::-1]:
                res = _run_json(cmd)
                bucket = ours if who == "ours" else theirs
                bucket["ttft"] += res["ttft_s_all"]
                bucket["tps"] += res["decode_tokens_per_s_all"]
                bucket["mem"] += res["peak_rss_mb_all"]
                bucket["ids"] = res["output_ids"]
                if who == "ours":
                    provider = res["provider"]
                    if res["prompt_tokens"] != len(ids):
                        raise RuntimeError("the engine's bench prompt differs from genai's")
            same = same and ours["ids"] == theirs["ids"]
            print(f"  round {r + 1}/{rounds}: decode {statistics.median(ours['tps']):.1f} vs "
                  f"{statistics.median(theirs['tps']):.1f} tokens/s so far", flush=True)
    med = {k: {m: statistics.median(v[m]) for m in ("ttft", "tps", "mem")} for k, v in (("ours", ours), ("genai", theirs))}
    return {
        "pack": str(pack), "prompt_tokens": prompt_tokens, "new_tokens": new_tokens, "threads": threads,
        "provider": provider, "runs_each": rounds * runs,
        "engine": {"ttft_s": med["ours"]["ttft"], "decode_tokens_per_s": med["ours"]["tps"],
                   "peak_rss_mb": med["ours"]["mem"]},
        "genai": {"ttft_s": med["genai"]["ttft"], "decode_tokens_per_s": med["genai"]["tps"],
                  "peak_rss_mb": med["genai"]["mem"]},
        "ratio": {"decode_tokens_per_s": med["ours"]["tps"] / med["genai"]["tps"],
                  "ttft_s": med["ours"]["ttft"] / med["genai"]["ttft"],
                  "peak_rss_mb": med["ours"]["mem"] / med["genai"]["mem"]},
        "greedy_tokens_identical": same,
        "samples": {"engine": ours, "genai": theirs},
    }


def report(result: dict[str, Any]) -> None:
    e, g, r = result["engine"], result["genai"], result["ratio"]
    print(f"pack {result['pack']}: {result['prompt_tokens']}-token prompt, {result['new_tokens']} new tokens, "
          f"{result['provider']}, {result['threads']} threads, medians of {result['runs_each']} runs each")
    print(f"{'':22}{'engine':>10}{'genai':>10}{'ratio':>8}  target")
    print(f"{'decode tokens/s':22}{e['decode_tokens_per_s']:10.1f}{g['decode_tokens_per_s']:10.1f}"
          f"{r['decode_tokens_per_s']:8.2f}  >= 1.00")
    print(f"{'time to first token s':22}{e['ttft_s']:10.3f}{g['ttft_s']:10.3f}{r['ttft_s']:8.2f}  <= 1.00")
    print(f"{'peak memory MB':22}{e['peak_rss_mb']:10.0f}{g['peak_rss_mb']:10.0f}{r['peak_rss_mb']:8.2f}  <= 1.00")
    print(f"greedy tokens identical: {'yes' if result['greedy_tokens_identical'] else 'NO'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pack", type=Path, default=Path(os.environ.get("ASSISTANT_BENCH_PACK", DEFAULT_PACK)))
    parser.add_argument("--prompt-tokens", type=int, default=600)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3, help="alternating process pairs")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per process, after one warm-up")
    parser.add_argument("--genai-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ids", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.genai_worker:
        print(json.dumps(genai_worker(args.pack, args.ids, args.new_tokens, args.runs, 1, args.threads)))
        return
    if not (args.pack / "manifest.json").is_file():
        print(f"skipped: no model pack at {args.pack} (run `make model`)")
        return
    try:
        import onnxruntime_genai  # noqa: F401
    except ImportError:
        print("onnxruntime-genai is not installed (pip install '.[bench]'): engine numbers only")
        print(_run_json([sys.executable, "-m", "assistant", "model", "bench", str(args.pack), "--json"]))
        return
    result = compare(args.pack, args.prompt_tokens, args.new_tokens, args.rounds, args.runs)
    report(result)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))
    print(f"(details in {OUT.relative_to(ROOT)})")


if __name__ == "__main__":
    main(sys.argv[1:])
