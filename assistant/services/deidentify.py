"""De-identified FHIR export of one, several or all patients: admin only, audited, with a report."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import BadInputError
from assistant.fileio import write_private
from assistant.records.deidentify import Deidentifier, DeidReport, deidentified_bundle
from assistant.store.database import Store

AUDIT_ACTION = "chart.export.deidentified"


@dataclass(frozen=True)
class DeidExport:
    """Where the export went: the bundle files and the report (JSON and text)."""

    files: tuple[Path, ...]
    report: DeidReport
    report_json: Path
    report_text: Path


def _targets(store: Store, patients: list[str], everyone: bool) -> list[str]:
    if everyone:
        return [s.id for s in store.patients.list(limit=1_000_000)]
    if not patients:
        raise BadInputError("name a patient, several patients, or use --all")
    return [store.patients.resolve(p) for p in patients]


def export_deidentified(store: Store, patients: list[str], out: Path, everyone: bool = False,
                        deidentifier: Deidentifier | None = None,
                        step: Callable[[int, int], None] | None = None) -> DeidExport:
    """Write one de-identified Bundle per patient: to `out` itself for one patient named, else into
    the folder `out` (one file per pseudonym). The report goes beside them. `step(done, total)` runs
    before each patient (the app's progress and cancel: an exception it raises stops the export)."""
    store.require_admin()
    ids = _targets(store, patients, everyone)
    single = len(ids) == 1 and not everyone and out.suffix.lower() == ".json"
    if not single:
        if out.exists() and not out.is_dir():
            raise BadInputError(f"{out} is a file: several patients go into a folder (--out DIR)")
        out.mkdir(parents=True, exist_ok=True)
    deid = deidentifier or Deidentifier()
    report = DeidReport()
    files: list[Path] = []
    for n, pid in enumerate(ids):
        if step is not None:
            step(n, len(ids))
        result = deid.deidentify(store.patients.load_record(pid, audit=False))
        bundle = deidentified_bundle(result.record)
        path = out if single else out / f"{result.record.patient.id}.json"
        # Who exported which chart (the real id, in the audit log only), before the file exists.
        store.audit.record(AUDIT_ACTION, pid, f"fhir {len(bundle['entry'])} resources, safe harbor")
        write_private(path, json.dumps(bundle, indent=1, ensure_ascii=False).encode("utf-8"))
        files.append(path)
        report.add(result.counts, path.name)
    store.audit.record(AUDIT_ACTION, "", f"{len(ids)} patients de-identified")
    base = out.with_suffix("") if single else out / "deidentification-report"
    report_json = base.with_name(base.name + ".report.json") if single else base.with_suffix(".json")
    report_text = base.with_name(base.name + ".report.txt") if single else base.with_suffix(".txt")
    write_private(report_json, json.dumps(report.to_dict(), indent=1).encode("utf-8"))
    write_private(report_text, report.to_text().encode("utf-8"))
    return DeidExport(tuple(files), report, report_json, report_text)
