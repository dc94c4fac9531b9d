"""Envelope keys: the database key sealed to per-user and recovery key pairs, kept in a sidecar file.

The SQLCipher file is encrypted with one random 256-bit data key. Each account (and the recovery
key) owns an X25519 key pair; its private key is wrapped with a key derived from the password
(Argon2id, parameters stored) and the data key is sealed to its public key. An account's Ed25519
audit-signing key is wrapped by the same password-derived key (its public half is also kept with
the account in the database and enrolled in the audit log). So a password change
re-wraps one private key, and `db rekey` can seal a new data key to every account without knowing
anyone's password. The file holds no patient data and nothing usable without a password.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal, TypedDict

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from assistant.errors import AuthenticationError, DatabaseError

KEYRING_VERSION = 1
RECOVERY_SLOT = "__recovery__"


class Argon2Params(TypedDict):
    """Password slots: Argon2id with its cost settings."""

    name: Literal["argon2id"]
    time_cost: int
    memory_kib: int
    parallelism: int


class HkdfParams(TypedDict):
    """The recovery slot: HKDF-SHA256 (the recovery key has full entropy already)."""

    name: Literal["hkdf-sha256"]


KdfParams = Argon2Params | HkdfParams
# OWASP 2023 minimum for Argon2id is m=19 MiB, t=2, p=1; we use 64 MiB, t=3 (about 0.3 s here).
DEFAULT_KDF: Argon2Params = {"name": "argon2id", "time_cost": 3, "memory_kib": 65536, "parallelism": 2}
_B32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: the recovery key is typed from paper


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode())


def derive_kek(secret: bytes, salt: bytes, kdf: KdfParams) -> bytes:
    if kdf["name"] == "argon2id":
        return hash_secret_raw(secret, salt, time_cost=kdf["time_cost"], memory_cost=kdf["memory_kib"],
                               parallelism=kdf["parallelism"], hash_len=32, type=Type.ID)
    if kdf["name"] == "hkdf-sha256":  # only for the high-entropy recovery key
        return HKDF(hashes.SHA256(), 32, salt, b"assistant-recovery").derive(secret)
    raise DatabaseError(f"unknown key-derivation function {kdf['name']!r} in the keyring")


def _seal(data: bytes, public: X25519PublicKey, aad: bytes) -> dict[str, str]:
    eph = X25519PrivateKey.generate()
    shared = eph.exchange(public)
    key = HKDF(hashes.SHA256(), 32, None, b"assistant-seal").derive(shared)
    nonce = os.urandom(12)
    return {"epk": _b64(eph.public_key().public_bytes_raw()), "nonce": _b64(nonce),
            "ct": _b64(AESGCM(key).encrypt(nonce, data, aad))}


def _unseal(box: dict[str, str], private: X25519PrivateKey, aad: bytes) -> bytes:
    shared = private.exchange(X25519PublicKey.from_public_bytes(_unb64(box["epk"])))
    key = HKDF(hashes.SHA256(), 32, None, b"assistant-seal").derive(shared)
    return AESGCM(key).decrypt(_unb64(box["nonce"]), _unb64(box["ct"]), aad)


def _raw(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def _wrap(kek: bytes, raw: bytes, aad: bytes) -> dict[str, str]:
    nonce = os.urandom(12)
    return {"nonce": _b64(nonce), "ct": _b64(AESGCM(kek).encrypt(nonce, raw, aad))}


def _unwrap(kek: bytes, box: dict[str, str], aad: bytes) -> bytes:
    return AESGCM(kek).decrypt(_unb64(box["nonce"]), _unb64(box["ct"]), aad)


@dataclass
class Slot:
    """One way to unlock: an account's (or the recovery key's) wrapped private key and sealed data keys."""

    name: str
    kdf: KdfParams
    salt: str
    public_key: str
    wrapped_private: dict[str, str]
    sealed: dict[str, dict[str, str]] = field(default_factory=dict)  # key id -> sealed data key

    signing_public: str = ""  # Ed25519 audit-signing key ("" for the recovery slot and old files)
    wrapped_signing: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, name: str, secret: bytes, kdf: KdfParams,
               signing: Ed25519PrivateKey | None = None) -> tuple[Slot, X25519PrivateKey]:
        """A new slot; an account's slot also wraps its audit-signing key (`signing`)."""
        private = X25519PrivateKey.generate()
        slot = cls(name, kdf.copy(), "", _b64(private.public_key().public_bytes_raw()), {})
        slot.wrap_private(private, secret, signing)
        return slot, private

    def wrap_private(self, private: X25519PrivateKey, secret: bytes,
                     signing: Ed25519PrivateKey | None = None) -> None:
        """Wrap the private key (and the signing key, when given) with a fresh password-derived key.
        Without `signing` a stored signing key cannot be kept (its wrapping key changes): callers that
        re-wrap pass the one they unwrapped."""
        salt = os.urandom(16)
        kek = derive_kek(secret, salt, self.kdf)
        self.salt = _b64(salt)
        self.wrapped_private = _wrap(kek, _raw(private), self.name.encode())
        if signing is None:
            self.signing_public, self.wrapped_signing = "", {}
        else:
            self.signing_public = _b64(signing.public_key().public_bytes_raw())
            self.wrapped_signing = _wrap(kek, _raw(signing), f"{self.name}:sign".encode())

    def unwrap_keys(self, secret: bytes) -> tuple[X25519PrivateKey, Ed25519PrivateKey | None]:
        """Both private keys, from one key derivation (Argon2 is deliberately slow)."""
        kek = derive_kek(secret, _unb64(self.salt), self.kdf)
        try:
            raw = _unwrap(kek, self.wrapped_private, self.name.encode())
            signing = (Ed25519PrivateKey.from_private_bytes(
                _unwrap(kek, self.wrapped_signing, f"{self.name}:sign".encode()))
                if self.wrapped_signing else None)
        except InvalidTag:
            raise AuthenticationError("wrong user name or password") from None
        return X25519PrivateKey.from_private_bytes(raw), signing

    def unwrap_private(self, secret: bytes) -> X25519PrivateKey:
        return self.unwrap_keys(secret)[0]

    def seal(self, key_id: str, data_key: bytes) -> None:
        public = X25519PublicKey.from_public_bytes(_unb64(self.public_key))
        self.sealed[key_id] = _seal(data_key, public, key_id.encode())

    def open(self, private: X25519PrivateKey, key_id: str) -> bytes:
        return _unseal(self.sealed[key_id], private, key_id.encode())


@dataclass
class Keyring:
    """The sidecar file `<db>.keys`: slots by name, the current key id and (during rekey) a pending one."""

    path: Path
    current: str = ""
    pending: str = ""
    slots: dict[str, Slot] = field(default_factory=dict)
    # Audit-signing keys unwrapped by `unlock` in this process (never written to the file).
    signing: dict[str, Ed25519PrivateKey] = field(default_factory=dict, repr=False, compare=False)

    @staticmethod
    def path_for(db_path: Path) -> Path:
        return db_path.with_name(db_path.name + ".keys")

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            doc = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise DatabaseError(f"{path}: key file missing; the database cannot be opened without it "
                                "(restore it from a backup)") from None
        except (OSError, ValueError) as e:
            raise DatabaseError(f"{path}: key file unreadable ({e})") from None
        if doc.get("version") != KEYRING_VERSION:
            raise DatabaseError(f"{path}: unsupported key file version {doc.get('version')!r}")
        slots = {s["name"]: Slot(**s) for s in doc["slots"]}
        return cls(path, doc["current"], doc.get("pending", ""), slots)

    def to_json(self) -> str:
        return json.dumps({"version": KEYRING_VERSION, "current": self.current, "pending": self.pending,
                           "slots": [asdict(s) for s in self.slots.values()]}, indent=1)

    def save(self) -> None:
        """Write atomically (temp file in the same folder, fsync, rename): never half a key file."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        mode = file_mode_for(self.path.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        os.fchmod(fd, mode)  # the umask must not narrow a shared folder's group access
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(self.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def unlock(self, name: str, secret: bytes) -> list[tuple[bytes, str]]:
        """Candidate (data key, key id) pairs for a slot: the current key, then a pending one.

        During an interrupted rekey the database holds either key; the caller tries each in turn.
        """
        slot = self.slots.get(name)
        if slot is None:
            # Same message as a wrong password: do not reveal which accounts exist.
            raise AuthenticationError("wrong user name or password")
        private, signing = slot.unwrap_keys(secret)
        if signing is None and name != RECOVERY_SLOT:
            # An account from before audit signing: it gets its key now, wrapped like its other key
            # (the store enrols the public half in the audit log once the database is open).
            signing = Ed25519PrivateKey.generate()
            slot.wrap_private(private, secret, signing)
            self.save()
        if signing is not None:
            self.signing[name] = signing
        found = [(slot.open(private, k), k) for k in (self.current, self.pending) if k and k in slot.sealed]
        if not found:
            raise DatabaseError(f"account {name!r} holds no copy of the database key; ask an admin to "
                                "reset its password")
        return found

    def seal_for_all(self, key_id: str, data_key: bytes) -> None:
        for slot in self.slots.values():
            slot.seal(key_id, data_key)


def file_mode_for(folder: Path) -> int:
    """Owner-only files, unless the folder is a group-writable shared folder (IT's shared database
    location, e.g. mode 2770): then the group may read and write too, so every clinician's OS
    account on the workstation can open the database. Nothing here is readable without a password."""
    try:
        shared = bool(folder.stat().st_mode & 0o020)
    except OSError:
        shared = False
    return 0o660 if shared else 0o600


def new_data_key() -> tuple[bytes, str]:
    return secrets.token_bytes(32), secrets.token_hex(8)


def new_recovery_key() -> str:
    """160 random bits as 32 unambiguous characters in groups of four, to print once on paper."""
    chars = "".join(secrets.choice(_B32) for _ in range(32))
    return "-".join(chars[i:i + 4] for i in range(0, 32, 4))


def normalise_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != 32 or any(ch not in _B32 for ch in cleaned):
        raise AuthenticationError("that is not a recovery key (32 letters and digits in groups of four)")
    return cleaned.encode()


RECOVERY_KDF: HkdfParams = {"name": "hkdf-sha256"}
