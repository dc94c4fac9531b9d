"""Allow `python -m assistant ...` as well as the `assistant` console script."""

import sys

from assistant.cli import main

sys.exit(main())
