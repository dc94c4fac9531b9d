"""CLI: `doctor`, and `model install|list` added to the model command group of assistant.llm."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.cli.credentials import add_db_args
from assistant.config import load_settings
from assistant.deploy import doctor, packs


def _doctor(args: argparse.Namespace) -> int:
    db = Path(args.db).expanduser() if getattr(args, "db", None) else None
    report = doctor.run_doctor(db)
    print(json.dumps(report, indent=2, default=str) if args.json else doctor.format_report(report))
    return 0 if report["ok"] else 1


def _install(args: argparse.Namespace) -> int:
    settings = load_settings()
    dest = Path(args.dest).expanduser() if args.dest else settings.models_dir
    progress = None if args.json else (lambda msg: print(msg, file=sys.stderr))
    pack = packs.install_pack(Path(args.pack), dest, make_default=not args.no_default, force=args.force,
                               progress=progress)
    if args.json:
        print(json.dumps({**pack.describe(), "default": not args.no_default}))
        return 0
    print(f"Installed {pack.name} {pack.version} ({pack.licence}) to {pack.path}.")
    if not args.no_default:
        print(f"It is now the default model pack on this machine ({dest / 'default.txt'}).")
        if settings["models.pack_dir"]:
            print(f"note: models.pack_dir is set ({settings.sources['models.pack_dir']}), so the app uses "
                  f"{settings.pack_dir} instead; clear it to use this pack.")
    return 0


def _list(args: argparse.Namespace) -> int:
    settings = load_settings()
    entries = packs.list_packs(settings)
    results: list[dict[str, Any]] = []
    for e in entries:
        row = e.as_dict()
        if args.verify:
            try:
                packs.load_pack(Path(e.path))
                row["verified"] = True
            except packs.ModelPackError as err:
                row["verified"], row["problem"] = False, err.message
        results.append(row)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    if not results:
        print(f"No model packs found (site folder {settings.models_dir}).")
    for row in results:
        marks = ", ".join(m for m in ("active" if row["active"] else "", "default" if row["default"] else "") if m)
        state = ""
        if "verified" in row:
            state = " verified" if row["verified"] else f" FAILED: {row['problem']}"
        print(f"{row['name']:24} {row['version']:10} {row['size_bytes'] / 1e6:8.1f} MB  {row['where']:10} "
              f"{row['licence'][:20]:20} {row['path']}{' [' + marks + ']' if marks else ''}{state}")
    return 0 if all(r.get("verified", True) for r in results) else 1


def _model_group(sub: Any) -> Any:
    """The `model` group's subparsers: assistant.cli.models creates the group; make it if absent."""
    parser = sub.choices.get("model")
    if parser is None:
        parser = sub.add_parser("model", help="language model packs")
        parser.set_defaults(func=lambda _a: (parser.print_help(), 2)[1])
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="model_cmd", metavar="COMMAND")


def register(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check this installation: versions, model, database, fonts, "
                       "printers, configuration (no password needed)")
    add_db_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_doctor)

    group = _model_group(sub)
    p = group.add_parser("install", help="verify a pack (folder or .zip), copy it to the site models "
                         "folder and make it the default")
    p.add_argument("pack", metavar="PACK", help="pack folder or .zip file")
    p.add_argument("--dest", metavar="DIR", help="models folder (default: models.install_dir or the "
                   "system location)")
    p.add_argument("--no-default", action="store_true", help="install without making it the default")
    p.add_argument("--force", action="store_true", help="replace a different pack of the same name and version")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_install)
    p = group.add_parser("list", help="model packs on this machine (site folder, bundled, configured)")
    p.add_argument("--verify", action="store_true", help="also check every file's checksum")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_list)
