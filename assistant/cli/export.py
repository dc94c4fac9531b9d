"""CLI: `assistant export PATIENT --format pdf --document careplan|summary --out FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli.credentials import open_store
from assistant.errors import BadInputError
from assistant.fileio import write_private
from assistant.services.assist import choose_engine
from assistant.services.documents import (
    Rendered,
    audited_output,
    careplan_for_output,
    summary_for_output,
)


def export_pdf(args: argparse.Namespace) -> int:
    """Export the patient's latest care plan (drafting one if none) or a fresh summary as PDF."""
    out = Path(args.out).expanduser()
    kind = getattr(args, "document", "careplan") or "careplan"
    with open_store(args) as store:
        pid = store.patients.resolve(args.patient)
        record = store.patients.load_record(pid)
        rendered: Rendered
        if kind == "careplan":
            rendered = careplan_for_output(store, pid, record=record)
        elif kind == "summary":
            choice = choose_engine(no_model=getattr(args, "no_model", False))
            if choice.note:  # a broken installed pack: the PDF says so and carries record-built text
                print(f"note: {choice.note}", file=sys.stderr)
            rendered = summary_for_output(store, pid, record=record, engine=choice.engine,
                                          fallback_note=choice.note)
        else:
            raise BadInputError(f"unknown document {kind!r}: use careplan or summary")
        with audited_output(store, f"{rendered.kind}.export", pid, rendered.audit_detail()):
            write_private(out, rendered.pdf)
    what = (f"care plan version {rendered.version} ({rendered.status})" if kind == "careplan"
            else "summary")
    print(f"Exported the {what} to {out}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """The CLI loads this module for its subcommands: it adds none (`export` lives with the records
    commands and calls `export_pdf` for `--format pdf`)."""
