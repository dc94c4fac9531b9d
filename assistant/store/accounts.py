"""User accounts with roles: add, change password, disable, list; each keeps a wrapped copy of the key."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from assistant.errors import AuthenticationError, BadInputError

from .keyring import DEFAULT_KDF, RECOVERY_SLOT, Slot

if TYPE_CHECKING:
    from .database import Account

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


class AccountsMixin:
    conn: Any
    keyring: Any
    account: Account
    _data_key: bytes
    _key_id: str

    def list_users(self) -> list[Account]:
        from .database import Account

        rows = self.conn.execute("SELECT name, role, display_name, disabled FROM users ORDER BY name")
        return [Account(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def add_user(self, name: str, password: str, role: str = "clinician", display_name: str = "",
                 kdf: dict[str, Any] | None = None) -> Account:
        from .database import Account, utcnow

        self.require_admin()  # type: ignore[attr-defined]
        check_user_name(name)
        check_password_policy(password)
        if role not in ROLES:
            raise BadInputError(f"role must be one of {', '.join(ROLES)}")
        if name in self.keyring.slots or self.conn.execute(
                "SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise BadInputError(f"user {name!r} already exists")
        slot, _ = Slot.create(name, password.encode(), kdf or DEFAULT_KDF)
        slot.seal(self._key_id, self._data_key)
        now = utcnow()
        with self.transaction():  # type: ignore[attr-defined]
            self.conn.execute("INSERT INTO users(name, display_name, role, created, password_changed) "
                              "VALUES (?, ?, ?, ?, ?)", (name, display_name, role, now, now))
            self.audit("user.add", detail=f"{name} ({role})")  # type: ignore[attr-defined]
            # The key file is written inside the transaction: if it fails, the row rolls back.
            self.keyring.slots[name] = slot
            try:
                self.keyring.save()
            except OSError:
                del self.keyring.slots[name]
                raise
        return Account(name, role, display_name)

    def change_password(self, name: str, new_password: str, old_password: str | None = None) -> None:
        """Re-wrap one account's private key. Users give their old password; admins may reset others."""
        from .database import utcnow

        check_password_policy(new_password)
        is_self = name == self.account.name
        if not is_self:
            self.require_admin()  # type: ignore[attr-defined]
        row = self.conn.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise BadInputError(f"no user {name!r}")
        slot = self.keyring.slots.get(name)
        if slot is not None and is_self and not getattr(self, "via_recovery", False):
            if old_password is None:
                raise AuthenticationError("give the current password to change it")
            private = slot.unwrap_private(old_password.encode())
            slot.wrap_private(private, new_password.encode())
        else:
            # Admin reset (or re-enabling an account): a fresh key pair sealed with the current key.
            slot, _ = Slot.create(name, new_password.encode(), DEFAULT_KDF)
            slot.seal(self._key_id, self._data_key)
        with self.transaction():  # type: ignore[attr-defined]
            self.conn.execute("UPDATE users SET password_changed = ?, disabled = 0 WHERE name = ?",
                              (utcnow(), name))
            self.audit("user.passwd", detail=name)  # type: ignore[attr-defined]
            self.keyring.slots[name] = slot
            self.keyring.save()

    def disable_user(self, name: str) -> None:
        """Disable an account and destroy its key copy, so its password no longer opens the file."""
        self.require_admin()  # type: ignore[attr-defined]
        if name == self.account.name:
            raise BadInputError("you cannot disable your own account")
        row = self.conn.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise BadInputError(f"no user {name!r}")
        admins = self.conn.execute("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 "
                                   "AND name <> ?", (name,)).fetchone()[0]
        if row[0] == "admin" and admins == 0:
            raise BadInputError("cannot disable the last enabled admin")
        with self.transaction():  # type: ignore[attr-defined]
            self.conn.execute("UPDATE users SET disabled = 1 WHERE name = ?", (name,))
            self.audit("user.disable", detail=name)  # type: ignore[attr-defined]
            removed = self.keyring.slots.pop(name, None)
            try:
                self.keyring.save()
            except OSError:
                if removed is not None:
                    self.keyring.slots[name] = removed
                raise
