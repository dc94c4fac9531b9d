"""The `assistant` command line: argparse subcommands over the core, and credential handling."""

from .main import main

__all__ = ["main"]
