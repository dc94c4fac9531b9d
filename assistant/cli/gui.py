"""`assistant gui`: start the desktop app (Qt is imported only when this command runs)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from assistant.errors import BadInputError


def no_display_reason(env: dict[str, str] | None = None, platform: str | None = None) -> str:
    """Why a window cannot open here ('' when it can): on Linux, Qt aborts the whole process
    (no Python exception) when there is neither an X11 nor a Wayland display."""
    env = dict(os.environ) if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return ""
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return ""
    return ("no display: the desktop app needs an X11 or Wayland session (DISPLAY and WAYLAND_DISPLAY "
            "are both unset). Start it from the desktop, or over ssh -X; the command line works "
            "without one (assistant --help)")


def _gui(args: argparse.Namespace) -> int:
    reason = no_display_reason()
    if reason:
        raise BadInputError(reason)
    from assistant.gui.app import run

    return run(db=args.db, user=args.user)


def register(sub: Any) -> None:
    p = sub.add_parser("gui", help="start the desktop application")
    p.add_argument("--db", metavar="PATH", help="database file (default: ASSISTANT_DB or settings)")
    p.add_argument("--user", metavar="NAME", help="user name to put in the sign-in form")
    p.set_defaults(func=_gui)
