"""Entry point of the packaged app: the `assistant` command line (and `gui` for the windowed build)."""

from __future__ import annotations

import multiprocessing
import os
import sys


def main() -> int:
    # Import workers are started with spawn/forkserver: they re-enter here and must stop at this call.
    multiprocessing.freeze_support()
    from assistant.cli.main import main as cli_main

    argv = sys.argv[1:]
    # The windowed Windows executable (started from the Start menu) opens the app, not the help text.
    if os.path.basename(sys.executable).lower().startswith("clinician-assistant-gui") and not argv:
        argv = ["gui"]
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
