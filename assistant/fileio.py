"""Writing exports safely: atomically (temp file, fsync, rename) and readable by the owner only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from assistant.errors import BadInputError


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, mode 0600: an export is a deliberate copy, still kept private.

    A crash leaves either the old file or the new one, never half a document.
    """
    if path.is_dir():
        raise BadInputError(f"{path} is a folder: give a file name")
    if not path.parent.is_dir():
        raise BadInputError(f"{path.parent}: no such folder")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise BadInputError(f"{path}: cannot write ({e.strerror})") from None


def open_private(path: Path, mode: int = 0o600) -> BinaryIO:
    """Open `path` for writing (created or truncated) with owner-only permissions, whatever the
    umask: backups, staged restores and their key files hold patient data or keys."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.fchmod(fd, mode)  # an existing file keeps its old mode through O_CREAT: set it
    return os.fdopen(fd, "wb")
