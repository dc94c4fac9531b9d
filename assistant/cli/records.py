"""CLI: `import PATH...`, `patients`, `show PATIENT`, `export PATIENT --format fhir|pdf|handout|medlist`."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.cli.credentials import add_db_args, open_store
from assistant.cli.deidentify import export_deidentified_cli
from assistant.cli.export import export_pdf
from assistant.errors import BadInputError
from assistant.fileio import write_private
from assistant.records.fhir_export import export_bundle
from assistant.records.fhir_read import iter_fhir_files
from assistant.records.record import SECTIONS, PatientRecord
from assistant.records.serde import to_jsonable
from assistant.services.documents import audited_output
from assistant.services.importing import import_files


def _import(args: argparse.Namespace) -> int:
    files = list(iter_fhir_files([Path(p) for p in args.paths]))
    if not files:
        raise BadInputError("no FHIR files (.json, .ndjson) found in the given paths")
    bar = None
    if sys.stderr.isatty() and not args.json:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="Importing", file=sys.stderr)
    with open_store(args) as store:
        def progress(outcome: Any) -> None:
            if bar is not None:
                bar.update(1)
            if outcome.error and not args.json:
                msg = f"failed: {outcome.error}"
                (bar.write(msg, file=sys.stderr) if bar is not None else print(msg, file=sys.stderr))

        report = import_files(store, files, on_file=progress)
    if bar is not None:
        bar.close()
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.summary_line())
    return 0 if not report.failed else 2


def _patients(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows = store.patients.list(args.search or "", limit=args.limit)
        store.audit.record("patients.list", detail=f"{len(rows)} rows" + (" (search)" if args.search else ""))
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r.id}  {r.mrn[:12]:12}  {r.name:30}  {r.birth_date or '':10}  {r.sex}"
              + (f"  …{r.snippet}" if r.snippet else ""))
    if not rows:
        print("no patients" + (f" match {args.search!r}" if args.search else ""), file=sys.stderr)
    return 0


def record_to_json(record: PatientRecord) -> dict[str, Any]:
    """The documented `show --json` shape: patient, counts, then every section as a list."""
    p = record.patient
    out: dict[str, Any] = {"id": p.id, "mrn": p.mrn, "name": p.name, "birth_date": to_jsonable(p.birth_date),
                           "sex": p.sex, "patient": to_jsonable(p), "counts": record.counts()}
    for name in SECTIONS.values():
        out[name] = [{"ref": e.ref, **to_jsonable(e)} for e in getattr(record, name)]
    return out


def _show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        record = store.patients.load_record(store.patients.resolve(args.patient))
    if args.json:
        print(json.dumps(record_to_json(record), indent=1, ensure_ascii=False))
        return 0
    p = record.patient
    print(f"{p.name}  ({p.sex}, born {p.birth_date or '?'}, age {p.age_years() or '?'})  MRN {p.mrn}")
    if p.deceased:
        print(f"  deceased {p.deceased_date.date() if p.deceased_date else ''}")
    allergies = ", ".join(f"{a.substance} ({a.reaction or 'reaction unknown'})" for a in record.active_allergies)
    print(f"Allergies: {allergies or 'none recorded'}")
    print("Active problems:")
    for c in record.active_conditions:
        print(f"  {c.display}  (since {c.onset.date() if c.onset else '?'})")
    print("Current medications:")
    for m in record.active_medications:
        print(f"  {m.name}  {m.dose_text} {m.frequency}".rstrip())
    print("Latest observations:")
    seen: set[str] = set()
    for o in record.observations:
        if o.code.code in seen or len(seen) >= 15:
            continue
        seen.add(o.code.code)
        value = (f"{o.value:.4g} {o.unit}" if o.value is not None else o.value_text) or ", ".join(
            f"{c.code.display or c.code.code} {c.value:.4g} {c.unit}".strip()
            for c in o.components if c.value is not None)
        mark = f"  [IMPLAUSIBLE, not used: {o.implausible}]" if o.implausible else ""
        print(f"  {o.effective.date() if o.effective else '?'}  {o.name}: {value}{mark}")
    counts = Counter({k: v for k, v in record.counts().items() if v})
    print("Entries: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _export(args: argparse.Namespace) -> int:
    if args.deidentify:
        return export_deidentified_cli(args)
    if len(args.patient) != 1 or args.all:
        raise BadInputError("export takes one patient; several or --all only with --deidentify")
    args.patient = args.patient[0]
    if args.format in ("pdf", "handout", "medlist"):
        return export_pdf(args)
    with open_store(args) as store:
        pid = store.patients.resolve(args.patient)
        record = store.patients.load_record(pid)
        bundle = export_bundle(record)
        out = Path(args.out)
        with audited_output(store, "chart.export", pid, f"fhir {len(bundle['entry'])} resources"):
            write_private(out, json.dumps(bundle, indent=1, ensure_ascii=False).encode("utf-8"))
    print(f"Exported {len(bundle['entry'])} resources to {out}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import FHIR R4 files or folders (bundles, resources, NDJSON)")
    add_db_args(p)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print the import report as JSON")
    p.set_defaults(func=_import)

    p = sub.add_parser("patients", help="list or search patients (name, MRN, note text)")
    add_db_args(p)
    p.add_argument("--search", metavar="TEXT")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_patients)

    p = sub.add_parser("show", help="show a patient's record (id, MRN or exact name)")
    add_db_args(p)
    p.add_argument("patient", metavar="PATIENT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_show)

    p = sub.add_parser("export", help="export a patient as FHIR JSON, a PDF document, the patient "
                       "handout or the medication list")
    add_db_args(p)
    p.add_argument("patient", metavar="PATIENT", nargs="*")
    p.add_argument("--format", choices=("fhir", "pdf", "handout", "medlist"), default="fhir",
                   help="handout: the patient's sheet of the latest care plan; medlist: the current "
                   "medication list (PDFs; --out may be a folder: the file gets a name that says which "
                   "document, date and plan version)")
    p.add_argument("--lang", metavar="TAG", help="handout / medlist language (e.g. en, zh-CN); default: "
                   "the patient's language where a translation exists, else English")
    p.add_argument("--deidentify", action="store_true",
                   help="HIPAA Safe Harbor de-identified FHIR (admins; several patients or --all into a folder)")
    p.add_argument("--all", action="store_true", help="every patient (with --deidentify)")
    p.add_argument("--document", choices=("careplan", "summary"), default="careplan",
                   help="which PDF document (with --format pdf)")
    p.add_argument("--no-model", action="store_true",
                   help="summary PDF: record-built text only, no language model")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=_export)
