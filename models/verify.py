"""Verify a model pack against its manifest, or write the manifest for a pack assembled by hand.

    python models/verify.py DIR                      # check every file's size and SHA-256
    python models/verify.py DIR --write --name NAME --licence SPDX --source TEXT \\
        --parameters N --quantization TEXT           # e.g. for an Optimum export copied in by IT

Standard library only (plus assistant.llm.manifest); `assistant model check DIR` also loads and runs it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from assistant.llm.manifest import ManifestError, read_manifest, verify_files, write_manifest  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path)
    parser.add_argument("--write", action="store_true", help="(re)write manifest.json from the files present")
    for flag in ("--name", "--version", "--licence", "--source", "--quantization"):
        parser.add_argument(flag)
    parser.add_argument("--parameters", type=int)
    args = parser.parse_args(argv)
    if args.write:
        facts = {"name": args.name, "version": args.version or "1", "licence": args.licence, "source": args.source,
                 "parameters": args.parameters, "quantization": args.quantization}
        missing = [k for k, v in facts.items() if v is None]
        if missing:
            parser.error("--write needs " + ", ".join("--" + k for k in missing))
        manifest = write_manifest(args.dir, facts)
        print(f"wrote {args.dir / 'manifest.json'} ({len(manifest['files'])} files)")
        return 0
    try:
        manifest = read_manifest(args.dir)
        verify_files(args.dir, manifest)
    except ManifestError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 2
    print(f"{args.dir}: {manifest['name']} {manifest['version']}, {len(manifest['files'])} files verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
