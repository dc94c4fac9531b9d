"""The encrypted store: open or create the SQLCipher file, unlock it for a user, run transactions."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import sqlcipher3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assistant.errors import (
    AuthenticationError,
    BadInputError,
    DatabaseError,
    database_failure,
    failure_kind,
)

from . import schema
from .accounts import Accounts, check_password_policy, check_user_name
from .audit import AuditLog, WitnessConfig
from .documents import Documents
from .hold import FileIds, SessionLock, changed_at
from .keyring import (
    DEFAULT_KDF,
    RECOVERY_KDF,
    RECOVERY_SLOT,
    KdfParams,
    Keyring,
    Slot,
    file_mode_for,
    new_data_key,
    new_recovery_key,
    normalise_recovery_key,
)
from .patients import Patients
from .restore_journal import finish_interrupted
from .types import Account, Connection, Cursor, StoreContext, account_from_row, as_text, utcnow

log = logging.getLogger(__name__)


def _connect(path: Path, data_key: bytes) -> Connection:
    try:
        conn: Connection = sqlcipher3.connect(str(path), isolation_level=None, timeout=5.0)
    except sqlcipher3.Error as e:
        raise DatabaseError(f"{path}: cannot open database ({e})") from None
    # A wrong key is an expected event (interrupted rekey): keep SQLCipher from logging it to stderr.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        # Temp tables and sort spills stay in memory: nothing decrypted is ever written out.
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
    except sqlcipher3.DatabaseError as e:
        conn.close()
        # Full disk, lock, read-only and I/O errors say so; only the rest is called corrupt.
        raise database_failure(str(path), e) from None
    return conn


def _connect_any(path: Path, candidates: list[tuple[bytes, str]]) -> tuple[Connection, bytes, str]:
    """Open with the first candidate key the file accepts (current, else pending after a cut rekey)."""
    for i, (data_key, key_id) in enumerate(candidates):
        try:
            return _connect(path, data_key), data_key, key_id
        except DatabaseError:
            if i == len(candidates) - 1:
                raise
    raise DatabaseError(f"{path}: no key to try")


class _HeldConnection:
    """The store's connection as its parts see it: each statement outside a transaction first checks
    that the session still holds the database (see `Store.check_hold`), so a connection whose WAL
    was deleted under it is reopened before it reads or writes, never used."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def execute(self, sql: str, parameters: Sequence[object] = (), /) -> Cursor:
        store = self._store
        if not store._in_tx:
            store.check_hold()
        return store._raw.execute(sql, parameters)

    def backup(self, target: Connection, /) -> None:
        self._store.check_hold()
        self._store._raw.backup(target)

    def close(self) -> None:
        self._store.close()


class Store:
    """One unlocked database and the account using it, with its parts as attributes (`store.accounts`,
    `store.patients`, `store.documents`, `store.audit`). Use from a single thread."""

    def __init__(self, path: Path, conn: Connection, keyring: Keyring, account: Account, data_key: bytes,
                 key_id: str, via_recovery: bool = False, lock: SessionLock | None = None) -> None:
        self.path = path
        self._raw = conn
        self._lock = lock
        self._ids = FileIds.now(path)
        self.conn: Connection = _HeldConnection(self)
        self.keyring = keyring
        self.account = account
        self._data_key = data_key
        self._key_id = key_id
        self._in_tx = False
        self._closed = False
        self.via_recovery = via_recovery  # unlocked with the recovery key: may reset any password
        ctx = StoreContext(self.conn, self.transaction, account)
        self.audit = AuditLog(ctx, keyring.signing.get(account.name), WitnessConfig.for_database(path),
                              via_recovery)
        self.accounts = Accounts(ctx, self.audit, keyring, self._seal, via_recovery)
        self.patients = Patients(ctx, self.audit)
        self.documents = Documents(ctx, self.audit)

    # --- opening ---------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, admin: str, password: str, display_name: str = "",
               kdf: KdfParams | None = None) -> tuple[Store, str]:
        """Create a new database with its first admin; return the store and the recovery key."""
        path = Path(path)
        keys_path = Keyring.path_for(path)
        if path.exists() or keys_path.exists():
            raise BadInputError(f"{path}: a database already exists here; choose another path")
        check_user_name(admin)
        check_password_policy(password)
        path.parent.mkdir(parents=True, exist_ok=True)
        data_key, key_id = new_data_key()
        recovery = new_recovery_key()
        keyring = Keyring(keys_path, current=key_id)
        keyring.signing[admin] = Ed25519PrivateKey.generate()  # signs the admin's audit rows
        slot, _ = Slot.create(admin, password.encode(), kdf or DEFAULT_KDF, keyring.signing[admin])
        rslot, _ = Slot.create(RECOVERY_SLOT, normalise_recovery_key(recovery), RECOVERY_KDF)
        keyring.slots = {admin: slot, RECOVERY_SLOT: rslot}
        keyring.seal_for_all(key_id, data_key)
        conn = _connect(path, data_key)
        try:
            schema.migrate(conn)
            now = utcnow()
            conn.execute("INSERT INTO meta(key, value) VALUES ('created', ?)", (now,))
            conn.execute("INSERT INTO users(name, display_name, role, created, password_changed) "
                         "VALUES (?, ?, 'admin', ?, ?)", (admin, display_name, now, now))
        except Exception:
            conn.close()
            path.unlink(missing_ok=True)
            raise
        keyring.save()
        os.chmod(path, file_mode_for(path.parent))
        store = cls(path, conn, keyring, Account(admin, "admin", display_name), data_key, key_id,
                    lock=SessionLock(path))
        store.audit.record("db.init", detail=f"schema {schema.SCHEMA_VERSION}")
        return store, recovery

    @classmethod
    def open(cls, path: Path, user: str, password: str) -> Store:
        """Unlock with an account's password. Wrong password or disabled account: AuthenticationError."""
        path = Path(path)
        finish_interrupted(path)  # a restore cut between its renames: complete it first
        if not path.exists():
            raise DatabaseError(f"{path}: no database here; create one with `assistant init`")
        keyring = Keyring.load(Keyring.path_for(path))
        if user == RECOVERY_SLOT:
            raise AuthenticationError("wrong user name or password")
        store = cls._finish_open(path, keyring, keyring.unlock(user, password.encode()), user)
        if store.account.disabled:
            store.close()
            raise AuthenticationError(f"account {user!r} is disabled; ask an admin")
        return store

    @classmethod
    def open_with_recovery(cls, path: Path, recovery_key: str) -> Store:
        """Unlock with the printed recovery key, acting as the first enabled admin."""
        path = Path(path)
        finish_interrupted(path)
        keyring = Keyring.load(Keyring.path_for(path))
        try:
            candidates = keyring.unlock(RECOVERY_SLOT, normalise_recovery_key(recovery_key))
        except AuthenticationError:
            raise AuthenticationError("wrong recovery key") from None
        return cls._finish_open(path, keyring, candidates, None)

    @classmethod
    def _finish_open(cls, path: Path, keyring: Keyring, candidates: list[tuple[bytes, str]],
                     user: str | None) -> Store:
        lock = SessionLock(path)
        try:
            return cls._unlocked_open(path, keyring, candidates, user, lock)
        except BaseException:
            lock.close()
            raise

    @classmethod
    def _unlocked_open(cls, path: Path, keyring: Keyring, candidates: list[tuple[bytes, str]],
                       user: str | None, lock: SessionLock) -> Store:
        conn, data_key, key_id = _connect_any(path, candidates)
        schema.migrate(conn)
        finished_rekey = key_id == keyring.pending
        if finished_rekey:
            # A rekey was interrupted after the database took the new key: finish it now.
            keyring.current, keyring.pending = key_id, ""
            for slot in keyring.slots.values():
                slot.sealed = {k: v for k, v in slot.sealed.items() if k == key_id}
            keyring.save()
        if user is None:
            row = conn.execute("SELECT name, role, display_name, disabled FROM users WHERE role = 'admin' "
                               "AND disabled = 0 ORDER BY created LIMIT 1").fetchone()
            if row is None:
                conn.close()
                raise DatabaseError("no enabled admin account left to act as; contact support")
            account = account_from_row(row)
        else:
            row = conn.execute("SELECT name, role, display_name, disabled FROM users WHERE name = ?",
                               (user,)).fetchone()
            if row is None:
                conn.close()
                raise AuthenticationError("wrong user name or password")
            account = account_from_row(row)
        store = cls(path, conn, keyring, account, data_key, key_id, via_recovery=user is None, lock=lock)
        if user is None:
            store.audit.record("auth.recovery", detail="unlocked with the recovery key")
        if finished_rekey:
            store.audit.record("db.rekey.completed", detail=f"key {key_id}: an interrupted rotation "
                               "finished at open")
        return store

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.audit.witness_now()  # the head at close, outside the database
        try:
            if self._ids.db == FileIds.now(self.path).db:  # never checkpoint into a replaced file
                self._raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlcipher3.Error:
            pass
        self._raw.close()
        if self._lock is not None:
            self._lock.close()

    # --- the session's hold on its files -----------------------------------------------------
    def check_hold(self, reopen: bool = True) -> None:
        """Before the connection is used: is the database still the file this session opened, with
        its key and its WAL? A replaced file or a rotated key ends the session with a message that
        says what happened; a lost WAL (SQLite's locks dropped in this process, the WAL deleted by
        another process) reopens the connection, or, inside a transaction, refuses the write."""
        now = FileIds.now(self.path)
        if now == self._ids:
            return
        keys_path = Keyring.path_for(self.path)
        if now.db != self._ids.db:
            raise DatabaseError(f"{self.path}: the database was replaced by another session at "
                                f"{changed_at(self.path)} (a restore from a backup); this session's "
                                "work since then was not saved: sign in again")
        if now.keys != self._ids.keys:
            fresh = Keyring.load(keys_path)
            if self._key_id not in (fresh.current, fresh.pending):
                raise DatabaseError(f"{self.path}: the database key was rotated by another session at "
                                    f"{changed_at(keys_path)}; sign in again")
            # Another session added or changed an account: carry on with its key file, not ours.
            self.keyring.current, self.keyring.pending, self.keyring.slots = (
                fresh.current, fresh.pending, fresh.slots)
        if now.wal != self._ids.wal and self._ids.wal is not None:
            if not reopen:
                raise DatabaseError(f"{self.path}: this session lost its lock on the database and "
                                    "another program rewrote it; the change was NOT saved: do it again")
            self._reopen()
            now = FileIds.now(self.path)
        self._ids = now

    def _reopen(self) -> None:
        log.warning("database: this session's SQLite locks were lost and its WAL deleted by another "
                    "process; reopening the connection")
        try:
            self._raw.close()  # its WAL was checkpointed by the process that deleted it
        except sqlcipher3.Error:
            pass
        self._raw = _connect(self.path, self._data_key)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit: everything inside lands, or nothing does. Nested calls join the outer."""
        if self._in_tx:
            yield self.conn
            return
        self.check_hold()
        try:
            self._raw.execute("BEGIN IMMEDIATE")
        except sqlcipher3.OperationalError as e:
            raise database_failure(str(self.path), e, writing=True) from None
        self._in_tx = True
        try:
            self.check_hold(reopen=False)
            yield self.conn
            self.check_hold(reopen=False)  # the WAL deleted meanwhile: roll back, never "saved"
            self._raw.execute("COMMIT")
        except sqlcipher3.Error as e:
            self._rollback()
            if failure_kind(e) == "other":  # a constraint or a bug: not the disk's or a lock's doing
                raise
            raise database_failure(str(self.path), e, writing=True) from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._in_tx = False
        self.audit.after_commit()

    def sole_session(self) -> AbstractContextManager[None]:
        """The session lock held exclusively: refused while any other session has the database open."""
        return self._lock.exclusive() if self._lock is not None else nullcontext()

    def _rollback(self) -> None:
        # SQLite rolls a transaction back by itself on some errors (a full disk among them); a
        # second ROLLBACK then fails with "no transaction is active" and hides the real error.
        try:
            self._raw.execute("ROLLBACK")
        except sqlcipher3.Error as e:
            if "no transaction is active" not in str(e):
                log.warning("rollback failed (%s)", type(e).__name__)

    def require_admin(self) -> None:
        self.account.require_admin()

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return as_text(row[0]) if row else None

    def _seal(self, slot: Slot) -> None:
        """Seal the data key in use into a new or reset account's slot."""
        slot.seal(self._key_id, self._data_key)
