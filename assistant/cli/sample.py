"""`python -m assistant.cli.sample [OUT_DIR]`: write the sample care-plan PDF (and its first page as PNG)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.services.sample import DEFAULT_PATIENT, write_sample


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assistant.cli.sample",
                                 description="Sample report from a fictional demo patient (PDF + PNG).")
    ap.add_argument("out_dir", type=Path, nargs="?", default=Path("docs"))
    ap.add_argument("--patient", default=DEFAULT_PATIENT, help="demo bundle file name in resources/demo")
    ap.add_argument("--signed", action="store_true", help="a signed plan instead of a draft")
    ap.add_argument("--dpi", type=int, default=100)
    args = ap.parse_args(argv)
    for path in write_sample(args.out_dir, args.patient, args.signed, args.dpi):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
