"""The `assistant` command line: argparse subcommands over the core, and credential handling."""
