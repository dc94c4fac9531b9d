"""Parse one FHIR file into record entries (pure, no database): validate, resolve references, map."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from assistant.errors import BadInputError
from assistant.records.domain import Entry, Patient

from .fhir_map import map_resource
from .fhir_provenance import apply_provenance
from .fhir_read import CONTEXT_TYPES, MAPPED_TYPES, SKIPPED_TYPES, RawFile, read_file
from .fhir_values import Context, coding


@dataclass
class ParsedFile:
    """Everything one file contributes; stored in one transaction or not at all."""

    path: Path
    patients: list[Patient] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # every resourceType in the file
    mapped: Counter[str] = field(default_factory=Counter)  # resourceTypes stored
    unknown: Counter[str] = field(default_factory=Counter)  # types neither mapped nor skipped

    def outside_patients(self) -> set[str]:
        """Patients the entries refer to that the file does not hold: the store must already have
        them, or the file is refused (an entry of a patient no one has is an orphan no chart shows)."""
        return {e.patient_id for e in self.entries} - {p.id for p in self.patients}


def _validation_message(e: ValidationError) -> str:
    first = e.errors()[0]
    loc = ".".join(str(x) for x in first.get("loc", ()))
    more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
    return f"{loc}: {first.get('msg', 'invalid')}{more}"


def _validate(raw: RawFile, rtype: str, index: int, data: dict[str, Any]) -> Any:
    try:
        return get_fhir_model_class(rtype).model_validate(data)
    except ValidationError as e:
        raise BadInputError(f"{raw.path}: entry {index} ({rtype}): invalid FHIR: "
                            f"{_validation_message(e)}") from None
    except (ValueError, TypeError) as e:
        raise BadInputError(f"{raw.path}: entry {index} ({rtype}): invalid FHIR: {e}") from None


def parse_file(path: Path) -> ParsedFile:
    """Read, validate and map one file. Raises BadInputError naming the file and entry index."""
    raw = read_file(path)
    out = ParsedFile(path, counts=raw.counts)
    ctx = Context()
    models: list[tuple[int, Any]] = []
    provenances: list[dict[str, Any]] = []
    for res in raw.resources:
        rtype, rid = res.resource_type, res.data.get("id")
        if rtype == "Provenance":  # read after mapping: who entered an entry, and what it supersedes
            _validate(raw, rtype, res.index, res.data)
            provenances.append(res.data)
            continue
        if rtype in MAPPED_TYPES or rtype in CONTEXT_TYPES:
            if not rid or not isinstance(rid, str):
                raise BadInputError(f"{path}: entry {res.index} ({rtype}): missing required field 'id'")
            if res.full_url:
                ctx.urls[res.full_url] = (rtype, rid)
            ctx.urls[f"{rtype}/{rid}"] = (rtype, rid)
        if rtype in CONTEXT_TYPES:
            _remember(ctx, rtype, str(rid), res.data)
        elif rtype in MAPPED_TYPES:
            models.append((res.index, _validate(raw, rtype, res.index, res.data)))
        elif rtype not in SKIPPED_TYPES:
            out.unknown[rtype] += 1
    first_entry: dict[str, int] = {}
    for index, model in models:
        try:
            mapped = map_resource(model, ctx)
        except (ValueError, TypeError, AttributeError) as e:
            raise BadInputError(f"{path}: entry {index} ({model.get_resource_type()}): cannot map: {e}") from None
        if isinstance(mapped, Patient):
            if mapped.id in first_entry:  # storing both would silently keep only the second
                raise BadInputError(f"{path}: entry {index} (Patient): a second Patient with the id of "
                                    f"entry {first_entry[mapped.id]}; a file may hold each patient once")
            first_entry[mapped.id] = index
            out.patients.append(mapped)
        else:
            if not mapped.patient_id:
                raise BadInputError(f"{path}: entry {index} ({model.get_resource_type()}): no patient "
                                    "reference (subject/patient is required)")
            out.entries.append(mapped)
        out.mapped[model.get_resource_type()] += 1
    out.entries = apply_provenance(out.entries, provenances, ctx)
    return out


def _remember(ctx: Context, rtype: str, rid: str, data: dict[str, Any]) -> None:
    # Names and codes only; these resources are not validated or stored (they are not chart data).
    if rtype == "Medication":
        model = _validate(RawFile(Path("?")), rtype, 0, data)
        ctx.medications[f"Medication/{rid}"] = coding(model.code)
        return
    name = data.get("name")
    if isinstance(name, str):
        ctx.names[f"{rtype}/{rid}"] = name
    elif isinstance(name, list) and name and isinstance(name[0], dict):
        n = name[0]
        parts = [*(n.get("prefix") or []), *(n.get("given") or []), n.get("family") or ""]
        ctx.names[f"{rtype}/{rid}"] = " ".join(str(p) for p in parts if p).strip()


@dataclass
class FileOutcome:
    """A parsed file, or the error that stopped it."""

    path: Path
    parsed: ParsedFile | None = None
    error: str = ""


def _parse_safely(path: Path) -> FileOutcome:
    try:
        return FileOutcome(path, parse_file(path))
    except BadInputError as e:
        return FileOutcome(path, error=e.message)
    except (RecursionError, MemoryError, ValueError, TypeError, KeyError, AttributeError) as e:
        # A defect the checks did not foresee: this file fails by name, the rest of a folder goes on.
        return FileOutcome(path, error=f"{path}: cannot be read as FHIR ({type(e).__name__}: "
                                       f"{str(e)[:200]}); the file is damaged or not a clinical record")


def _die_with_parent(parent: int) -> None:
    """In each worker: end when the importing process ends. A killed import left its parse workers
    (about 150 MB) running for good. A thread watches the parent (any platform), and on Linux the
    kernel's parent-death signal ends the worker at once."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    def watch() -> None:
        while True:
            if os.getppid() != parent:  # re-parented: the importing process is gone
                os._exit(0)
            time.sleep(0.5)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _crashed(path: Path) -> FileOutcome:
    return FileOutcome(path, error=f"{path}: the process reading it ended abnormally; the file is "
                                   "damaged or too large for this computer")


def _pool_pass(files: list[Path], workers: int, cancelled: Callable[[], bool],
               parse: Callable[[Path], FileOutcome]) -> Generator[FileOutcome, None, list[Path]]:
    """Parse files in one pool, yielding outcomes in order; returns the files still to parse when
    a worker died (out of memory, a C stack overflow). With one worker the file it was reading is
    the one that killed it, and is reported; with several, any of the files in flight may be."""
    # spawn, never fork: the GUI calls this from a thread, and forking a threaded process can
    # deadlock the child. Not forkserver either: its server outlives a killed parent, and so do the
    # workers it forked; spawned workers are the importing process's own children.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(parse, p) for p in files]
        try:
            for i, fut in enumerate(futures):
                if cancelled():
                    return []
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    if workers > 1:
                        return files[i:]
                    yield _crashed(files[i])
                    return files[i + 1:]
                yield outcome
        finally:
            for fut in futures:
                fut.cancel()
    return []


def parse_many(paths: Iterable[Path], workers: int | None = None,
               cancelled: Callable[[], bool] = lambda: False,
               parse: Callable[[Path], FileOutcome] = _parse_safely) -> Generator[FileOutcome, None, None]:
    """Parse files in worker processes (validation is CPU-bound), yielding outcomes in order.

    Workers only parse; the caller stores each outcome in its own transaction, so a cancel or a
    crash between files leaves whole files stored and nothing half-stored. A worker that dies costs
    only the file it was reading: the rest go on, one worker at a time, so that a second death
    names its file too. `parse` must be importable by the workers (a module-level function).
    """
    files = list(paths)
    workers = workers if workers is not None else min(len(files), os.cpu_count() or 1)
    if workers <= 1 or len(files) <= 1:
        for p in files:
            if cancelled():
                return
            yield parse(p)
        return
    pending = files
    while pending and not cancelled():
        pending = yield from _pool_pass(pending, workers, cancelled, parse)
        workers = 1
