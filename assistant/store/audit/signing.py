"""Audit signatures: each row's hash signed with its author's Ed25519 key, or with the system key.

An account's key is wrapped by its password-derived key (store/keyring.py), so only that person
can sign as them; its public half is enrolled in the log itself by a `key.enrol` row, signed by the
admin who created or reset the account (or, for an account from before signing, by the new key at
its first sign-in), so that swapping it later shows as a row. The system key signs rows no person
signs (sessions opened with the recovery key, and the row that starts signing). It is kept in the
database, wrapped by the data key: every account holder can use it, so a system-signed row proves
only that someone who could open the database wrote it, never who.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..types import Connection, as_text
from .chain import SIGNER_SYSTEM, SIGNER_USER

SYSTEM_KEY_META = "audit_system_key"
KEY_PREFIX = "ed25519:"


@dataclass(frozen=True)
class Signer:
    """Who signs new rows: the signed-in person's key (`kind` 'user') or the system key."""

    kind: str
    key: Ed25519PrivateKey

    def sign(self, row_hash: str) -> str:
        return base64.b64encode(self.key.sign(row_hash.encode())).decode()

    @property
    def public(self) -> str:
        return public_text(self.key.public_key())


def public_text(key: Ed25519PublicKey) -> str:
    return KEY_PREFIX + base64.b64encode(key.public_bytes_raw()).decode()


def parse_public(text: str) -> Ed25519PublicKey | None:
    """The key from 'ed25519:<base64>'; None when it is not one."""
    if not text.startswith(KEY_PREFIX):
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text[len(KEY_PREFIX):], validate=True))
    except (ValueError, binascii.Error):
        return None


def signature_ok(key: Ed25519PublicKey, row_hash: object, sig: object) -> bool:
    if not isinstance(row_hash, str) or not isinstance(sig, str):
        return False
    try:
        key.verify(base64.b64decode(sig, validate=True), row_hash.encode())
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def user_signer(key: Ed25519PrivateKey) -> Signer:
    return Signer(SIGNER_USER, key)


def load_system_signer(conn: Connection) -> Signer | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (SYSTEM_KEY_META,)).fetchone()
    if row is None:
        return None
    raw = base64.b64decode(as_text(row[0]))
    return Signer(SIGNER_SYSTEM, Ed25519PrivateKey.from_private_bytes(raw))


def new_system_signer(conn: Connection) -> Signer:
    """A fresh system key, stored in the (encrypted) database: call inside a transaction."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)",
                 (SYSTEM_KEY_META, base64.b64encode(raw).decode()))
    return Signer(SIGNER_SYSTEM, key)


def enrol_detail(subject: str, public: str) -> str:
    return f"{subject} {public}"


def parse_enrol(detail: object) -> tuple[str, Ed25519PublicKey | None]:
    """(account name, its key) from a `key.enrol` row's detail."""
    if not isinstance(detail, str) or " " not in detail:
        return "", None
    subject, public = detail.split(" ", 1)
    return subject, parse_public(public)
