"""List the LOINC codes in FHIR files with their long names, and those loinc_display.csv lacks."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

LOINC = "http://loinc.org"


def loinc_codings(data: object) -> Iterator[tuple[str, str]]:
    """(code, display) of every LOINC coding anywhere in a parsed JSON document."""
    if isinstance(data, dict):
        if data.get("system") == LOINC and isinstance(data.get("code"), str):
            yield data["code"], str(data.get("display", ""))
        for value in data.values():
            yield from loinc_codings(value)
    elif isinstance(data, list):
        for value in data:
            yield from loinc_codings(value)


def codes_in(paths: list[Path]) -> dict[str, str]:
    """Every LOINC code in the files (folders are searched for *.json), with the first display seen."""
    found: dict[str, str] = {}
    for path in paths:
        for file in sorted(path.glob("*.json")) if path.is_dir() else [path]:
            for code, display in loinc_codings(json.loads(file.read_text(encoding="utf-8"))):
                found.setdefault(code, display)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path, help="FHIR JSON files or folders of them")
    parser.add_argument("--missing", action="store_true", help="only codes loinc_display.csv lacks")
    args = parser.parse_args(argv)
    from assistant.clinical.display_names import display_table

    known = display_table()
    for code, display in sorted(codes_in(args.paths).items()):
        if not args.missing or code not in known:
            print(f"{code},{known.get(code, '')},{display}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
