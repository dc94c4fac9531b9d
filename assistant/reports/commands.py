"""CLI: `assistant export PATIENT --format pdf --document careplan|summary --out FILE`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from assistant.errors import BadInputError
from assistant.store.session import open_store

from .print_support import (
    Rendered,
    audit_output,
    careplan_for_output,
    load_engine,
    summary_for_output,
)


def write_private(path: Path, data: bytes) -> None:
    """Write atomically (temp file in the same folder, then rename) and readable by the owner only."""
    if path.is_dir():
        raise BadInputError(f"{path} is a folder: give a file name for the PDF")
    if not path.parent.is_dir():
        raise BadInputError(f"{path.parent}: no such folder")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise BadInputError(f"{path}: cannot write ({e.strerror})") from None


def export_pdf(args: argparse.Namespace) -> int:
    """Export the patient's latest care plan (drafting one if none) or a fresh summary as PDF."""
    out = Path(args.out).expanduser()
    kind = getattr(args, "document", "careplan") or "careplan"
    with open_store(args) as store:
        pid = store.resolve_patient(args.patient)
        record = store.load_record(pid)
        rendered: Rendered
        if kind == "careplan":
            rendered = careplan_for_output(store, pid, record=record)
        elif kind == "summary":
            rendered = summary_for_output(store, pid, record=record, engine=load_engine(args))
        else:
            raise BadInputError(f"unknown document {kind!r}: use careplan or summary")
        write_private(out, rendered.pdf)
        audit_output(store, rendered, "export")
    what = (f"care plan version {rendered.version} ({rendered.status})" if kind == "careplan"
            else "summary")
    print(f"Exported the {what} to {out}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """The CLI loads this module for its subcommands: it adds none (`export` lives with the records
    commands and calls `export_pdf` for `--format pdf`)."""
