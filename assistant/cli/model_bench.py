"""`python -m assistant.cli.model_bench DIR ...`: the engine benchmark in a process that imports only the engine."""

from __future__ import annotations

import argparse
import json

from assistant.llm.bench import run_bench


def main(argv: list[str] | None = None) -> int:
    """The same as `assistant model bench --json`, in a process that imports only the engine (the
    full CLI imports every subsystem, which inflates peak memory)."""
    parser = argparse.ArgumentParser(prog="python -m assistant.cli.model_bench", description=main.__doc__)
    parser.add_argument("dir")
    parser.add_argument("--prompt-tokens", type=int, default=600)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--no-spin", dest="spin", action="store_false")
    parser.add_argument("--prompt-file", default=None)
    parser.add_argument("--speculative", action="store_true")
    parser.add_argument("--eos", dest="stop_at_eos", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run_bench(args.dir, args.prompt_tokens, args.new_tokens, args.runs, args.warmup,
                               args.threads, args.device, args.spin, args.prompt_file, args.speculative,
                               args.stop_at_eos)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
