"""Database upkeep: rotate the data key, encrypted backup to one file, restore from it."""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from assistant.errors import AuthenticationError, BadInputError, DatabaseError
from assistant.fileio import open_private

from . import hold
from .audit import WitnessConfig
from .audit.witness import WITNESS_SUFFIX
from .database import Store, _connect
from .keyring import Keyring, file_mode_for, new_data_key
from .restore_journal import finish_interrupted, staged_path, swap_in

BACKUP_MAGIC = b"CLINASSIST-BACKUP-1\n"
log = logging.getLogger(__name__)


def rekey(store: Store) -> str:
    """Rotate the data key. Crash-safe: the new key is sealed for every slot (as pending) before the
    database takes it, and opening a database whose key is the pending one completes the rotation.
    Refused while another session has the database open: its connection would be left holding a
    key the file no longer takes."""
    store.require_admin()
    with store.sole_session():
        return _rekey(store)


def disable_account(store: Store, name: str) -> str | None:
    """Disable an account and revoke its access: its slot leaves the key file, and the data key is
    rotated, so a copy of the key file taken before (which still holds the old key sealed for that
    account) no longer opens the database. Needs no one's password: this session holds the data key.
    Returns the new key id, or None when another session is open and the rotation must wait (the
    account is disabled all the same; run `db rekey` once that session is closed)."""
    store.accounts.disable(name)
    try:
        return rekey(store)
    except DatabaseError as e:
        if "another session" in str(e):
            return None
        raise


def _rekey(store: Store) -> str:
    data_key, key_id = new_data_key()
    ring = store.keyring
    ring.pending = key_id
    ring.seal_for_all(key_id, data_key)
    ring.save()
    store.conn.execute(f"PRAGMA rekey = \"x'{data_key.hex()}'\"")
    old = ring.current
    ring.current, ring.pending = key_id, ""
    for slot in ring.slots.values():
        slot.sealed.pop(old, None)
    ring.save()
    store._data_key, store._key_id = data_key, key_id
    store.audit.record("db.rekey", detail=f"key {old} -> {key_id}")
    return key_id


def backup(store: Store, dest: Path) -> int:
    """Write an encrypted backup: the key file plus a consistent copy of the database, in one file.

    The copy is made by SQLite's online backup into a temporary database encrypted with the same
    key, so the bytes in the backup are ciphertext exactly like the live file. Every temporary file
    is private (0600): `<dest>.partial` and `<dest>.partial-db` are created by us before anyone
    writes them, and SQLite's side files (`-journal`, `-wal`, `-shm`) under a 0o077 umask. A
    backup that was killed leaves them behind: the next backup to the same file removes them
    first, and those of killed backups to other names in the same folder (and says so in the
    log and the audit row). Each backup holds its `<dest>.partial` locked, so a backup still
    running elsewhere is never mistaken for a dead one.
    """
    dest = Path(dest)
    if dest.exists():
        raise BadInputError(f"{dest}: already exists; choose a new file name")
    tmp_db = dest.with_name(dest.name + ".partial-db")
    tmp_out = dest.with_name(dest.name + ".partial")
    store.audit.record("db.backup.started", detail=str(dest))  # intent first: a kill leaves a trace
    left = tmp_out.exists()  # a killed backup's; reused below once it is ours (locked)
    try:
        with _claim(tmp_out, dest) as out:
            try:
                stale = _clear_stale(tmp_db) + left + _sweep(dest.parent, tmp_out)
                if stale:
                    log.warning("removed %d file(s) left by an interrupted backup to %s", stale, dest.name)
                    store.audit.record("db.backup.cleanup", detail=f"{dest}: {stale} file(s) of an "
                                       "interrupted backup removed")
                _copy_database(store, tmp_db)
                ring_json = store.keyring.to_json().encode()
                with open(tmp_db, "rb") as src:
                    out.write(BACKUP_MAGIC)
                    out.write(struct.pack(">Q", len(ring_json)))
                    out.write(ring_json)
                    shutil.copyfileobj(src, out)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp_out, dest)
            finally:
                _clear_stale(tmp_db)
    except BaseException as e:
        store.audit.record("db.backup.failed", detail=f"{dest}: {type(e).__name__}")
        raise
    store.audit.record("db.backup", detail=str(dest))
    return dest.stat().st_size


@contextmanager
def _claim(tmp_out: Path, dest: Path) -> Iterator[BinaryIO]:
    """`<dest>.partial`, private and locked for this backup; removed unless it became the backup."""
    fd = os.open(tmp_out, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
        if hold.fcntl is not None:
            try:
                hold.fcntl.flock(fd, hold.fcntl.LOCK_EX | hold.fcntl.LOCK_NB)
            except BlockingIOError:
                raise BadInputError(f"{dest}: another backup to this file is "
                                    "running; wait for it or choose another name") from None
        os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
    except BaseException:
        tmp_out.unlink(missing_ok=True)
        raise


def _clear_stale(tmp_db: Path) -> int:
    """Remove the temporary database and SQLite's side files; how many there were."""
    n = 0
    for suffix in ("", "-journal", "-wal", "-shm"):
        path = Path(str(tmp_db) + suffix)
        if path.exists():
            path.unlink(missing_ok=True)
            n += 1
    return n


def _sweep(folder: Path, ours: Path) -> int:
    """Files of killed backups to other names in `folder`: a `<name>.partial-db` whose
    `<name>.partial` is gone (the backup finished or an older version made it) or no longer locked
    (its process is dead). Without flock (Windows) a running backup cannot be told apart: none."""
    if hold.fcntl is None:
        return 0
    n = 0
    for tmp_db in folder.glob("*.partial-db"):
        tmp_out = tmp_db.with_name(tmp_db.name.removesuffix("-db"))
        if tmp_out == ours:
            continue
        try:
            fd = os.open(tmp_out, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            n += _clear_stale(tmp_db)
            continue
        except OSError:
            continue
        try:
            hold.fcntl.flock(fd, hold.fcntl.LOCK_EX | hold.fcntl.LOCK_NB)
            tmp_out.unlink(missing_ok=True)  # while locked: no backup can claim it meanwhile
            n += 1 + _clear_stale(tmp_db)
        except BlockingIOError:
            pass  # a backup is running
        finally:
            os.close(fd)
    return n


def _copy_database(store: Store, tmp_db: Path) -> None:
    # The file exists, private, before SQLite opens it; its side files follow the umask (and, on
    # Unix, SQLite gives them the database file's mode too).
    open_private(tmp_db).close()
    old_umask = os.umask(0o077)
    try:
        target = _connect(tmp_db, store._data_key)
        try:
            store.conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    finally:
        os.umask(old_umask)


def restore(backup_file: Path, db_path: Path, user: str | None, password: str | None,
            recovery_key: str | None = None, force: bool = False) -> Store:
    """Restore a backup to `db_path` after proving the credentials open it; returns the opened store.

    An existing database is kept beside it as `<name>.before-restore` (then `.before-restore.1`, `.2`...:
    every displaced copy is kept, never overwritten, with its WAL and key file). Only an admin may
    restore, and only while no other session has the database open; the renames are journalled, so
    a rerun after a crash finishes them (`restore_journal`).
    """
    backup_file, db_path = Path(backup_file), Path(db_path)
    finish_interrupted(db_path)
    try:
        with open(backup_file, "rb") as f:
            if f.read(len(BACKUP_MAGIC)) != BACKUP_MAGIC:
                raise BadInputError(f"{backup_file}: not a Clinician Assistant backup")
            (n,) = struct.unpack(">Q", f.read(8))
            ring_json = f.read(n)
            staged = staged_path(db_path)
            with open_private(staged, file_mode_for(db_path.parent)) as out:
                shutil.copyfileobj(f, out)
    except (OSError, struct.error) as e:
        raise BadInputError(f"{backup_file}: cannot read backup ({e})") from None
    staged_keys = Keyring.path_for(staged)
    probe: Store | None = None
    try:
        if "slots" not in json.loads(ring_json):
            raise ValueError("key section has no slots")
        with open_private(staged_keys, file_mode_for(db_path.parent)) as out:
            out.write(ring_json)
        # Prove the backup opens with these credentials before touching the live database.
        probe = (Store.open_with_recovery(staged, recovery_key) if recovery_key
                 else Store.open(staged, user or "", password or ""))
        check = probe.audit.verify(witness=False)  # the live log's witness does not describe a backup
        if not (probe.via_recovery or probe.account.is_admin):
            raise AuthenticationError(f"{user}: restoring a backup needs an admin account")
        if not check.ok:
            raise DatabaseError(f"{backup_file}: audit log in the backup fails verification: "
                                f"{'; '.join(check.problems)}")
        if db_path.exists():
            _require_live_admin(db_path, user, password, recovery_key)
            if not force:
                raise BadInputError(f"{db_path}: a database exists; add --force to replace it (it is "
                                    f"kept as {db_path.name}.before-restore)")
        # The log that comes in says it was restored and witnesses under a new id (the old witness
        # lines describe the displaced log), written before the first rename: a restore cut between
        # its renames and finished at the next open needs no audit work, by whoever opens it.
        # The new id first: every witness line of these rows names the new log, never the live one.
        probe.audit.restart_witness("restored from a backup")
        probe.audit.witness_into(WitnessConfig.for_database(db_path))
        probe.audit.record("db.restore", detail=str(backup_file))
        probe.close()
        probe = None
    except (ValueError, KeyError) as e:
        _drop_staged(staged, probe)
        raise BadInputError(f"{backup_file}: damaged backup ({e})") from None
    except BaseException:
        _drop_staged(staged, probe)
        raise
    finally:
        for suffix in ("-wal", "-shm", ".lock", WITNESS_SUFFIX):
            Path(str(staged) + suffix).unlink(missing_ok=True)
    try:
        swap_in(db_path, str(backup_file))
    except BaseException:
        if staged.exists():  # refused before the first rename (another session has it open)
            _drop_staged(staged, None)
        raise
    return (Store.open_with_recovery(db_path, recovery_key) if recovery_key
            else Store.open(db_path, user or "", password or ""))


def _drop_staged(staged: Path, probe: Store | None) -> None:
    if probe is not None:
        probe.close()
    staged.unlink(missing_ok=True)
    Keyring.path_for(staged).unlink(missing_ok=True)


def _require_live_admin(db_path: Path, user: str | None, password: str | None, recovery_key: str | None) -> None:
    """Only an admin of the live database may replace it: a clinician restoring an old backup would
    roll back an admin's changes, revive disabled accounts and replace the audit log. A live file
    that no longer opens (the usual reason to restore) cannot say who its admins are; the backup's
    own admin check then stands."""
    try:
        live = (Store.open_with_recovery(db_path, recovery_key) if recovery_key
                else Store.open(db_path, user or "", password or ""))
    except DatabaseError:
        return
    try:
        if not live.via_recovery:
            live.require_admin()
        live.audit.record("db.restore.start", detail="replacing this database with a backup")
    finally:
        live.close()
