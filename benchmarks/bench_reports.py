"""Care-plan and summary PDFs for the largest shared record (target: the care-plan PDF < 0.5 s)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "fhir" / "synthea-r4"
TARGET_S = 0.5
RUNS = 5


def _timed(fn: Callable[[], Any], runs: int = RUNS) -> tuple[Any, float, float]:
    """(last result, first-call seconds, median seconds of the following runs)."""
    t = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, first, statistics.median(times)


def largest_record(candidates: int = 5) -> Any:
    """The record with the most entries among the largest files (file size alone misleads: most
    of a Synthea bundle is billing, which is not chart data)."""
    from assistant.records.fhir_import import parse_file
    from assistant.records.record import PatientRecord

    paths = sorted(SHARED.glob("*.json"), key=lambda p: p.stat().st_size, reverse=True)[:candidates]
    records = []
    for path in paths:
        parsed = parse_file(path)
        if parsed.patients:
            records.append(PatientRecord.build(parsed.patients[0], parsed.entries))
    return max(records, key=lambda r: sum(r.counts().values()))


def main() -> None:
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not present")
        return
    from assistant.assist.careplan.drafting import draft_careplan
    from assistant.assist.summary import generate_summary
    from assistant.clinical.flags import evaluate
    from assistant.reports.careplan_pdf import render_careplan
    from assistant.reports.layout import Letterhead
    from assistant.reports.summary_pdf import render_summary

    record = largest_record()
    entries = sum(record.counts().values())
    print(f"record: {entries} entries, {len(record.active_conditions)} active problems")
    letterhead = Letterhead("Benchmark Hospital", "1 Example Road\nSampletown")

    risk, first, med = _timed(lambda: evaluate(record))
    print(f"flags: {len(risk.flags)} in {med * 1000:.0f} ms (first {first * 1000:.0f} ms)")


    plan, first, draft_s = _timed(lambda: draft_careplan(record, risk, None, use_model=False))
    print(f"care-plan draft (deterministic): {draft_s * 1000:.0f} ms (first {first * 1000:.0f} ms), "
          f"{len(plan.items())} items")

    pdf, first, render_s = _timed(lambda: render_careplan(plan, record, document_id="b" * 32, version=1,
                                                          letterhead=letterhead))
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    verdict = "OK" if render_s < TARGET_S else "OVER TARGET"
    print(f"care-plan PDF: median {render_s * 1000:.0f} ms over {RUNS} runs (first, with font "
          f"loading, {first * 1000:.0f} ms), {len(pdf) / 1024:.0f} KiB, {pages} pages "
          f"(target < {TARGET_S * 1000:.0f} ms: {verdict})")
    total = draft_s + render_s
    print(f"care plan, draft + PDF: {total * 1000:.0f} ms "
          f"(target < {TARGET_S * 1000:.0f} ms: {'OK' if total < TARGET_S else 'OVER TARGET'})")

    summary, first, gen_s = _timed(lambda: generate_summary(record, risk, None, use_model=False))
    pdf, first, sum_s = _timed(lambda: render_summary(summary, risk, record, letterhead=letterhead))
    print(f"summary: generate {gen_s * 1000:.0f} ms, PDF median {sum_s * 1000:.0f} ms "
          f"(target < {TARGET_S * 1000:.0f} ms: {'OK' if sum_s < TARGET_S else 'OVER TARGET'})")


if __name__ == "__main__":
    main()
