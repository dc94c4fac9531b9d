"""A session's hold on the database: a shared session lock, and checks that its files are still the ones it opened.

Two mechanisms, for two failures:

* The session lock `<db>.lock`: every open `Store` holds a shared `flock` on it; `db rekey` and
  `db restore` need it exclusively, so they refuse while another session (the app, another
  command) has the database open. `flock` rather than SQLite's own locks: SQLite's are POSIX
  record locks, which Linux drops for the whole process as soon as any descriptor of the file is
  closed (a file chooser that sniffs the database is enough), while a `flock` belongs to its own
  open file and survives that. The lock file is ours alone; SQLite never opens it.
* File identities: the inode of the database, of its `-wal` and of the key file, taken with `stat`
  (never `open`, which is what loses SQLite's locks). A different database inode means a restore
  replaced the file; a different key file whose current key is not ours means another session
  rotated the key; a `-wal` that is gone or new means SQLite in this process lost its locks and
  another process checkpointed and deleted the WAL this connection still writes to, so the
  connection must be reopened before it writes anything (its writes would go to a deleted file).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import DatabaseError

try:
    import fcntl
except ImportError:  # Windows: no flock; SQLite's own (mandatory) locks there are not dropped by a close
    fcntl = None  # type: ignore[assignment]

OTHERS_OPEN = ("another session has this database open (the app or another command); close it "
               "and retry")
BUSY = "a restore or key rotation of this database is in progress; retry in a moment"


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _open_lock_file(db_path: Path) -> int:
    from .keyring import file_mode_for

    path = lock_path_for(db_path)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), file_mode_for(path.parent))
    except OSError as e:
        raise DatabaseError(f"{path}: cannot open the session lock file ({e.strerror})") from None


class SessionLock:
    """The shared lock one open session holds for its whole life."""

    def __init__(self, db_path: Path, wait_s: float = 5.0) -> None:
        self.path = lock_path_for(db_path)
        self._fd = _open_lock_file(db_path) if fcntl is not None else -1
        deadline = time.monotonic() + wait_s
        while not self._try(fcntl.LOCK_SH if fcntl is not None else 0):
            if time.monotonic() > deadline:
                self.close()
                raise DatabaseError(f"{db_path}: {BUSY}")
            time.sleep(0.05)

    def _try(self, op: int) -> bool:
        if fcntl is None or self._fd < 0:
            return True
        try:
            fcntl.flock(self._fd, op | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Sole use for a key rotation: refused while any other session holds the lock."""
        if fcntl is not None and not self._try(fcntl.LOCK_EX):
            # Linux drops the shared lock before it tries for the exclusive one: take it back.
            fcntl.flock(self._fd, fcntl.LOCK_SH)
            raise DatabaseError(OTHERS_OPEN)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_SH)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = -1


@contextmanager
def sole_use(db_path: Path) -> Iterator[None]:
    """Exclusive lock for a process that has no session open (restore): refused while one is."""
    if fcntl is None:
        yield
        return
    fd = _open_lock_file(db_path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseError(f"{db_path}: {OTHERS_OPEN}") from None
        yield
    finally:
        os.close(fd)


FileId = tuple[int, int] | None


def file_id(path: Path) -> FileId:
    """(device, inode) by `stat` alone, or None when there is no file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def changed_at(path: Path) -> str:
    """When a file was last replaced, for messages (UTC, seconds)."""
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, UTC).isoformat(timespec="seconds")
    except OSError:
        return "an unknown time"


@dataclass(frozen=True)
class FileIds:
    """What the session opened: the database, its WAL and the key file (with its change time)."""

    db: FileId
    wal: FileId
    keys: tuple[int, int, int] | None

    @classmethod
    def now(cls, db_path: Path) -> FileIds:
        keys = db_path.with_name(db_path.name + ".keys")
        try:
            st = os.stat(keys)
            keys_id: tuple[int, int, int] | None = (st.st_dev, st.st_ino, st.st_mtime_ns)
        except FileNotFoundError:
            keys_id = None
        return cls(file_id(db_path), file_id(Path(str(db_path) + "-wal")), keys_id)
