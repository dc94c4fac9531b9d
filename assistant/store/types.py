"""Small types the store's parts share: the connection protocol, the signed-in account, row values."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from assistant.errors import AuthenticationError, DatabaseError

# One result row as SQLite hands it back: str, int, float, bytes or None per column.
Row = tuple[object, ...]
# A stored document's content: the JSON object it was saved as.
JSONObject = dict[str, object]


class Cursor(Protocol):
    """The part of a DB-API cursor the store uses."""

    def fetchone(self) -> Row | None: ...

    def fetchall(self) -> list[Row]: ...

    def __iter__(self) -> Iterator[Row]: ...


class Connection(Protocol):
    """The part of a SQLCipher (DB-API) connection the store uses."""

    def execute(self, sql: str, parameters: Sequence[object] = ..., /) -> Cursor: ...

    def backup(self, target: Connection, /) -> None: ...

    def close(self) -> None: ...


# Opens one atomic unit on the connection (nested calls join the outer one).
Transaction = Callable[[], AbstractContextManager[Connection]]


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    display_name: str = ""
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def shown_name(self) -> str:
        """The name people read ('Dr Alice Jones'): the display name, else the login."""
        return self.display_name or self.name

    def require_admin(self) -> None:
        if not self.is_admin:
            raise AuthenticationError(f"{self.name} is not an admin; this needs an admin account")


def account_from_row(r: Row) -> Account:
    """An account from `SELECT name, role, display_name, disabled FROM users`."""
    return Account(as_text(r[0]), as_text(r[1]), as_text(r[2]), bool(r[3]))


@dataclass(frozen=True)
class StoreContext:
    """What a part of the store works with: the open connection, its transactions, who is signed in."""

    conn: Connection
    transaction: Transaction
    account: Account


# Column values: TEXT columns come back as str and INTEGER ones as int; anything else means the
# file was changed outside the app.
def one(cursor: Cursor) -> Row:
    """The row a query that always has one gives back (`SELECT count(*) ...`)."""
    row = cursor.fetchone()
    if row is None:
        raise DatabaseError("the database gave no row where one is always expected")
    return row


def as_text(value: object) -> str:
    if not isinstance(value, str):
        raise DatabaseError(f"unexpected {type(value).__name__} in a text column of the database")
    return value


def as_text_or_none(value: object) -> str | None:
    return None if value is None else as_text(value)


def as_int(value: object) -> int:
    if not isinstance(value, int):
        raise DatabaseError(f"unexpected {type(value).__name__} in a number column of the database")
    return value
