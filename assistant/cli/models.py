"""`assistant model ...` subcommands: check a model pack, benchmark it."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from assistant.errors import ModelPackError


def register(sub: Any) -> None:
    model = sub.add_parser("model", help="check and benchmark local language-model packs")
    # Its own subcommands; `install` and `list` will join `check` and `bench` here.
    verbs = model.add_subparsers(dest="model_command", metavar="ACTION")
    model.set_defaults(func=lambda args: (model.print_help(), 2)[1])

    check = verbs.add_parser("check", help="verify a pack's files, list providers, run a one-token smoke test")
    check.add_argument("dir", help="model pack folder")
    check.add_argument("--device", default="auto", help="auto (default), cpu, cuda, dml or coreml")
    check.add_argument("--threads", type=int, default=None, help="CPU threads (default: physical cores)")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.set_defaults(func=_check)

    bench = verbs.add_parser("bench", help="time to first token, decode tokens/s and peak memory (medians)")
    bench.add_argument("dir", help="model pack folder")
    bench.add_argument("--prompt-tokens", type=int, default=600, metavar="N")
    bench.add_argument("--new-tokens", type=int, default=128, metavar="N")
    bench.add_argument("--runs", type=int, default=3, metavar="N", help="timed runs after the warm-up")
    bench.add_argument("--warmup", type=int, default=1, metavar="N")
    bench.add_argument("--device", default="auto")
    bench.add_argument("--threads", type=int, default=None)
    bench.add_argument("--no-spin", dest="spin", action="store_false",
                       help="idle ONNX Runtime threads sleep instead of spinning (busy machines)")
    bench.add_argument("--prompt-file", default=None, metavar="F",
                       help="prompt from F: a JSON list of chat messages, or raw text (default: fixed text)")
    bench.add_argument("--speculative", action="store_true",
                       help="draft from the prompt and check several tokens per pass (not exact on int8 packs)")
    bench.add_argument("--eos", dest="stop_at_eos", action="store_true",
                       help="stop at end-of-sequence, as the app does (default: always --new-tokens)")
    bench.add_argument("--json", action="store_true", help="print the result as JSON")
    bench.set_defaults(func=_bench)


def _check(args: argparse.Namespace) -> int:
    import onnxruntime as ort

    from assistant.llm.engine import Engine
    from assistant.llm.pack import ModelPack
    from assistant.llm.sampling import GenerationConfig

    t0 = time.perf_counter()
    pack = ModelPack.load(args.dir)  # raises ModelPackError naming a missing or altered file
    verified_s = time.perf_counter() - t0
    engine = Engine(pack, device=args.device, threads=args.threads)
    ids = engine.encode("Hello")
    gen = engine.generate_ids(ids or [0], GenerationConfig(max_new_tokens=1))
    gen.result()
    if gen.stats.new_tokens != 1:
        raise ModelPackError(f"{pack.path}: the smoke run produced no token; the model is broken")
    result = {
        **pack.describe(),
        "manifest": "verified",
        "verify_s": round(verified_s, 2),
        "available_providers": ort.get_available_providers(),
        "provider": engine.provider,
        "provider_reason": engine.provider_reason,
        "threads": engine.threads,
        "spin": engine.spin,
        "huge_page_mb": engine.huge_page_bytes >> 20,
        "smoke_token_id": gen.token_ids[0],
        "smoke_ttft_s": round(gen.stats.ttft_s, 3),
    }
    if engine.warning:
        result["warning"] = engine.warning
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"pack:        {pack.path}")
    print(f"model:       {pack.name} {pack.version} ({pack.parameters:,} parameters, {pack.quantization})")
    print(f"licence:     {pack.licence}")
    print(f"source:      {pack.source}")
    print(f"files:       {result['files']} files, {result['bytes'] / 1e6:.0f} MB, SHA-256 verified in {verified_s:.1f} s")
    print(f"context:     {pack.context_length} tokens; end-of-sequence ids {list(engine.eos_token_ids)}")
    print(f"providers:   {', '.join(result['available_providers'])}")
    print(f"running on:  {engine.provider} with {engine.threads} threads ({engine.provider_reason}), "
          f"{'spinning' if engine.spin else 'sleeping'} between steps, "
          f"{result['huge_page_mb']} MB of weights on huge pages")
    if engine.warning:
        print(f"warning:     {engine.warning}")
    print(f"smoke run:   one token ({gen.token_ids[0]}) in {gen.stats.ttft_s:.2f} s: OK")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from assistant.llm.bench import run_bench

    result = run_bench(args.dir, prompt_tokens=args.prompt_tokens, new_tokens=args.new_tokens, runs=args.runs,
                       warmup=args.warmup, threads=args.threads, device=args.device, spin=args.spin,
                       prompt_file=args.prompt_file, speculative=args.speculative, stop_at_eos=args.stop_at_eos)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['model']} ({result['quantization']}) on {result['provider']}, {result['threads']} threads")
    print(f"prompt {result['prompt_tokens']} tokens, {result['new_tokens']} new tokens, median of {result['runs']} runs")
    print(f"time to first token: {result['ttft_s']:.3f} s")
    print(f"decode:              {result['decode_tokens_per_s']:.1f} tokens/s")
    print(f"peak memory:         {result['peak_rss_mb']:.0f} MB")
    if result["speculative"]:
        print(f"speculative:         {result['accepted_tokens']} of {result['draft_tokens']} drafted tokens accepted, "
              f"{result['accepted_per_pass']:.2f} per pass")
    return 0
