"""Allow `python -m assistant ...` as well as the `assistant` console script."""

import multiprocessing
import sys

from assistant.cli.main import main

if __name__ == "__main__":
    # Import workers start with forkserver/spawn, which re-import this module: keep work under the guard.
    multiprocessing.freeze_support()
    sys.exit(main())
