"""`python -m benchmarks.stress [--quick] [--seed N] [--work DIR]`: run every campaign, one line of
figures each, exit 1 when any target (0 lost acknowledged writes, 0 corrupt, 0 tracebacks, 0 orphan
entries, every tamper detected, every failure 0, files 0600) is missed."""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from . import absurd, fuzz, kill9, sequences, tamper
from .common import Figures, bad_modes

FULL = {"kill9": 20, "fuzz": 2000, "absurd": 10, "wal": 10}
QUICK = {"kill9": 2, "fuzz": 60, "absurd": 5, "wal": 2}


def run(counts: dict[str, int], work: Path, seed: int, only: list[str] | None = None) -> list[Figures]:
    """Run the campaigns (all, or those whose name starts with one of `only`), printing each line."""
    rng = random.Random(seed)
    plan = [*((f"kill9-{op}", lambda op=op: kill9.campaign(op, counts["kill9"], work, rng)) for op in kill9.OPS),
            ("fuzz-import", lambda: fuzz.campaign(counts["fuzz"], 100, work, rng)),
            ("absurd-values", lambda: absurd.campaign(counts["absurd"], work)),
            ("wal-two-process", lambda: sequences.wal(counts["wal"], work)),
            ("restore-sequences", lambda: sequences.restore(work)),
            ("audit-tamper", lambda: tamper.campaign(work))]
    results = []
    for name, go in plan:
        if only and not any(name.startswith(o) for o in only):
            continue
        start = time.perf_counter()
        figures = go()
        print(f"{figures.line()} ({time.perf_counter() - start:.0f} s)", flush=True)
        results.append(figures)
    # The FHIR inputs the harness wrote itself are not the app's output; every other file is.
    loose = [f for f in bad_modes(work) if not f.split(" ")[0].endswith(".json")]
    scanned = sum(1 for p in work.rglob("*") if p.is_file())
    results.append(Figures("permissions", scanned, failures=len(loose),
                           note=f"{len(loose)} files readable by group/others"
                           + (": " + ", ".join(loose[:5]) if loose else "")))
    print(results[-1].line(), flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.stress", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smallest counts: a smoke test of the harness")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--work", type=Path, help="keep the files here (default: a temporary folder, removed)")
    ap.add_argument("--only", nargs="*", help="campaign name prefixes, e.g. kill9-import fuzz")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="assistant-stress-"))
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        results = run(QUICK if args.quick else FULL, work, args.seed, args.only)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    missed = [f.name for f in results if not f.ok]
    print("stress: all targets met" if not missed else f"stress: targets missed in {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
