"""Risk evaluation: every rule on the largest shared Synthea patient (target < 50 ms) and on all of them."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from pathlib import Path

from assistant.clinical import knowledge
from assistant.clinical.flags import evaluate
from assistant.records.fhir_import import parse_many
from assistant.records.record import PatientRecord

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "fhir" / "synthea-r4"
TARGET_MS = 50.0


def _records() -> list[PatientRecord]:
    out = []
    for outcome in parse_many(sorted(SHARED.glob("*.json"))):
        if outcome.parsed is None:
            print(f"  skipped {outcome.path.name}: {outcome.error}")
            continue
        for p in outcome.parsed.patients:
            out.append(PatientRecord.build(p, [e for e in outcome.parsed.entries if e.patient_id == p.id]))
    return out


def main() -> None:
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not present")
        return
    records = [r for r in _records() if r.observations]
    largest = max(records, key=lambda r: sum(r.counts().values()))
    entries = sum(largest.counts().values())
    # Synthea data end years ago: evaluate as of the day after the newest entry so the windows
    # hold data (the realistic load), and also as of now (most windows empty).
    as_of = max(e.when for e in largest.entries() if e.when) + timedelta(days=1)

    knowledge.clear_caches()
    t = time.perf_counter()
    report = evaluate(largest, as_of)
    cold = (time.perf_counter() - t) * 1000

    times = []
    for _ in range(50):
        t = time.perf_counter()
        evaluate(largest, as_of)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    median, p95 = statistics.median(times), times[int(0.95 * len(times)) - 1]
    verdict = "OK" if median < TARGET_MS else "OVER TARGET"
    print(f"largest patient ({entries} entries, {len(report.flags)} flags, {len(report.scores)} scores): "
          f"median {median:.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms over 50 runs "
          f"(target < {TARGET_MS:.0f} ms: {verdict})")
    print(f"first evaluation in a process (loads the knowledge tables): {cold:.1f} ms")

    now_times = []
    for _ in range(20):
        t = time.perf_counter()
        evaluate(largest)
        now_times.append((time.perf_counter() - t) * 1000)
    print(f"largest patient as of now: median {statistics.median(now_times):.2f} ms")

    t = time.perf_counter()
    flags = 0
    for r in records:
        newest = max(e.when for e in r.entries() if e.when) + timedelta(days=1)
        flags += len(evaluate(r, newest).flags)
    total = (time.perf_counter() - t) * 1000
    print(f"all {len(records)} patients: {total:.1f} ms ({total / len(records):.2f} ms each), "
          f"{flags} flags")


if __name__ == "__main__":
    main()
