"""CLI: `assistant export PATIENT... --deidentify --format fhir --out FILE|DIR` (and `--all`), admins only."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.cli.credentials import open_store
from assistant.errors import BadInputError
from assistant.services.deidentify import export_deidentified


def export_deidentified_cli(args: argparse.Namespace) -> int:
    if args.format != "fhir":
        raise BadInputError("--deidentify exports FHIR only: use --format fhir")
    with open_store(args) as store:
        done = export_deidentified(store, list(args.patient), Path(args.out).expanduser(),
                                   everyone=bool(args.all))
    print(f"Exported {done.report.patients} de-identified patient(s) (HIPAA Safe Harbor) to {args.out}.")
    print(f"Report: {done.report_text} and {done.report_json}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Adds no subcommand: `export` (cli/records.py) calls `export_deidentified_cli` for --deidentify."""
