"""Fuzzed import: seeded mutations of the demo bundles, imported in folders; no traceback, no orphan
entry, and every file refused names its error."""

from __future__ import annotations

import copy
import json
import random
import re
import traceback
from collections.abc import Callable
from pathlib import Path

from assistant.services.importing import import_files

from .common import Figures, demo_bundle, fresh_ids, new_store, orphan_entries

Bundle = dict[str, object]


def _entries(b: Bundle) -> list[dict[str, object]]:
    entries = b.get("entry")
    return entries if isinstance(entries, list) else []


def _pick(rng: random.Random, b: Bundle) -> dict[str, object]:
    entries = _entries(b)
    res = entries[rng.randrange(len(entries))].get("resource") if entries else None
    return res if isinstance(res, dict) else {}


def _wrong_type(rng: random.Random, b: Bundle) -> Bundle:
    res = _pick(rng, b)
    if res:
        key = rng.choice(sorted(res))
        res[key] = rng.choice([None, 42, "text", [], {}, True, [[["x"]]], -1.5])
    return b


def _deep(rng: random.Random, b: Bundle) -> Bundle:
    # Written out as text by _text: json.dumps itself cannot nest 5,000 deep.
    _pick(rng, b)["extension"] = f"__DEEP_{rng.choice([50, 500, 5000, 100000])}__"
    return b


def _huge(rng: random.Random, b: Bundle) -> Bundle:
    for e in _entries(b):
        res = e.get("resource")
        if isinstance(res, dict) and isinstance(res.get("valueQuantity"), dict):
            res["valueQuantity"]["value"] = rng.choice([1e308, -1e308, 10 ** 400, 0, -0.0, 1e-320, 2 ** 63])
    return b


def _bad_ref(rng: random.Random, b: Bundle) -> Bundle:
    for e in _entries(b):
        res = e.get("resource")
        if isinstance(res, dict) and isinstance(res.get("subject"), dict):
            res["subject"]["reference"] = rng.choice(["Patient/nobody", "", "urn:uuid:zzz", "Patient/",
                                                      "../../etc/passwd", 7])
    return b


def _dup_ids(rng: random.Random, b: Bundle) -> Bundle:
    entries = _entries(b)
    if len(entries) > 2:
        first = entries[rng.randrange(1, len(entries))]
        entries.append(copy.deepcopy(first))
        if rng.random() < 0.5:  # same id, different type
            res = entries[-1].get("resource")
            if isinstance(res, dict):
                res["resourceType"] = rng.choice(["Observation", "Condition", "Patient"])
    return b


def _drop(rng: random.Random, b: Bundle) -> Bundle:
    entries = _entries(b)
    if entries:
        del entries[0 if rng.random() < 0.5 else rng.randrange(len(entries))]  # the patient, often
    return b


MUTATIONS: dict[str, Callable[[random.Random, Bundle], Bundle]] = {
    "wrong-type": _wrong_type, "deep": _deep, "huge": _huge, "bad-ref": _bad_ref, "dup-ids": _dup_ids,
    "drop": _drop,
}


def _text(rng: random.Random, bundle: Bundle) -> str:
    """Apply 1-3 mutations; a quarter of the files are also truncated or made non-UTF-8 noise."""
    for name in rng.sample(sorted(MUTATIONS), rng.randint(1, 3)):
        bundle = MUTATIONS[name](rng, bundle)
    text = re.sub(r'"__DEEP_(\d+)__"', lambda m: '{"extension": [' * int(m[1]) + '"x"' + "]}" * int(m[1]),
                  json.dumps(bundle))
    roll = rng.random()
    if roll < 0.2:
        text = text[: rng.randrange(max(1, len(text)))]
    elif roll < 0.25:
        text = text.replace('"', "'", rng.randint(1, 5))
    return text


def campaign(files: int, per_folder: int, work: Path, rng: random.Random) -> Figures:
    """Import `files` mutated bundles, `per_folder` at a time, into one database."""
    root = work / "fuzz"
    store = new_store(root / "db" / "app.db")
    bases = [demo_bundle(i, keep=12) for i in range(5)]
    tracebacks = unnamed = refused = 0
    try:
        for start in range(0, files, per_folder):
            folder = root / "in" / f"f{start // per_folder:03d}"
            folder.mkdir(parents=True)
            for i in range(start, min(files, start + per_folder)):
                base, _ = fresh_ids(copy.deepcopy(bases[i % len(bases)]), f"z{i}")
                (folder / f"case{i}.json").write_bytes(_text(rng, base).encode("utf-8", "surrogatepass"))
            try:
                report = import_files(store, sorted(folder.glob("*.json")), workers=1)
            except Exception:  # noqa: BLE001 - the finding itself
                tracebacks += 1
                traceback.print_exc()
                continue
            refused += len(report.failed)
            unnamed += sum(not f.error.strip() or "Traceback" in f.error for f in report.failed)
        orphans = orphan_entries(store)
        integrity = [r[0] for r in store.conn.execute("PRAGMA integrity_check")]
    finally:
        store.close()
    return Figures("fuzz-import", files, corrupt=int(integrity != ["ok"]), tracebacks=tracebacks,
                   orphans=orphans, failures=unnamed,
                   note=f"{refused} files refused, each with a named error; {unnamed} without one")
