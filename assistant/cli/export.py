"""CLI: `assistant export PATIENT --format pdf|handout|medlist [--document careplan|summary] --out FILE|DIR`."""

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
    handout_for_output,
    medlist_for_output,
    summary_for_output,
)


def export_pdf(args: argparse.Namespace) -> int:
    """Export the patient's latest care plan (drafting one if none), a fresh summary, the handout of
    the latest plan or the medication list as PDF; into a folder under its default file name."""
    out = Path(args.out).expanduser()
    fmt = getattr(args, "format", "pdf")
    kind = fmt if fmt in ("handout", "medlist") else (getattr(args, "document", "careplan") or "careplan")
    lang = getattr(args, "lang", None) or None
    with open_store(args) as store:
        pid = store.patients.resolve(args.patient)
        record = store.patients.load_record(pid)
        rendered: Rendered
        if kind == "handout":
            rendered = handout_for_output(store, pid, record=record, lang=lang)
        elif kind == "medlist":
            rendered = medlist_for_output(store, pid, record=record, lang=lang)
        elif kind == "careplan":
            rendered = careplan_for_output(store, pid, record=record)
        elif kind == "summary":
            choice = choose_engine(no_model=getattr(args, "no_model", False))
            if choice.note:  # a broken installed pack: the PDF says so and carries record-built text
                print(f"note: {choice.note}", file=sys.stderr)
            rendered = summary_for_output(store, pid, record=record, engine=choice.engine,
                                          fallback_note=choice.note)
        else:
            raise BadInputError(f"unknown document {kind!r}: use careplan or summary")
        if out.is_dir():
            out = out / rendered.filename
        with audited_output(store, f"{rendered.kind}.export", pid, rendered.audit_detail()):
            write_private(out, rendered.pdf)
    what = {"careplan": f"care plan version {rendered.version} ({rendered.status})",
            "handout": f"patient handout of care plan version {rendered.version} ({rendered.status})",
            "medlist": "medication list"}.get(kind, "summary")
    print(f"Exported the {what} to {out}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """The CLI loads this module for its subcommands: it adds none (`export` lives with the records
    commands and calls `export_pdf` for `--format pdf`)."""
