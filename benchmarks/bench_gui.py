"""GUI speed: launch to sign-in, search on 1,000 patients, open the largest patient, main-thread pauses."""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from benchmarks.gui_session import main as gui_main

    gui_main()


if __name__ == "__main__":
    main()
