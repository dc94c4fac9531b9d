"""Run every benchmarks/bench_*.py module in turn (or only those named on the command line), each in a
fresh process: one benchmark's leftovers (a loaded model, a big heap for the garbage collector to walk,
spare threads) must not show up in the next one's timings, as they would not in the app."""

from __future__ import annotations

import multiprocessing
import pkgutil
import subprocess
import sys
import time

import benchmarks


def run(names: list[str]) -> int:
    modules = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    if names:
        modules = [m for m in modules if any(n in m for n in names)]
    failed = 0
    for name in modules:
        print(f"\n=== {name} ===", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"benchmarks.{name}"])
        if code != 0:  # one broken benchmark must not hide the others' numbers
            failed += 1
            print(f"{name} FAILED (exit {code})", flush=True)
        print(f"({name} took {time.perf_counter() - start:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(run(sys.argv[1:]))
