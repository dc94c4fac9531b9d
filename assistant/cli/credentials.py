"""Credentials for command-line use: database path, user and password from flags, env, file or prompt."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from assistant.config import load_settings
from assistant.errors import AuthenticationError, BadInputError
from assistant.store.database import Store


def add_db_args(parser: argparse.ArgumentParser) -> None:
    """--db, --user and --password-file. A password is never accepted as a plain argument.

    Added to the main parser and to each subcommand, with SUPPRESS defaults so that giving them
    before or after the subcommand both work (a subparser default would overwrite the main value).
    """
    parser.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help="database file (default: ASSISTANT_DB or settings)")
    parser.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                        help="account name (default: ASSISTANT_USER)")
    parser.add_argument("--password-file", metavar="FILE", default=argparse.SUPPRESS,
                        help="read the password from the first line of FILE (else ASSISTANT_PASSWORD "
                             "or a prompt)")


def db_path(args: argparse.Namespace) -> Path:
    if getattr(args, "db", None):
        return Path(args.db).expanduser()
    return load_settings().db_path


def user_name(args: argparse.Namespace) -> str:
    name = getattr(args, "user", None) or os.environ.get("ASSISTANT_USER", "")
    if not name:
        if sys.stdin.isatty():
            name = input("User: ").strip()
        if not name:
            raise AuthenticationError("no user given: use --user or set ASSISTANT_USER")
    return name


def read_secret(args: argparse.Namespace, prompt: str = "Password: ", env: str = "ASSISTANT_PASSWORD",
                file_attr: str = "password_file") -> str:
    path = getattr(args, file_attr, None)
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return f.readline().rstrip("\r\n")
        except OSError as e:
            raise BadInputError(f"{path}: cannot read password file ({e.strerror})") from None
    if os.environ.get(env):
        return os.environ[env]
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise AuthenticationError(f"no password: set {env}, use --password-file, or run on a terminal")


def open_store(args: argparse.Namespace) -> Store:
    """Open the database named by the arguments as the named user (AuthenticationError if wrong)."""
    path = db_path(args)
    user = user_name(args)
    return Store.open(path, user, read_secret(args))
