"""LLM engine vs onnxruntime-genai on the same pack and prompt: TTFT, decode tokens/s, peak memory, tokens.

Each engine runs alone in its own long-lived process, as it would in use (two ONNX Runtime sessions in
one process slow whichever was created first: measured here, up to 10 %). The processes take turns
(engine, genai, genai, engine, ...) after a warm-up each, so a busy machine slows both alike, with a
short pause between runs so one's idle threads are not still spinning while the other runs. Greedy,
end-of-sequence ignored. Reported: medians, and the median of the per-pair ratios. Run alone with
`python -m benchmarks.bench_llm [--pack DIR] [--prompt-tokens N] [--new-tokens N] [--pairs N] [--no-spin]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

# Only the standard library behind it: the genai worker measures the same way without loading the engine.
from assistant.llm.exactcheck import FLASH_SWITCH
from assistant.llm.stats import peak_rss_mb, reset_peak_rss

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PACK = ROOT / "models" / "default"
OUT = ROOT / ".bench" / "llm.json"
WORK_OUT = ROOT / ".bench" / "llm_workload.json"
PAUSE_S = 0.3  # between runs: ONNX Runtime's spinning threads go back to sleep


class GenaiRunner:
    """onnxruntime-genai on a copy of the pack's config that sets its thread count."""

    def __init__(self, pack: Path, threads: int) -> None:
        import onnxruntime_genai as og

        from assistant.llm.exactcheck import prefer_plain_attention

        # The attention kernels the engine runs (exactcheck.py), unless the environment says
        # otherwise (`--genai-flash` sets ORT_GQA_DISABLE_FLASH_ATTENTION=0 for this worker only).
        prefer_plain_attention()
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

    def run(self, ids: list[int], new_tokens: int, eos: bool = False) -> dict[str, Any]:
        og = self.og
        reset_peak_rss()
        start = time.perf_counter()
        params = og.GeneratorParams(self.model)
        params.set_search_options(max_length=len(ids) + new_tokens, do_sample=False,
                                  min_length=len(ids) + (0 if eos else new_tokens))
        gen = og.Generator(self.model, params)
        gen.append_tokens(ids)
        gen.generate_next_token()
        out = [int(gen.get_next_tokens()[0])]
        first = time.perf_counter()
        while len(out) < new_tokens and not gen.is_done():
            gen.generate_next_token()
            out.append(int(gen.get_next_tokens()[0]))
        end = time.perf_counter()
        return {"ttft_s": first - start, "decode_tokens_per_s": (len(out) - 1) / max(end - first, 1e-9),
                "peak_rss_mb": peak_rss_mb(), "ids": out}


class EngineRunner:
    """This project's engine, measured by its own per-call statistics."""

    def __init__(self, pack: Path, threads: int, spin: bool) -> None:
        from assistant.llm import Engine

        # With speculation (the app's default): the benchmark measures what it buys and whether the
        # tokens still equal genai's one-token-per-pass greedy loop (they can differ: models/README.md).
        self.engine = Engine(pack, device="cpu", threads=threads, spin=spin, speculative=True)

    def run(self, ids: list[int], new_tokens: int, eos: bool = False) -> dict[str, Any]:
        from assistant.llm import GenerationConfig

        config = GenerationConfig(max_new_tokens=new_tokens, min_new_tokens=0 if eos else new_tokens)
        gen = self.engine.generate_ids(ids, config)
        gen.result()
        s = gen.stats
        return {"ttft_s": s.ttft_s, "decode_tokens_per_s": s.decode_tokens_per_s, "peak_rss_mb": s.peak_rss_mb,
                "ids": gen.token_ids, "passes": s.passes, "accepted": s.accepted_tokens, "drafted": s.draft_tokens}


def serve(which: str, pack: Path, ids_file: Path, new_tokens: int, threads: int, spin: bool, eos: bool) -> None:
    """Worker process: load one engine, then for each line "run I" read from stdin run prompt I of
    the ids file (a list of prompts); "summaries N" times the end-to-end summaries (engine only)."""
    prompts = json.loads(ids_file.read_text())
    runner = GenaiRunner(pack, threads) if which == "genai" else EngineRunner(pack, threads, spin)
    version = runner.og.__version__ if isinstance(runner, GenaiRunner) else ""
    print(json.dumps({"ready": which, "version": version}), flush=True)
    for line in sys.stdin:
        verb, _, arg = line.strip().partition(" ")
        if verb == "run":
            print(json.dumps(runner.run(prompts[int(arg or 0)], new_tokens, eos)), flush=True)
        elif verb == "summaries" and isinstance(runner, EngineRunner):
            from benchmarks.llm_workload import summary_times

            print(json.dumps(summary_times(runner.engine, int(arg) or None)), flush=True)
        else:
            break


class Worker:
    def __init__(self, which: str, common: list[str], spin: bool, flash: bool = False) -> None:
        cmd = [sys.executable, "-m", "benchmarks.bench_llm", "--serve", which, *common,
               *([] if spin else ["--no-spin"])]
        self.which = which
        env = dict(os.environ)
        if flash:  # genai on ONNX Runtime's default flash attention kernels (its out-of-the-box speed)
            env[FLASH_SWITCH] = "0"
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                     env=env)
        self.hello = self._read()

    def _read(self) -> dict[str, Any]:
        out: IO[str] | None = self.proc.stdout
        line = out.readline() if out else ""
        if not line:
            raise RuntimeError(f"the {self.which} worker stopped (exit {self.proc.wait()})")
        return dict(json.loads(line))

    def run(self, prompt: int = 0, verb: str = "run") -> dict[str, Any]:
        time.sleep(PAUSE_S)
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{verb} {prompt}\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def compare(pack: Path, prompt_tokens: int, new_tokens: int, pairs: int, spin: bool = True,
            genai_flash: bool = False) -> dict[str, Any]:
    from tokenizers import Tokenizer

    from assistant.llm.bench import bench_prompt_ids
    from assistant.llm.providers import physical_cores

    threads = physical_cores()
    ids = bench_prompt_ids(Tokenizer.from_file(str(pack / "tokenizer.json")), prompt_tokens)
    with tempfile.TemporaryDirectory() as tmp:
        ids_file = Path(tmp) / "ids.json"
        ids_file.write_text(json.dumps([ids]))
        common = ["--pack", str(pack), "--ids", str(ids_file), "--new-tokens", str(new_tokens),
                  "--threads", str(threads)]
        engine, genai = Worker("engine", common, spin), Worker("genai", common, spin, genai_flash)
        try:
            engine.run(), genai.run()  # warm-up
            rows = []
            for i in range(pairs):
                order = (engine, genai) if i % 2 == 0 else (genai, engine)
                got = {w.which: w.run() for w in order}
                a, b = got["engine"], got["genai"]
                rows.append({"engine": a, "genai": b, "identical": a["ids"] == b["ids"]})
                print(f"  pair {i + 1}/{pairs}: decode {a['decode_tokens_per_s']:.1f} vs "
                      f"{b['decode_tokens_per_s']:.1f} tokens/s, first token {a['ttft_s']:.2f} vs {b['ttft_s']:.2f} s, "
                      f"peak {a['peak_rss_mb']:.0f} vs {b['peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)
        finally:
            engine.close()
            genai.close()

    def med(who: str, key: str) -> float:
        return float(statistics.median(r[who][key] for r in rows))

    def per_pair(key: str) -> float:
        return float(statistics.median(r["engine"][key] / r["genai"][key] for r in rows))

    def per_pair_ci(key: str) -> list[float]:
        """95 % bootstrap interval of the per-pair median ratio: on a machine whose speed drifts,
        a single median says little without it."""
        ratios = [r["engine"][key] / r["genai"][key] for r in rows]
        rng = random.Random(0)
        meds = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(2000))
        return [round(meds[50], 3), round(meds[1949], 3)]

    keys = ("ttft_s", "decode_tokens_per_s", "peak_rss_mb")
    ours = {k: med("engine", k) for k in keys}
    theirs = {k: med("genai", k) for k in keys}
    for r in rows:  # the ids are compared above; keep the details file small
        r["engine"].pop("ids")
        r["genai"].pop("ids")
    return {
        "pack": str(pack), "prompt_tokens": prompt_tokens, "new_tokens": new_tokens, "threads": threads,
        "provider": "CPUExecutionProvider", "pairs": pairs, "spin": spin, "genai_version": genai.hello["version"],
        "genai_attention": "flash" if genai_flash else "plain", "engine": ours, "genai": theirs,
        "ratio": {**{k: ours[k] / theirs[k] for k in keys},
                  # per-pair ratios: each pair ran back to back, under the same load
                  "decode_per_pair_median": per_pair("decode_tokens_per_s"), "ttft_per_pair_median": per_pair("ttft_s"),
                  "decode_per_pair_ci95": per_pair_ci("decode_tokens_per_s"), "ttft_per_pair_ci95": per_pair_ci("ttft_s")},
        "greedy_tokens_identical": all(r["identical"] for r in rows),
        "rows": rows,
    }


def compare_workload(pack: Path, limit: int | None, rounds: int, spin: bool, summaries: bool,
                     genai_flash: bool = False) -> dict[str, Any]:
    """Every summary and care-plan prompt of the patients through both, in alternating pairs
    (greedy, stopping at end-of-sequence as the app does, unconstrained so genai can match), then
    the end-to-end summary time per patient with speculation off and on (engine only)."""
    from assistant.llm.providers import physical_cores
    from benchmarks.llm_workload import NEW_TOKENS, PackText, workload_prompts

    threads = physical_cores()
    prompts = workload_prompts(PackText(pack), limit)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        ids_file = Path(tmp) / "ids.json"
        ids_file.write_text(json.dumps([p["ids"] for p in prompts]))
        common = ["--pack", str(pack), "--ids", str(ids_file), "--new-tokens", str(NEW_TOKENS),
                  "--threads", str(threads), "--eos"]
        engine, genai = Worker("engine", common, spin), Worker("genai", common, spin, genai_flash)
        try:
            engine.run(0), genai.run(0)  # warm-up
            for i, p in enumerate(prompts * rounds):
                order = (engine, genai) if i % 2 == 0 else (genai, engine)
                got = {w.which: w.run(i % len(prompts)) for w in order}
                a, b = got["engine"], got["genai"]
                rows.append({"patient": p["patient"], "kind": p["kind"], "prompt_tokens": len(p["ids"]),
                             "new_tokens": len(a["ids"]), "identical": a["ids"] == b["ids"],
                             "decode_ratio": a["decode_tokens_per_s"] / b["decode_tokens_per_s"],
                             "ttft_ratio": a["ttft_s"] / b["ttft_s"],
                             "accepted_per_pass": a["accepted"] / max(a["passes"], 1),
                             "accepted": a["accepted"], "drafted": a["drafted"], "engine": a, "genai": b})
                print(f"  {p['patient']} {p['kind']}: {len(a['ids'])} tokens, decode {a['decode_tokens_per_s']:.1f} vs "
                      f"{b['decode_tokens_per_s']:.1f} tokens/s, {rows[-1]['accepted_per_pass']:.2f} accepted/pass, "
                      f"identical {'yes' if rows[-1]['identical'] else 'NO'}", file=sys.stderr, flush=True)
            e2e = engine.run(limit or 0, verb="summaries") if summaries else None
        finally:
            engine.close()
            genai.close()
    for r in rows:
        r["engine"].pop("ids")
        r["genai"].pop("ids")
    out: dict[str, Any] = {"pack": str(pack), "threads": threads, "pairs": len(rows), "spin": spin,
                           "genai_version": genai.hello["version"], "genai_attention": "flash" if genai_flash else "plain",
                           "summary_time": e2e, "rows": rows}
    for kind in ("summary", "careplan"):
        mine = [r for r in rows if r["kind"].startswith(kind)]
        if mine:
            out[kind] = {"pairs": len(mine), "decode_per_pair_median": statistics.median(r["decode_ratio"] for r in mine),
                         "decode_per_pair_ci95": _ci([r["decode_ratio"] for r in mine]),
                         "ttft_per_pair_median": statistics.median(r["ttft_ratio"] for r in mine),
                         "accepted_per_pass": sum(r["accepted"] for r in mine) / max(
                             sum(r["engine"]["passes"] for r in mine), 1),
                         "identical": sum(r["identical"] for r in mine)}
    return out


def _ci(ratios: list[float]) -> list[float]:
    """95 % bootstrap interval of the median of per-pair ratios."""
    rng = random.Random(0)
    meds = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(2000))
    return [round(meds[50], 3), round(meds[1949], 3)]


def report_workload(result: dict[str, Any]) -> None:
    print(f"pack {result['pack']}: the app's summary and care-plan prompts, {result['pairs']} alternating pairs, "
          f"{result['threads']} threads, onnxruntime-genai {result['genai_version']} ({result['genai_attention']} attention)")
    for kind in ("summary", "careplan"):
        k = result.get(kind)
        if k:
            ci = k["decode_per_pair_ci95"]
            print(f"{kind:9} decode per pair {k['decode_per_pair_median']:.2f}x (95 % CI {ci[0]:.2f}-{ci[1]:.2f}, "
                  f"target >= 1.5), first token {k['ttft_per_pair_median']:.2f}x, "
                  f"{k['accepted_per_pass']:.2f} accepted draft tokens per pass, "
                  f"tokens identical in {k['identical']} of {k['pairs']}")
    e2e = result.get("summary_time")
    if e2e:
        b, a = e2e["before"], e2e["after"]
        print(f"summary end to end, {e2e['patients']} patients: before (no speculation) median {b['median_s']:.2f} s, "
              f"worst {b['worst_s']:.2f} s; after median {a['median_s']:.2f} s, worst {a['worst_s']:.2f} s; "
              f"same text: {'yes' if e2e['same_text'] else 'NO'}")


def report(result: dict[str, Any]) -> None:
    e, g, r = result["engine"], result["genai"], result["ratio"]
    print(f"pack {result['pack']}: {result['prompt_tokens']}-token prompt, {result['new_tokens']} new tokens, "
          f"{result['provider']}, {result['threads']} threads{'' if result['spin'] else ' (not spinning)'}, "
          f"medians of {result['pairs']} alternating pairs, onnxruntime-genai {result['genai_version']} "
          f"({result['genai_attention']} attention)")
    print(f"{'':22}{'engine':>10}{'genai':>10}{'ratio':>8}  target")
    print(f"{'decode tokens/s':22}{e['decode_tokens_per_s']:10.1f}{g['decode_tokens_per_s']:10.1f}"
          f"{r['decode_tokens_per_s']:8.2f}  >= 1.00")
    print(f"{'time to first token s':22}{e['ttft_s']:10.3f}{g['ttft_s']:10.3f}{r['ttft_s']:8.2f}  <= 1.00")
    print(f"{'peak memory MB':22}{e['peak_rss_mb']:10.0f}{g['peak_rss_mb']:10.0f}{r['peak_rss_mb']:8.2f}  <= 1.00")
    dci, tci = r["decode_per_pair_ci95"], r["ttft_per_pair_ci95"]
    print(f"per-pair median ratios (same load for both): decode {r['decode_per_pair_median']:.2f} "
          f"(95 % CI {dci[0]:.2f}-{dci[1]:.2f}), first token {r['ttft_per_pair_median']:.2f} "
          f"(95 % CI {tci[0]:.2f}-{tci[1]:.2f})")
    print(f"greedy tokens identical: {'yes' if result['greedy_tokens_identical'] else 'NO'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pack", type=Path, default=Path(os.environ.get("ASSISTANT_BENCH_PACK", DEFAULT_PACK)))
    parser.add_argument("--prompt-tokens", type=int, default=600)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--pairs", type=int, default=8, help="alternating engine/genai runs after a warm-up")
    parser.add_argument("--no-spin", dest="spin", action="store_false",
                        help="the engine's idle threads sleep instead of spinning (see models/README.md)")
    parser.add_argument("--only", choices=("standard", "workload"), default=None,
                        help="standard: the fixed random-text prompt; workload: the app's summary and care-plan "
                             "prompts of the demo and shared patients (default: both)")
    parser.add_argument("--patients", type=int, default=0, help="with --workload: at most N patients (0: all)")
    parser.add_argument("--rounds", type=int, default=1, help="with --workload: pairs per prompt")
    parser.add_argument("--no-summaries", dest="summaries", action="store_false",
                        help="with --workload: skip the end-to-end summary times")
    parser.add_argument("--genai-flash", action="store_true",
                        help="run genai on ONNX Runtime's default flash attention kernels instead of the plain "
                             "path the engine runs (its out-of-the-box speed; its tokens can then differ)")
    parser.add_argument("--serve", choices=("engine", "genai"), help=argparse.SUPPRESS)
    parser.add_argument("--eos", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ids", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.serve:
        serve(args.serve, args.pack, args.ids, args.new_tokens, args.threads, args.spin, args.eos)
        return
    if not (args.pack / "manifest.json").is_file():
        print(f"skipped: no model pack at {args.pack} (run `make model`)")
        return
    try:
        import onnxruntime_genai  # noqa: F401
    except ImportError:
        print("onnxruntime-genai is not installed (pip install '.[bench]'): engine numbers only")
        done = subprocess.run([sys.executable, "-m", "assistant.cli.model_bench", str(args.pack)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT, check=True)
        print(done.stdout.strip())
        return
    OUT.parent.mkdir(exist_ok=True)
    if args.only != "workload":
        result = compare(args.pack, args.prompt_tokens, args.new_tokens, args.pairs, args.spin, args.genai_flash)
        report(result)
        OUT.write_text(json.dumps(result, indent=2))
        print(f"(details in {OUT.relative_to(ROOT)})")
        if not args.genai_flash and args.only is None:
            # genai as it comes (flash kernels): the speed a site would compare against; the tokens
            # are compared above, on the same kernels.
            flash = compare(args.pack, args.prompt_tokens, args.new_tokens, max(args.pairs // 2, 2), args.spin, True)
            report(flash)
            OUT.with_name("llm_genai_flash.json").write_text(json.dumps(flash, indent=2))
    if args.only != "standard":
        work = compare_workload(args.pack, args.patients or None, args.rounds, args.spin, args.summaries,
                                args.genai_flash)
        report_workload(work)
        WORK_OUT.write_text(json.dumps(work, indent=2))
        print(f"(details in {WORK_OUT.relative_to(ROOT)})")


if __name__ == "__main__":
    main(sys.argv[1:])
