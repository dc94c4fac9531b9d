"""`assistant gui`: start the desktop app (Qt is imported only when this command runs)."""

from __future__ import annotations

import argparse
from typing import Any


def _gui(args: argparse.Namespace) -> int:
    from .app import run

    return run(db=args.db, user=args.user)


def register(sub: Any) -> None:
    p = sub.add_parser("gui", help="start the desktop application")
    p.add_argument("--db", metavar="PATH", help="database file (default: ASSISTANT_DB or settings)")
    p.add_argument("--user", metavar="NAME", help="user name to put in the sign-in form")
    p.set_defaults(func=_gui)
