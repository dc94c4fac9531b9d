"""User accounts with roles: add, change password, disable, list; each keeps a wrapped copy of the key."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assistant.errors import AuthenticationError, BadInputError

from .audit import AuditLog
from .audit.signing import KEY_PREFIX
from .keyring import DEFAULT_KDF, RECOVERY_SLOT, KdfParams, Keyring, Slot
from .types import Account, StoreContext, account_from_row, one, utcnow

ROLES = ("clinician", "admin")
MIN_PASSWORD_LENGTH = 10
_USER_RE = re.compile(r"^[A-Za-z0-9._-]{2,64}$")


def check_user_name(name: str) -> None:
    if not _USER_RE.match(name) or name == RECOVERY_SLOT:
        raise BadInputError(f"user name {name!r} must be 2-64 letters, digits, '.', '_' or '-'")


def check_password_policy(password: str, min_length: int | None = None) -> None:
    if min_length is None:  # the site's policy: security.password_min_length (default 10, at least 8)
        from assistant.config import load_settings

        min_length = int(load_settings()["security.password_min_length"])
    if len(password) < min_length:
        raise BadInputError(f"password too short: use at least {min_length} characters")
    if password.strip() != password:
        raise BadInputError("password must not start or end with spaces")


def signing_public(slot: Slot) -> str:
    """The slot's audit-signing public key as the audit log and the accounts table write it."""
    return KEY_PREFIX + slot.signing_public


class Accounts:
    """`store.accounts`: the database's users. Changes need an admin, except one's own password."""

    check_user_name = staticmethod(check_user_name)
    check_password_policy = staticmethod(check_password_policy)

    def __init__(self, ctx: StoreContext, audit: AuditLog, keyring: Keyring,
                 seal: Callable[[Slot], None], via_recovery: bool) -> None:
        self._ctx = ctx
        self._audit = audit
        self._keyring = keyring
        self._seal = seal  # seals the current data key into a slot
        self._via_recovery = via_recovery  # unlocked with the recovery key: may reset any password

    def add(self, name: str, password: str, role: str = "clinician", display_name: str = "",
            kdf: KdfParams | None = None) -> Account:
        conn, keyring = self._ctx.conn, self._keyring
        self._ctx.account.require_admin()
        check_user_name(name)
        check_password_policy(password)
        if role not in ROLES:
            raise BadInputError(f"role must be one of {', '.join(ROLES)}")
        if name in keyring.slots or conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise BadInputError(f"user {name!r} already exists")
        # The new account's audit-signing key; its public half is enrolled by this admin's signed row.
        slot, _ = Slot.create(name, password.encode(), kdf or DEFAULT_KDF, Ed25519PrivateKey.generate())
        self._seal(slot)
        now = utcnow()
        with self._ctx.transaction():
            conn.execute("INSERT INTO users(name, display_name, role, created, password_changed) "
                         "VALUES (?, ?, ?, ?, ?)", (name, display_name, role, now, now))
            self._audit.record("user.add", detail=f"{name} ({role})")
            self._audit.enrol(name, signing_public(slot))
            # The key file is written inside the transaction: if it fails, the row rolls back.
            keyring.slots[name] = slot
            try:
                keyring.save()
            except OSError:
                del keyring.slots[name]
                raise
        return Account(name, role, display_name)

    def change_password(self, name: str, new_password: str, old_password: str | None = None) -> None:
        """Re-wrap one account's private key. Users give their old password; admins may reset others."""
        conn, keyring = self._ctx.conn, self._keyring
        check_password_policy(new_password)
        is_self = name == self._ctx.account.name
        if not is_self:
            self._ctx.account.require_admin()
        row = conn.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise BadInputError(f"no user {name!r}")
        slot = keyring.slots.get(name)
        if slot is not None and is_self and not self._via_recovery:
            if old_password is None:
                raise AuthenticationError("give the current password to change it")
            private, signing = slot.unwrap_keys(old_password.encode())
            # The same signing key, re-wrapped: one's own rows stay verifiable under one key.
            slot.wrap_private(private, new_password.encode(), signing or Ed25519PrivateKey.generate())
        else:
            # Admin reset (or re-enabling an account): fresh key pairs, the data key sealed with the
            # current key, and a new signing key that this admin's signed row enrols.
            slot, _ = Slot.create(name, new_password.encode(), DEFAULT_KDF, Ed25519PrivateKey.generate())
            self._seal(slot)
        with self._ctx.transaction():
            conn.execute("UPDATE users SET password_changed = ?, disabled = 0 WHERE name = ?",
                         (utcnow(), name))
            self._audit.record("user.passwd", detail=name)
            if not is_self or self._via_recovery:
                self._audit.enrol(name, signing_public(slot))
            keyring.slots[name] = slot
            keyring.save()

    def disable(self, name: str) -> None:
        """Disable an account and destroy its key copy, so its password no longer opens the file."""
        conn, keyring = self._ctx.conn, self._keyring
        self._ctx.account.require_admin()
        if name == self._ctx.account.name:
            raise BadInputError("you cannot disable your own account")
        row = conn.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise BadInputError(f"no user {name!r}")
        admins = one(conn.execute("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 "
                                  "AND name <> ?", (name,)))[0]
        if row[0] == "admin" and admins == 0:
            raise BadInputError("cannot disable the last enabled admin")
        with self._ctx.transaction():
            conn.execute("UPDATE users SET disabled = 1 WHERE name = ?", (name,))
            self._audit.record("user.disable", detail=name)
            removed = keyring.slots.pop(name, None)
            try:
                keyring.save()
            except OSError:
                if removed is not None:
                    keyring.slots[name] = removed
                raise

    def shown_names(self, names: Iterable[str]) -> dict[str, str]:
        """The name people read for each of these logins that still has an account (a login with none
        is left out). Only the accounts asked for, as a document's authors are: the account list itself
        is for administrators (access.py)."""
        wanted = sorted(set(names))
        if not wanted:
            return {}
        rows = self._ctx.conn.execute("SELECT name, role, display_name, disabled FROM users WHERE name IN "
                                      f"({', '.join('?' * len(wanted))})", tuple(wanted))
        return {a.name: a.shown_name for a in map(account_from_row, rows)}

    # Last in the class: below it, `list` would name this method rather than the type.
    def list(self) -> list[Account]:
        """Every account (disabled ones too), by name."""
        rows = self._ctx.conn.execute("SELECT name, role, display_name, disabled FROM users ORDER BY name")
        return [account_from_row(r) for r in rows]
