"""`assistant risks PATIENT [--json] [--as-of DATE]`: the risk flags and scores of one chart."""

from __future__ import annotations

import argparse
import json
import shutil
import textwrap
from datetime import UTC, date, datetime, time
from typing import Any

from assistant.errors import BadInputError


def register(sub: Any) -> None:
    """Add the `risks` subcommand to the main CLI's subparsers."""
    from assistant.cli.credentials import add_db_args

    p = sub.add_parser(
        "risks", help="risk flags and scores for one patient",
        description="Evaluate every risk rule on a patient's chart: scores over action thresholds, "
                    "critical labs, trends, medication safety and care gaps. Each flag names the "
                    "chart entries behind it and its published source.")
    p.add_argument("patient", metavar="PATIENT", help="patient id, MRN or exact name")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--as-of", metavar="DATE",
                   help="evaluate as on this date (YYYY-MM-DD or an ISO date-time; default now)")
    add_db_args(p)
    p.set_defaults(func=_run)


def parse_as_of(text: str | None) -> datetime | None:
    """YYYY-MM-DD (end of that day, UTC) or an ISO date-time; None for now."""
    if text is None:
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59), UTC)
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"--as-of: {text!r} is not a date (use YYYY-MM-DD)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _run(args: argparse.Namespace) -> int:
    from assistant.cli.credentials import open_store
    from assistant.clinical.flags import evaluate

    as_of = parse_as_of(args.as_of)
    if not args.patient or not args.patient.strip():
        raise BadInputError("risks: give a patient id, MRN or name")
    store = open_store(args)
    try:
        record = store.patients.load_record(store.patients.resolve(args.patient.strip()))
    finally:
        store.close()
    report = evaluate(record, as_of)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        print(render(report))
    return 0


_WIDTH = {"critical": "CRITICAL", "high": "HIGH", "moderate": "MODERATE", "info": "INFO"}


def render(report: Any, width: int | None = None) -> str:
    """The report as a table of flags, the explanations under it, then the scores."""
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    counts = report.counts()
    lines = [f"Risk review as of {report.as_of.date().isoformat()}: "
             + ", ".join(f"{n} {s}" for s, n in counts.items() if n) if report.flags else
             f"Risk review as of {report.as_of.date().isoformat()}: no flags."]
    if report.flags:
        title_w = max(20, width - 34)
        lines.append("")
        lines.append(f"{'#':>3}  {'SEVERITY':<9} {'CATEGORY':<11} TITLE")
        for n, f in enumerate(report.flags, 1):
            title = f.title if len(f.title) <= title_w else f.title[: title_w - 3] + "..."
            lines.append(f"{n:>3}  {_WIDTH[f.severity]:<9} {f.category:<11} {title}")
        lines.append("")
        wrap = textwrap.TextWrapper(width=width, initial_indent="     ", subsequent_indent="     ")
        for n, f in enumerate(report.flags, 1):
            lines.append(f"{n:>3}. {f.title}  [{f.id}]")
            lines.extend(wrap.wrap(f.explanation))
            if f.missing:
                lines.extend(wrap.wrap("Missing: " + "; ".join(f.missing)))
            if f.evidence:
                lines.extend(wrap.wrap("Evidence: " + ", ".join(f.evidence)))
            lines.extend(wrap.wrap("Source: " + f.reference))
            lines.append("")
    if report.scores:
        lines.append("Scores:")
        for s in report.scores:
            r = s.result
            unit = f" {r.unit}" if r.unit else ""
            lines.append(f"  {s.title}: {r.value}{unit} ({r.interpretation})")
    if report.not_computed:
        lines.append("Not computed:")
        for s in report.not_computed:
            why = s.error or "missing " + ", ".join(s.missing)
            lines.append(f"  {s.title}: {why}")
    return "\n".join(lines).rstrip()
