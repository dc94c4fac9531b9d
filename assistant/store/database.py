"""The encrypted store: open or create the SQLCipher file, unlock it for a user, run transactions."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3

from assistant.errors import (
    AuthenticationError,
    BadInputError,
    DatabaseError,
    database_failure,
    failure_kind,
)

from . import schema
from .accounts import Accounts, check_password_policy, check_user_name
from .audit import AuditLog
from .documents import Documents
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
from .types import Account, Connection, StoreContext, account_from_row, as_text, utcnow

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


class Store:
    """One unlocked database and the account using it, with its parts as attributes (`store.accounts`,
    `store.patients`, `store.documents`, `store.audit`). Use from a single thread."""

    def __init__(self, path: Path, conn: Connection, keyring: Keyring, account: Account, data_key: bytes,
                 key_id: str, via_recovery: bool = False) -> None:
        self.path = path
        self.conn = conn
        self.keyring = keyring
        self.account = account
        self._data_key = data_key
        self._key_id = key_id
        self._in_tx = False
        self._closed = False
        self.via_recovery = via_recovery  # unlocked with the recovery key: may reset any password
        ctx = StoreContext(conn, self.transaction, account)
        self.audit = AuditLog(ctx)
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
        slot, _ = Slot.create(admin, password.encode(), kdf or DEFAULT_KDF)
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
        store = cls(path, conn, keyring, Account(admin, "admin", display_name), data_key, key_id)
        store.audit.record("db.init", detail=f"schema {schema.SCHEMA_VERSION}")
        return store, recovery

    @classmethod
    def open(cls, path: Path, user: str, password: str) -> Store:
        """Unlock with an account's password. Wrong password or disabled account: AuthenticationError."""
        path = Path(path)
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
        keyring = Keyring.load(Keyring.path_for(path))
        try:
            candidates = keyring.unlock(RECOVERY_SLOT, normalise_recovery_key(recovery_key))
        except AuthenticationError:
            raise AuthenticationError("wrong recovery key") from None
        return cls._finish_open(path, keyring, candidates, None)

    @classmethod
    def _finish_open(cls, path: Path, keyring: Keyring, candidates: list[tuple[bytes, str]],
                     user: str | None) -> Store:
        conn, data_key, key_id = _connect_any(path, candidates)
        schema.migrate(conn)
        if key_id == keyring.pending:
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
        store = cls(path, conn, keyring, account, data_key, key_id, via_recovery=user is None)
        if user is None:
            store.audit.record("auth.recovery", detail="unlocked with the recovery key")
        return store

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlcipher3.Error:
            pass
        self.conn.close()

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
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlcipher3.OperationalError as e:
            raise database_failure(str(self.path), e, writing=True) from None
        self._in_tx = True
        try:
            yield self.conn
            self.conn.execute("COMMIT")
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

    def _rollback(self) -> None:
        # SQLite rolls a transaction back by itself on some errors (a full disk among them); a
        # second ROLLBACK then fails with "no transaction is active" and hides the real error.
        try:
            self.conn.execute("ROLLBACK")
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
