"""CLI: `assistant knowledge list|verify|install|rollback|sign|manifest` (clinical-knowledge packs)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.clinical import knowledge_install as packs
from assistant.clinical.knowledge_pack import PackInfo, build_manifest, sign, verify, write_manifest


def _line(info: PackInfo, active: str) -> str:
    mark = "*" if info.label == active else " "
    origin = "built-in" if not info.signed_by else f"signed by {info.signed_by[:12]}..."
    return f"{mark} {info.name:20} {info.version:12} {info.date:10}  {info.files:3} files  {origin}"


def _list(args: argparse.Namespace) -> int:
    active = packs.active().label
    rows = packs.installed()
    if args.json:
        print(json.dumps({"active": active, "packs": [{"name": p.name, "version": p.version, "date": p.date,
                                                       "files": p.files, "signed_by": p.signed_by}
                                                      for p in rows]}, indent=1))
        return 0
    for info in rows:
        print(_line(info, active))
    return 0


def _verify(args: argparse.Namespace) -> int:
    info = verify(Path(args.dir), packs.trusted_keys()) if args.dir else packs.active()
    print(f"Knowledge pack {info.label} ({info.date}): {info.files} files match the manifest"
          + (", signature by a trusted key" if info.signed_by else " (built-in, unsigned)") + ".")
    return 0


def _install(args: argparse.Namespace) -> int:
    info = packs.install(Path(args.dir))
    print(f"Installed knowledge pack {info.label}; it is now active.")
    return 0


def _rollback(_args: argparse.Namespace) -> int:
    print(f"Rolled back: knowledge pack {packs.rollback().label} is active.")
    return 0


def _sign(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    write_manifest(root, build_manifest(root, args.name, args.version, args.date or ""))
    if args.key_file:
        sign(root, Path(args.key_file))
    print(f"Wrote the manifest of {root}" + (" and its signature." if args.key_file else " (unsigned)."))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("knowledge", help="clinical-knowledge packs: list, verify, install, roll back, sign")
    ks = p.add_subparsers(dest="knowledge_command", metavar="ACTION", required=True)
    q = ks.add_parser("list", help="installed packs and the active one (*)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_list)
    q = ks.add_parser("verify", help="check a pack folder (default: the active pack)")
    q.add_argument("dir", nargs="?", metavar="DIR")
    q.set_defaults(func=_verify)
    q = ks.add_parser("install", help="install a pack signed by a trusted key and make it active")
    q.add_argument("dir", metavar="DIR")
    q.set_defaults(func=_install)
    q = ks.add_parser("rollback", help="make the previous pack active again")
    q.set_defaults(func=_rollback)
    for name, helptext, signed in (("sign", "publisher: write a pack's manifest and sign it", True),
                                   ("manifest", "write a pack's manifest without signing (built-in)", False)):
        q = ks.add_parser(name, help=helptext)
        q.add_argument("dir", metavar="DIR")
        q.add_argument("--name", required=True)
        q.add_argument("--version", required=True, help="numbers separated by dots, e.g. 2026.2.0")
        q.add_argument("--date", help="ISO date (default today)")
        if signed:
            q.add_argument("--key-file", required=True, metavar="FILE",
                           help="Ed25519 private key (PEM); kept outside the repository")
        q.set_defaults(func=_sign, key_file=None)
