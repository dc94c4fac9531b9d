"""Import many FHIR files into a store: parse in worker processes, store each file in one transaction."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, DatabaseLockedError, DiskFullError, OrphanEntriesError
from assistant.json_types import JSONObject
from assistant.records.fhir_import import FileOutcome, parse_many

if TYPE_CHECKING:
    from assistant.records.fhir_import import ParsedFile
    from assistant.store.database import Store
    from assistant.store.patients import ImportStats


@dataclass
class FileReport:
    path: str
    ok: bool
    error: str = ""
    patients: int = 0
    entries: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    why: str = ""  # "locked" or "full" when the store, not the file, was the trouble


@dataclass
class ImportReport:
    """Per-file results and totals for one import run."""

    files: list[FileReport] = field(default_factory=list)
    patients_new: int = 0
    patients_updated: int = 0
    entries_new: int = 0
    entries_updated: int = 0
    resources: int = 0
    unknown: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    cancelled: bool = False
    stopped: str = ""  # why the import stopped before the last file (a full disk)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if not f.ok]

    def to_dict(self) -> JSONObject:
        return {"files": [f.__dict__ for f in self.files], "patients_new": self.patients_new,
                "patients_updated": self.patients_updated, "entries_new": self.entries_new,
                "entries_updated": self.entries_updated, "resources": self.resources,
                "unknown_types": dict(self.unknown), "failed": len(self.failed),
                "seconds": round(self.seconds, 3), "cancelled": self.cancelled, "stopped": self.stopped}

    def summary_line(self) -> str:
        ok = len(self.files) - len(self.failed)
        line = (f"Imported {ok} of {len(self.files)} files: {self.patients_new} new and "
                f"{self.patients_updated} updated patients, {self.entries_new} new and "
                f"{self.entries_updated} updated entries from {self.resources} resources "
                f"in {self.seconds:.1f} s")
        if self.unknown:
            line += "; not imported: " + ", ".join(f"{k} {v}" for k, v in self.unknown.most_common())
        if self.failed:
            line += f"; {len(self.failed)} file(s) not imported"
            locked = sum(f.why == "locked" for f in self.failed)
            if locked:
                line += (f" ({locked} because another session held the database locked: nothing of "
                         "them was stored; import them again when it has finished)")
        if self.stopped:
            line += f"; {self.stopped}"
        if self.cancelled:
            line += "; cancelled (files before the cancel are stored whole)"
        return line


# Stores one parsed file in its own transaction (the CLI calls the store; the app goes through its
# database thread) and returns what it added.
StoreOne = Callable[["ParsedFile", str], "ImportStats"]


def import_files(store: Store, files: Iterable[Path], on_file: Callable[[FileOutcome], None] | None = None,
                 cancelled: Callable[[], bool] = lambda: False, workers: int | None = None) -> ImportReport:
    """Import files one transaction each; a bad file is reported and the rest continue. A file whose
    entries belong to a patient stored by a later file of the same run (bulk NDJSON exports come one
    file per resource type, Observation.ndjson before Patient.ndjson) is tried again at the end."""
    start = time.perf_counter()
    report = store_outcomes(parse_many(list(files), workers=workers, cancelled=cancelled),
                            lambda parsed, source: store.patients.import_parsed(parsed, source=source),
                            on_row=None if on_file is None else (lambda outcome, _row: on_file(outcome)),
                            cancelled=cancelled)
    report.seconds = time.perf_counter() - start
    return report


def store_outcomes(outcomes: Iterable[FileOutcome], store_one: StoreOne, *,
                   on_row: Callable[[FileOutcome, FileReport], None] | None = None,
                   cancelled: Callable[[], bool] = lambda: False) -> ImportReport:
    """The one store loop of the CLI and the app: each parsed file stored whole or reported, files
    with entries of a patient not stored yet tried again at the end, a full disk stops the run."""
    report = ImportReport()
    deferred: list[FileOutcome] = []
    for outcome in outcomes:
        if not _store(store_one, report, outcome, defer_orphans=True):
            deferred.append(outcome)
            continue
        if on_row is not None:
            on_row(outcome, report.files[-1])
        if report.stopped:
            break
        if cancelled():
            report.cancelled = True
            break
    for outcome in deferred:
        if not (report.stopped or report.cancelled):
            _store(store_one, report, outcome, defer_orphans=False)
        else:
            report.files.append(FileReport(str(outcome.path), False, "not stored: the import stopped first"))
        if on_row is not None:
            on_row(outcome, report.files[-1])
    return report


def _store(store_one: StoreOne, report: ImportReport, outcome: FileOutcome, *, defer_orphans: bool) -> bool:
    """Store one outcome and add it to the report; False when it was deferred (orphans, first try)."""
    parsed = outcome.parsed
    if parsed is None:
        report.files.append(FileReport(str(outcome.path), False, outcome.error))
        return True
    try:
        stats = store_one(parsed, outcome.path.name)
    except OrphanEntriesError as e:
        if defer_orphans:
            return False
        report.files.append(FileReport(str(outcome.path), False, e.message))
    except DiskFullError as e:
        # Every later file would fail the same way: stop, and say what is stored.
        report.files.append(FileReport(str(outcome.path), False, e.message, why="full"))
        done = len(report.files) - len(report.failed)
        report.stopped = ("stopped: the disk holding the database is full; "
                          + (f"the {done} file(s) before it are stored whole, " if done else "")
                          + "the database is intact: free space, then import the rest again")
    except AssistantError as e:  # one file's store failure must not lose the others' report
        why = "locked" if isinstance(e, DatabaseLockedError) else ""
        report.files.append(FileReport(str(outcome.path), False, e.message, why=why))
    else:
        report.patients_new += stats.patients_new
        report.patients_updated += stats.patients_updated
        report.entries_new += stats.entries_new
        report.entries_updated += stats.entries_updated
        report.resources += sum(parsed.counts.values())
        report.unknown.update(parsed.unknown)
        report.files.append(FileReport(str(outcome.path), True, "", len(parsed.patients),
                                       len(parsed.entries), dict(parsed.counts), dict(parsed.unknown)))
    return True
