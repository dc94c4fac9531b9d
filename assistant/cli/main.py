"""`assistant` command line: one argparse tree built from the subcommand modules of this package."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import sqlcipher3

from assistant import __version__
from assistant.errors import AssistantError, database_failure, failure_kind

# Each module defines `register(subparsers)` adding its subcommands; a handler is stored as
# `func` on the parsed namespace and returns an exit code. Imported as the parser is built so that
# `assistant --version` stays cheap.
COMMAND_MODULES = (
    "assistant.cli.database",
    "assistant.cli.records",
    "assistant.cli.entry",
    "assistant.cli.calculators",
    "assistant.cli.risks",
    "assistant.cli.models",
    "assistant.cli.assist",
    "assistant.cli.careplans",
    "assistant.cli.export",
    "assistant.cli.deploy",
    "assistant.cli.knowledge",
    "assistant.cli.gui",
)


# Options whose value is a secret, and the words that name one: a value given after them (or as
# --option=VALUE) is never echoed in an error message.
# ("pass" also catches a mistyped or shortened --passw...).
_SECRET_WORDS = ("pass", "secret", "key")


def _secret_values(argv: Sequence[str]) -> list[str]:
    out = []
    for i, arg in enumerate(argv):
        name, eq, value = arg.partition("=")
        if not name.startswith("-") or name.endswith("-file") or not any(w in name for w in _SECRET_WORDS):
            continue
        if eq and value:
            out.append(value)
        elif i + 1 < len(argv):
            out.append(argv[i + 1])
    return out


class Parser(argparse.ArgumentParser):
    """No abbreviated options (`--password SECRET` was taken as `--password-file`), and no secret
    value repeated in an error. Subcommand parsers are made of this class too."""

    secrets: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        for value in Parser.secrets:
            message = message.replace(value, "***")
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="assistant", description="Clinician Assistant: offline records, summaries, risks, care plans."
    )
    parser.add_argument("--version", action="version", version=f"clinician-assistant {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    from assistant.cli.credentials import add_db_args

    add_db_args(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if any(a.partition("=")[0] == "--password" for a in given):
        print("error: a password is never taken as a command-line argument (other users can read "
              "those): use ASSISTANT_PASSWORD, --password-file FILE or the prompt", file=sys.stderr)
        return 2
    parser = build_parser()
    Parser.secrets = tuple(_secret_values(given))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AssistantError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return e.exit_code
    except sqlcipher3.Error as e:
        # Anything the database layer did not already explain. A full disk or a held lock is no
        # damage: say so, and send no one to a backup for it.
        if failure_kind(e) != "other":
            print(f"error: {database_failure('database', e).message}", file=sys.stderr)
        else:
            print(f"error: database: {e}; run `assistant doctor`, or restore from a backup", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
