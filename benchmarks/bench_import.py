"""Import of the shared Synthea bundles (target < 5 s) and opening the largest record (target < 150 ms)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from assistant.records.fhir_read import iter_fhir_files
from assistant.services.importing import import_files
from assistant.store.database import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "fhir" / "synthea-r4"
KDF = {"name": "argon2id", "time_cost": 1, "memory_kib": 1024, "parallelism": 1}


def main() -> None:
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not present")
        return
    files = list(iter_fhir_files([SHARED]))
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        store, _ = Store.create(Path(tmp) / "bench.db", "bench", "benchmark password", kdf=KDF)
        report = import_files(store, files)
        rps = report.resources / report.seconds
        verdict = "OK" if report.seconds < 5 else "OVER TARGET"
        print(f"import: {len(files)} files, {size_mb:.1f} MB, {report.resources} resources "
              f"in {report.seconds:.2f} s = {rps:,.0f} resources/s  (target < 5 s: {verdict})")
        rows = store.conn.execute("SELECT patient_id, count(*) c FROM entries GROUP BY patient_id "
                                  "ORDER BY c DESC LIMIT 1").fetchone()
        times = []
        for _ in range(7):
            t = time.perf_counter()
            store.patients.load_record(rows[0], audit=False)
            times.append(time.perf_counter() - t)
        med = statistics.median(times) * 1000
        print(f"open largest record ({rows[1]} entries): median {med:.1f} ms over 7 runs "
              f"(target < 150 ms: {'OK' if med < 150 else 'OVER TARGET'})")
        t = time.perf_counter()
        report2 = import_files(store, files)
        print(f"re-import (updates only): {time.perf_counter() - t:.2f} s, "
              f"{report2.entries_new} new / {report2.entries_updated} updated entries")
        store.close()


if __name__ == "__main__":
    main()
