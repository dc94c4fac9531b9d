"""The renames of `db restore`, journalled so that a rerun after a crash finishes them and loses nothing.

A restore swaps two pairs of files: the live database (with its `-wal`/`-shm`) and its key file move
aside to `<name>.before-restore[.N]` and `<name>.keys.before-restore[.N]`, and the staged, already
verified copies move in. The journal `<db>.restore-journal` is written (and synced) before the
first rename and names the number N, so each step can tell from the files alone whether it is
done: a rename whose source is gone or whose target exists is never repeated. So a rerun, or the
next `Store.open`, completes the swap; the displaced key file is never overwritten or deleted.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from assistant.errors import DatabaseError
from assistant.fileio import open_private

from .hold import sole_use

# A test hook: stop with SIGKILL just before rename number N (0-based), as a crash would.
KILL_AT_ENV = "ASSISTANT_TEST_KILL_RESTORE_AT"


def journal_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".restore-journal")


def staged_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".restoring")


def displaced(path: Path, n: int) -> Path:
    return path.with_name(path.name + ".before-restore" + (f".{n}" if n else ""))


def free_number(db_path: Path) -> int:
    """0 for '<name>.before-restore', else the first n free for the database, its WAL and its keys
    (the set keeps one number)."""
    keys = db_path.with_name(db_path.name + ".keys")
    n = 0
    while any(displaced(p, n).exists() or Path(str(displaced(db_path, n)) + s).exists()
              for p in (db_path, keys) for s in ("-wal", "-shm")):
        n += 1
    return n


def _moves(db_path: Path, n: int) -> list[tuple[Path, Path]]:
    keys = db_path.with_name(db_path.name + ".keys")
    staged = staged_path(db_path)
    old = displaced(db_path, n)
    return [(db_path, old),
            (Path(str(db_path) + "-wal"), Path(str(old) + "-wal")),
            (Path(str(db_path) + "-shm"), Path(str(old) + "-shm")),
            (keys, displaced(keys, n)),
            (staged.with_name(staged.name + ".keys"), keys),
            (staged, db_path)]


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its renames are durable on return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap_in(db_path: Path, backup_name: str) -> int:
    """Move the live files aside and the staged ones in, under the sole-use lock; returns N."""
    with sole_use(db_path):
        n = free_number(db_path)
        with open_private(journal_path(db_path)) as f:
            f.write(json.dumps({"n": n, "backup": backup_name}).encode())
            f.flush()
            os.fsync(f.fileno())
        _sync_dir(db_path.parent)
        _run(db_path, n)
    return n


def _run(db_path: Path, n: int) -> None:
    kill_at = int(os.environ.get(KILL_AT_ENV, "-1"))
    for i, (src, dst) in enumerate(_moves(db_path, n)):
        if i == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if src.exists() and not dst.exists():
            os.replace(src, dst)
            _sync_dir(db_path.parent)
    journal_path(db_path).unlink()
    _sync_dir(db_path.parent)


def finish_interrupted(db_path: Path) -> bool:
    """Complete a restore that a crash cut between its renames; False when there was none."""
    journal = journal_path(db_path)
    if not journal.exists():
        return False
    try:
        n = int(json.loads(journal.read_text("utf-8"))["n"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DatabaseError(f"{journal}: unreadable restore journal ({e}); do not delete any "
                            f"'{db_path.name}*' file and contact support") from None
    with sole_use(db_path):
        if journal.exists():  # not finished by another process meanwhile
            _run(db_path, n)
    return True
