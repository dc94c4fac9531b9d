"""Model-pack manifest: write and verify `manifest.json` (SHA-256 of every file). Standard library only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TypedDict, cast

from assistant.json_types import JSON

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
# Facts a pack's manifest must state, so that IT can tell what model a workstation runs.
REQUIRED_KEYS = ("name", "version", "licence", "source", "parameters", "quantization", "files")
_CHUNK = 4 << 20


class FileEntry(TypedDict):
    bytes: int
    sha256: str


class Manifest(TypedDict):
    """The required facts (REQUIRED_KEYS) and files; a pack may state more facts beside them."""

    format: int
    name: str
    version: str
    licence: str
    source: str
    parameters: int
    quantization: str
    files: dict[str, FileEntry]


class ManifestError(Exception):
    """The manifest is missing or malformed, or a file is missing or differs from it."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path  # the pack-relative file at fault, when there is one


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pack_files(folder: Path) -> list[str]:
    """Every regular file under `folder` except the manifest, as sorted POSIX relative paths."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")
    )


def build_manifest(folder: Path, facts: Mapping[str, JSON], files: Iterable[str] | None = None) -> Manifest:
    """Manifest for `folder`: the given facts plus the size and SHA-256 of each file."""
    names = list(files) if files is not None else pack_files(folder)
    entries: dict[str, JSON] = {
        name: {"bytes": (folder / name).stat().st_size, "sha256": sha256_file(folder / name)}
        for name in names
    }
    manifest: dict[str, JSON] = {"format": FORMAT_VERSION, **facts, "files": entries}
    missing = [k for k in REQUIRED_KEYS if k not in manifest]
    if missing:
        raise ManifestError(f"manifest facts lack {', '.join(missing)}")
    return cast(Manifest, manifest)  # every required fact is there (checked above)


def write_manifest(folder: Path, facts: Mapping[str, JSON]) -> Manifest:
    manifest = build_manifest(folder, facts)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise ManifestError(
            f"{path} is missing: this folder is not a verified model pack "
            "(rebuild it with `make model`, or write one with models/verify.py --write)",
            MANIFEST,
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ManifestError(f"{path} is not valid JSON ({e}); restore the pack from its source", MANIFEST) from e
    if not isinstance(manifest, dict):
        raise ManifestError(f"{path} must hold a JSON object", MANIFEST)
    missing = [k for k in REQUIRED_KEYS if k not in manifest]
    if missing:
        raise ManifestError(f"{path} lacks {', '.join(missing)}", MANIFEST)
    if not isinstance(manifest["files"], dict) or not manifest["files"]:
        raise ManifestError(f"{path} lists no files", MANIFEST)
    return cast(Manifest, manifest)  # the required facts and a files table are there (checked above)


def verify_files(folder: Path, manifest: Manifest, hashes: bool = True) -> None:
    """Raise ManifestError naming the first listed file that is missing, resized or altered.

    `hashes=False` checks presence and size only (fast); the full check reads every byte.
    """
    for name, entry in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise ManifestError(f"{name} is missing from the model pack {folder}; reinstall the pack", name)
        size = path.stat().st_size
        if "bytes" in entry and size != entry["bytes"]:
            raise ManifestError(
                f"{name} in {folder} has been altered ({size} bytes, the manifest says {entry['bytes']}); "
                "reinstall the pack",
                name,
            )
        if hashes and sha256_file(path) != entry.get("sha256"):
            raise ManifestError(
                f"{name} in {folder} has been altered (its SHA-256 differs from manifest.json); "
                "reinstall the pack",
                name,
            )
