"""Knowledge packs: a manifest (name, version, date, each file's SHA-256 and sources) and its Ed25519 signature."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from assistant.clinical.knowledge import KnowledgeError

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
_SUFFIXES = (".csv", ".toml")


@dataclass(frozen=True)
class PackInfo:
    """A verified pack: what the manifest says, and whether a trusted key signed it."""

    name: str
    version: str
    date: str
    files: int
    signed_by: str = ""  # the trusted public key (base64) that signed it; "" for the built-in pack
    path: Path | None = None

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


def version_key(version: str) -> tuple[int, ...]:
    """'2026.2.10' -> (2026, 2, 10): packs compare by their numbered parts."""
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        raise KnowledgeError(f"pack version {version!r} is not numbers separated by dots") from None


def _sources(path: Path) -> list[str]:
    """The published sources a table cites (its `source` column, or `source(s)` keys in TOML)."""
    found: set[str] = set()
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(line for line in f if line.strip() and not line.startswith("#")):
                found.add((row.get("source") or "").strip())
    else:
        def walk(node: object, key: str = "") -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, k)
            elif isinstance(node, list):
                for v in node:
                    walk(v, key)
            elif isinstance(node, str) and key in ("source", "sources", "reference"):
                found.add(node.strip())
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    return sorted(s for s in found if s)


def _tables(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in _SUFFIXES)


def build_manifest(root: Path, name: str, version: str, date: str = "") -> dict[str, object]:
    """The manifest of every table under `root` (written by `assistant knowledge manifest|sign`)."""
    version_key(version)
    files = {p.relative_to(root).as_posix(): {"sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
                                              "sources": _sources(p)} for p in _tables(root)}
    return {"name": name, "version": version,
            "date": date or datetime.now(UTC).date().isoformat(), "files": files}


def manifest_bytes(manifest: dict[str, object]) -> bytes:
    """The exact bytes that are signed: sorted keys, no spaces to vary."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def write_manifest(root: Path, manifest: dict[str, object]) -> None:
    # Written readable (one file per line block); the signature covers manifest_bytes of it.
    (root / MANIFEST).write_text(json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False) + "\n",
                                 encoding="utf-8")


def read_manifest(root: Path) -> dict[str, object]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(f"{root}: no {MANIFEST}: not a knowledge pack") from None
    except (OSError, ValueError) as e:
        raise KnowledgeError(f"{root / MANIFEST} cannot be read: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise KnowledgeError(f"{root / MANIFEST} has no list of files")
    return data


def check_files(root: Path, manifest: dict[str, object]) -> None:
    """Every listed file present with its SHA-256, and no table the manifest does not list."""
    files = manifest["files"]
    assert isinstance(files, dict)
    for rel, entry in files.items():
        path = root / rel
        if not path.is_file():
            raise KnowledgeError(f"knowledge pack {root}: {rel} is missing")
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
            raise KnowledgeError(f"knowledge pack {root}: {rel} was altered (its SHA-256 does not match "
                                 "the manifest)")
    extra = [p.relative_to(root).as_posix() for p in _tables(root) if p.relative_to(root).as_posix() not in files]
    if extra:
        raise KnowledgeError(f"knowledge pack {root}: {extra[0]} is not in the manifest")


def sign(root: Path, private_key_file: Path) -> None:
    """Sign the pack's manifest with an Ed25519 private key (PEM, PKCS#8) read from a file."""
    key = load_pem_private_key(private_key_file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KnowledgeError(f"{private_key_file} is not an Ed25519 private key")
    signature = key.sign(manifest_bytes(read_manifest(root)))
    (root / SIGNATURE).write_text(base64.b64encode(signature).decode("ascii") + "\n", encoding="ascii")


def public_key_text(key: Ed25519PublicKey) -> str:
    """A public key as the site configuration lists it: base64 of its 32 raw bytes."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def verify(root: Path, trusted_keys: tuple[str, ...], signed: bool = True) -> PackInfo:
    """Check the manifest, every file's digest and (for an installable pack) a trusted signature."""
    manifest = read_manifest(root)
    signer = ""
    if signed:
        sig_path = root / SIGNATURE
        if not sig_path.is_file():
            raise KnowledgeError(f"knowledge pack {root} is unsigned (no {SIGNATURE})")
        try:
            signature = base64.b64decode(sig_path.read_text(encoding="ascii").strip(), validate=True)
        except (ValueError, UnicodeDecodeError):
            raise KnowledgeError(f"{sig_path} is not a base64 signature") from None
        for text in trusted_keys:
            try:
                Ed25519PublicKey.from_public_bytes(base64.b64decode(text)).verify(signature,
                                                                                  manifest_bytes(manifest))
            except (InvalidSignature, ValueError):
                continue
            signer = text
            break
        else:
            raise KnowledgeError(f"knowledge pack {root}: {MANIFEST} is not signed by a key this site "
                                 "trusts (knowledge.trusted_keys)")
    check_files(root, manifest)
    return PackInfo(str(manifest.get("name", "")), str(manifest.get("version", "")),
                    str(manifest.get("date", "")), len(manifest["files"]), signer, root)  # type: ignore[arg-type]
