"""Write THIRD_PARTY_LICENSES from the installed distributions bundled into the packaged app."""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
_LICENCE_FILE = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|AUTHORS|ThirdPartyNotices)[^/]*$", re.I)
RULE = "=" * 78

# Components inside the bundle that no Python distribution describes (or describes only in part).
EXTRA_NOTICES: tuple[tuple[str, str, str], ...] = (
    ("Qt 6 (inside PySide6-Essentials)", "LGPL-3.0-only",
     "The Qt libraries are used under the GNU Lesser General Public License v3, as shared libraries in "
     "the application folder, which you may replace with your own build of the same Qt version. "
     "Qt source: https://download.qt.io/official_releases/qt/ . Full texts: LGPL-3.0.txt and "
     "GPL-3.0.txt below."),
    ("SQLCipher (inside sqlcipher3)", "BSD-3-Clause",
     "Copyright (c) 2008-2025, ZETETIC LLC. All rights reserved. Redistribution and use in source and "
     "binary forms, with or without modification, are permitted provided that the following conditions "
     "are met: redistributions of source code must retain the above copyright notice, this list of "
     "conditions and the following disclaimer; redistributions in binary form must reproduce the above "
     "copyright notice, this list of conditions and the following disclaimer in the documentation "
     "and/or other materials provided with the distribution; neither the name of the ZETETIC LLC nor "
     "the names of its contributors may be used to endorse or promote products derived from this "
     "software without specific prior written permission. THIS SOFTWARE IS PROVIDED BY ZETETIC LLC "
     "''AS IS'' AND ANY EXPRESS OR IMPLIED WARRANTIES ARE DISCLAIMED. SQLite itself is in the public "
     "domain."),
    ("PyInstaller bootloader", "GPL-2.0-or-later WITH Bootloader-exception",
     "The small program that starts the application is PyInstaller's bootloader, distributed under the "
     "GPL with an exception that allows its use in any program; see the PyInstaller entry below."),
)


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(root: str = "clinician-assistant") -> list[str]:
    """Names of `root` and everything it requires at run time (no extras), installed here."""
    seen: dict[str, str] = {}

    def walk(name: str) -> None:
        if _key(name) in seen:
            return
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            return
        seen[_key(name)] = dist.metadata["Name"]
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            walk(req.name)

    walk(root)
    return list(seen.values())


def dists_for_modules(modules: Iterable[str]) -> list[str]:
    """Distributions that provide the given top-level module names (what PyInstaller collected)."""
    owners = md.packages_distributions()
    names: dict[str, str] = {}
    for module in modules:
        for dist in owners.get(module.split(".")[0], []):
            names[_key(dist)] = dist
    return sorted(names.values(), key=str.lower)


def _licence_texts(dist: md.Distribution) -> list[tuple[str, str]]:
    texts = []
    for f in dist.files or []:
        name = str(f)
        if _LICENCE_FILE.search(name) and not name.endswith((".py", ".pyc")):
            try:
                texts.append((name, Path(str(dist.locate_file(f))).read_text(encoding="utf-8", errors="replace")))
            except OSError:
                continue
    return texts


def _dist_section(name: str) -> str:
    dist = md.distribution(name)
    meta = dist.metadata
    licence = meta.get("License-Expression") or meta.get("License") or ""
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if not licence.strip() or len(licence) > 200:  # some put the whole text in License
        licence = ", ".join(classifiers) or (licence.splitlines()[0] if licence.strip() else "see below")
    home = meta.get("Home-page") or next((u.split(", ", 1)[-1] for u in meta.get_all("Project-URL") or []), "")
    lines = [RULE, f"{meta['Name']} {dist.version}", f"Licence: {licence}"]
    if home:
        lines.append(f"Home: {home}")
    texts = _licence_texts(dist)
    if not texts and meta.get("License") and len(meta["License"]) > 200:
        texts = [("License (metadata)", meta["License"])]
    for fname, text in texts:
        lines += ["", f"--- {fname} ---", text.rstrip()]
    if not texts:
        lines += ["", "(no licence file in the installed distribution; licence as declared above)"]
    return "\n".join(lines)


def _file_section(title: str, licence: str, text: str) -> str:
    return "\n".join([RULE, title, f"Licence: {licence}", "", text.rstrip()])


def _pack_sections(pack: Path) -> list[str]:
    try:
        manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    licence = manifest.get("licence") or manifest.get("license") or "see pack"
    if isinstance(licence, dict):
        licence = licence.get("name") or licence.get("id") or json.dumps(licence)
    body = [f"Model pack {manifest.get('name', pack.name)} {manifest.get('version', '')}".strip()]
    if manifest.get("source"):
        body.append(f"Source: {json.dumps(manifest['source']) if not isinstance(manifest['source'], str) else manifest['source']}")
    for name in sorted(p.name for p in pack.iterdir() if _LICENCE_FILE.search(p.name)):
        body += ["", f"--- {name} ---", (pack / name).read_text(encoding="utf-8", errors="replace")]
    return [_file_section(f"Language model: {manifest.get('name', pack.name)}", str(licence), "\n".join(body))]


def render(dists: Iterable[str], pack: Path | None = None, fonts: Path | None = None) -> str:
    """The whole THIRD_PARTY_LICENSES text."""
    own = _key("clinician-assistant")
    names = sorted({n for n in dists if _key(n) != own}, key=str.lower)
    out = ["Clinician Assistant: third-party software and data in this application", "",
           "Each component below is listed with its version and licence, followed by the licence "
           "texts it ships.", "", "Components: " + ", ".join(names) + ", Python, Qt, SQLCipher", ""]
    for name in names:
        try:
            out.append(_dist_section(name))
        except md.PackageNotFoundError:
            out.append(_file_section(name, "unknown", "(not installed on the build machine)"))
    py_licence = Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "LICENSE.txt"
    if not py_licence.exists():
        py_licence = Path(sys.base_prefix) / "LICENSE.txt"
    py_text = py_licence.read_text(encoding="utf-8", errors="replace") if py_licence.exists() else \
        "Python Software Foundation License Version 2: https://docs.python.org/3/license.html"
    out.append(_file_section(f"Python {sys.version.split()[0]}", "PSF-2.0", py_text))
    for title, licence, text in EXTRA_NOTICES:
        out.append(_file_section(title, licence, text))
    if fonts and fonts.is_dir():
        for f in sorted(fonts.rglob("*")):
            if f.is_file() and _LICENCE_FILE.search(f.name):
                out.append(_file_section(f"Fonts: {f.relative_to(fonts)}", "see text", f.read_text(
                    encoding="utf-8", errors="replace")))
    if pack is not None:
        out += _pack_sections(pack)
    for name in ("LGPL-3.0.txt", "GPL-3.0.txt"):
        path = HERE / "licenses" / name
        if path.exists():
            out.append(_file_section(name, name.removesuffix(".txt"), path.read_text(encoding="utf-8")))
    return "\n\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dist", action="append", default=[],
                        help="distribution to list (default: the app's run-time dependency closure)")
    parser.add_argument("--pack", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--fonts", type=Path, default=ROOT / "resources" / "fonts")
    args = parser.parse_args(argv)
    dists = args.dist or runtime_closure()
    args.out.write_text(render(dists, args.pack if args.pack.is_dir() else None, args.fonts), encoding="utf-8")
    print(f"{args.out}: {len(dists)} distributions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
