"""Model packs for IT: install a pack (folder or .zip) into the site models folder, list packs."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import DEFAULT_PACK_FILE, Settings, bundled_pack_dir, installed_default_pack
from assistant.errors import ModelPackError

if TYPE_CHECKING:
    from assistant.llm.manifest import Manifest
    from assistant.llm.pack import ModelPack

# Zip bombs and stray archives: a pack is a handful of files, none above 64 GiB in all.
MAX_ZIP_FILES = 1000
MAX_UNPACKED_BYTES = 64 << 30


@dataclass(frozen=True)
class PackEntry:
    """One pack found on this machine (manifest read, files not hashed)."""

    name: str
    version: str
    licence: str
    path: str
    size_bytes: int
    where: str  # "site", "bundled" or "configured"
    default: bool = False  # the site default (default.txt) or, without one, the bundled pack
    active: bool = False  # the pack the app runs with these settings

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_manifest(pack: Path) -> Manifest:
    """The pack's manifest.json as checked by the LLM engine (required facts present)."""
    from assistant.llm.manifest import ManifestError
    from assistant.llm.manifest import read_manifest as read

    try:
        return read(pack)
    except ManifestError as e:
        raise ModelPackError(e.message) from None


def load_pack(pack: Path, verify: bool = True) -> ModelPack:
    """Read a pack with the LLM engine's own checks (manifest, configs; with `verify` the SHA-256 of
    every file): ModelPackError names the missing or altered file."""
    from assistant.llm.pack import ModelPack

    return ModelPack.load(pack, verify=verify)


def _folder_name(pack: ModelPack) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{pack.name}-{pack.version}").strip(".-")
    return name or "pack"


def _extract_zip(archive: Path, dest: Path) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as e:
        raise ModelPackError(f"{archive}: not a readable zip file ({e})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_FILES or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            raise ModelPackError(f"{archive}: too many or too large files for a model pack")
        for info in infos:
            parts = Path(info.filename.replace("\\", "/")).parts
            if info.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise ModelPackError(f"{archive}: unsafe path {info.filename!r} in the archive")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ModelPackError(f"{archive}: symbolic link {info.filename!r} in the archive")
        try:
            zf.extractall(dest)
        except (OSError, zipfile.BadZipFile) as e:  # CRC errors are BadZipFile
            raise ModelPackError(f"{archive}: damaged archive ({e})") from None


def _pack_root(folder: Path, source: Path) -> Path:
    """The folder holding manifest.json: the top of the archive, or its single sub-folder."""
    if (folder / "manifest.json").is_file():
        return folder
    subdirs = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(("__MACOSX", "."))]
    if len(subdirs) == 1 and (subdirs[0] / "manifest.json").is_file():
        return subdirs[0]
    raise ModelPackError(f"{source}: not a model pack (no manifest.json at its top or in its one folder)")


def _make_readable(folder: Path) -> None:
    """Packs are installed by an administrator and read by every user: 0755 folders, 0644 files."""
    if os.name != "posix":
        return
    os.chmod(folder, 0o755)
    for path in folder.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def _write_default(models_dir: Path, name: str) -> None:
    tmp = models_dir / f".{DEFAULT_PACK_FILE}.tmp"
    tmp.write_text(name + "\n", encoding="utf-8")
    if os.name == "posix":
        os.chmod(tmp, 0o644)
    os.replace(tmp, models_dir / DEFAULT_PACK_FILE)


def _verified(root: Path, shown_as: Path) -> ModelPack:
    """Verify `root`; errors name `shown_as` (the source the user gave), not our staging folder."""
    try:
        return load_pack(root)
    except ModelPackError as e:
        raise ModelPackError(e.message.replace(str(root), str(shown_as))) from None


def install_pack(source: Path, models_dir: Path, make_default: bool = True, force: bool = False,
                 progress: Callable[[str], None] | None = None) -> ModelPack:
    """Verify a pack (folder or .zip), copy it to `models_dir/<name>-<version>`, make it the default.

    The copy is verified again in place before it is renamed into view, so a half-copied or
    altered pack is never installed; on any error nothing changes in `models_dir`. Returns the
    installed pack (read from its new folder).
    """
    say = progress or (lambda _msg: None)
    source = source.expanduser()
    if not source.exists():
        raise ModelPackError(f"{source}: no such file or folder")
    is_zip = source.is_file()
    if is_zip and not zipfile.is_zipfile(source):
        raise ModelPackError(f"{source}: not a .zip archive or a pack folder")
    if not is_zip:
        say(f"verifying {source}")
        load_pack(_pack_root(source, source))
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=models_dir))
    except OSError as e:
        raise ModelPackError(f"{models_dir}: cannot write the models folder ({e.strerror}); run as an "
                             "administrator or set models.install_dir") from None
    try:
        if is_zip:
            say(f"unpacking {source}")
            _extract_zip(source, staging / "unpacked")
            root = _pack_root(staging / "unpacked", source)
        else:
            say(f"copying to {models_dir}")
            root = staging / "pack"
            shutil.copytree(_pack_root(source, source), root, symlinks=False)
        say("verifying the copy")
        pack = _verified(root, source)
        name = _folder_name(pack)
        target = models_dir / name
        if target.exists():
            if not force and (target / "manifest.json").read_bytes() != (root / "manifest.json").read_bytes():
                raise ModelPackError(f"{target}: a different pack with this name and version is installed; "
                                     "use --force to replace it")
            os.replace(target, staging / "old")
        _make_readable(root)
        try:
            os.replace(root, target)
        except OSError:
            if (staging / "old").exists():  # put the previous pack back
                os.replace(staging / "old", target)
            raise
        if make_default:
            _write_default(models_dir, name)
        return load_pack(target, verify=False)
    except OSError as e:
        raise ModelPackError(f"{models_dir}: cannot install the pack ({e})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _entry(path: Path, where: str, settings: Settings, default: Path) -> PackEntry | None:
    try:
        doc = read_manifest(path)
    except ModelPackError:
        return None
    return PackEntry(str(doc["name"]), str(doc["version"]), str(doc["licence"]), str(path), _size(path),
                     where, path == default, path == settings.pack_dir)


def list_packs(settings: Settings) -> list[PackEntry]:
    """Site packs, the bundled pack and a configured pack folder, each marked default / active."""
    models_dir = settings.models_dir
    site_default = installed_default_pack(models_dir)
    default = site_default if site_default is not None else bundled_pack_dir()
    found: list[tuple[Path, str]] = []
    if models_dir.is_dir():
        found += [(p, "site") for p in sorted(models_dir.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    found.append((bundled_pack_dir(), "bundled"))
    if settings["models.pack_dir"]:
        found.append((settings.pack_dir, "configured"))
    entries: list[PackEntry] = []
    seen: set[Path] = set()
    for path, where in found:
        if path not in seen and (entry := _entry(path, where, settings, default)) is not None:
            entries.append(entry)
        seen.add(path)
    return entries
