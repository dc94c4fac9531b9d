"""The renames of `db restore`, journalled so that a rerun after a crash finishes them and loses nothing.

A restore swaps two pairs of files: the live database (with its `-wal`/`-shm`) and its key file move
aside to `<name>.before-restore[.N]` and `<name>.keys.before-restore[.N]`, and the staged, already
verified copies move in. The journal `<db>.restore-journal` is written (and synced) before the
first rename and names the number N, so each step can tell from the files alone whether it is
done: a rename whose source is gone or whose target exists is never repeated. So a rerun, or the
next `Store.open`, completes the swap; the displaced key file is never overwritten or deleted.

The journal is written whole or not at all (a temporary file, synced, renamed into place), so a
kill while it is written leaves no journal: the restore has simply not started. A journal at its
name that cannot be read (an empty one left by an older version killed mid-write, or a damaged
disk) is read as "not started" only when the files prove it: the staged pair is still there and
the live database is still at its name (rename 0, the first, has not run, so none has: the renames
run in order, after the journal was synced), or no live database and no displaced copy exists at
all (nothing was ever moved aside). The staged pair is then removed (the backup file is the
source; the restore is run again). Any other state is left alone for a person to look at.

The audit side of a restore (its `db.restore` row and the restart of the witness under a new log
id) is written into the staged copy before the first rename (`maintenance.restore`), so a restore
finished here, at the next open, needs no audit work: the log that comes in already says so, and
`audit verify` does not mistake the swap for deleted rows.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import signal
from pathlib import Path

from assistant.errors import DatabaseError
from assistant.fileio import write_private

from .hold import sole_use

log = logging.getLogger(__name__)

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
        # A temporary journal of a restore killed while writing it: that restore never started.
        for stale in db_path.parent.glob(f".{glob.escape(journal_path(db_path).name)}.*.partial"):
            stale.unlink(missing_ok=True)
        # Whole or absent: a kill mid-write leaves only a temporary file, never a torn journal.
        write_private(journal_path(db_path), json.dumps({"n": n, "backup": backup_name}).encode())
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
    """Complete a restore that a crash cut between its renames; False when there was none (or when
    an unreadable journal proves it never started, see the module's docstring)."""
    journal = journal_path(db_path)
    if not journal.exists():
        return False
    with sole_use(db_path):
        if not journal.exists():  # finished by another process meanwhile
            return True
        try:
            n = int(json.loads(journal.read_text("utf-8"))["n"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            if not _never_started(db_path):
                raise DatabaseError(f"{journal}: unreadable restore journal ({e}) and some files "
                                    f"were already moved; do not delete any '{db_path.name}*' file "
                                    "and contact support") from None
            _forget(db_path)
            return False
        _run(db_path, n)
    return True


def _never_started(db_path: Path) -> bool:
    staged = staged_path(db_path)
    if not (staged.exists() and staged.with_name(staged.name + ".keys").exists()):
        return False  # renames 4 or 5 ran
    if db_path.exists():
        return True  # rename 0 has not run, so none has
    return not any(db_path.parent.glob(f"{glob.escape(db_path.name)}*.before-restore*"))


def _forget(db_path: Path) -> None:
    """A restore cut before its first rename: drop its journal and staged pair; nothing else moved."""
    log.warning("%s: a restore was interrupted before it changed anything; run it again",
                db_path.name)
    staged = staged_path(db_path)
    for path in (journal_path(db_path), staged, staged.with_name(staged.name + ".keys")):
        path.unlink(missing_ok=True)
    _sync_dir(db_path.parent)
