"""`audit verify`: recompute the chain, check every signature against enrolled keys, and the witness."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..types import Connection, as_text
from . import witness
from .chain import (
    GENESIS,
    RECOVERY_AUTHOR,
    ROW_COLUMNS,
    SIGNER_SYSTEM,
    SIGNER_USER,
    UNSIGNED,
    AuditCheck,
    StoredRow,
)
from .signing import parse_enrol, parse_public, public_text, signature_ok


@dataclass
class _Walk:
    """What the walk over the rows has learnt so far."""

    admins: set[str]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)  # account -> enrolled key
    enrolled_at: dict[str, int] = field(default_factory=dict)
    system: Ed25519PublicKey | None = None
    signing_from: int = 0  # the row that started signing (0: not yet)
    unsigned_before: int = 0
    system_rows: list[int] = field(default_factory=list)
    log_ids: list[str] = field(default_factory=list)


def verify_log(conn: Connection, witness_config: witness.WitnessConfig | None) -> AuditCheck:
    admins = {as_text(r[0]) for r in conn.execute("SELECT name FROM users WHERE role = 'admin'")}
    walk = _Walk(admins)
    prev: object = GENESIS
    expected_seq, n, head_hash = 1, 0, GENESIS
    hashes: dict[int, object] = {}
    for raw in conn.execute(f"SELECT {ROW_COLUMNS} FROM audit ORDER BY seq"):
        row = StoredRow.from_row(raw)
        n += 1
        if row.seq != expected_seq:
            gap = f"row {expected_seq}" if row.seq == expected_seq + 1 else f"rows {expected_seq}..{row.seq - 1}"
            walk.problems.append(f"{gap} deleted")
        if row.prev_hash != prev:
            walk.problems.append(f"row {row.seq}: link to the previous row broken (rows deleted, "
                                 "inserted or reordered)")
        if row.recomputed() != row.hash:
            walk.problems.append(f"row {row.seq} altered: contents changed after it was written")
        _check_signature(walk, row)
        hashes[row.seq] = row.hash
        prev, expected_seq = row.hash, row.seq + 1
        head_hash = as_text(row.hash) if isinstance(row.hash, str) else ""
    _check_head(conn, walk, n, expected_seq - 1, prev)
    _check_accounts(conn, walk)
    if walk.unsigned_before:
        walk.notes.append(f"rows 1..{walk.unsigned_before}: unsigned (before signing existed)")
    if walk.system_rows:
        shown = ", ".join(str(s) for s in walk.system_rows[:10]) + (" ..." if len(walk.system_rows) > 10 else "")
        walk.notes.append(f"{len(walk.system_rows)} row(s) signed only by the system key ({shown}): they "
                          "prove that someone able to open the database wrote them, not who")
    if witness_config is not None and walk.log_ids:
        _check_witness(walk, witness_config, hashes, expected_seq - 1, head_hash)
    return AuditCheck(not walk.problems, n, tuple(walk.problems), tuple(walk.notes))


def _check_signature(walk: _Walk, row: StoredRow) -> None:
    seq, user, action = row.seq, row.user_text, row.action
    if action == "audit.signing" and walk.signing_from == 0:
        walk.signing_from = seq
        parts = dict(p.strip().split(" ", 1) for p in str(row.detail).split(";")[1:] if " " in p.strip())
        walk.system = parse_public(parts.get("system", ""))
        walk.log_ids.append(parts.get("witness", ""))
        if walk.system is None:
            walk.problems.append(f"row {seq} altered: it starts signing but names no system key")
    if walk.signing_from == 0:
        if row.sig == UNSIGNED and row.signer == UNSIGNED:
            walk.unsigned_before = seq
        else:
            walk.problems.append(f"row {seq} altered: signed before signing began")
        return
    if row.sig == UNSIGNED or row.signer == UNSIGNED:
        walk.problems.append(f"row {seq} altered: unsigned, though signing began at row "
                             f"{walk.signing_from} (signature removed)")
        return
    if row.signer == SIGNER_SYSTEM:
        key = walk.system
        if user not in ("system", RECOVERY_AUTHOR):
            walk.problems.append(f"row {seq} forged: written as {user} but signed with the system key, "
                                 "which any account holder can use")
            return
        walk.system_rows.append(seq)
    elif row.signer == SIGNER_USER:
        key = walk.keys.get(user)
        subject, enrolled = parse_enrol(row.detail) if action == "key.enrol" else ("", None)
        if subject == user and enrolled is not None:
            key = enrolled  # a key enrolled by its own account signs that row (a replacement is reported)
        if key is None:
            walk.problems.append(f"row {seq} forged: signed as {user}, who has no enrolled key")
            return
    else:
        walk.problems.append(f"row {seq} altered: unknown signer {row.signer!r}")
        return
    if key is None or not signature_ok(key, row.hash, row.sig):
        walk.problems.append(f"row {seq} altered or forged: signature invalid for {user}")
        return
    if action == "key.enrol":
        _enrolment(walk, row)
    elif action == "audit.witness":
        _witness_restart(walk, row)


def _enrolment(walk: _Walk, row: StoredRow) -> None:
    subject, key = parse_enrol(row.detail)
    if key is None:
        walk.problems.append(f"row {row.seq}: key enrolment names no key")
        return
    by = row.user_text
    if subject in walk.keys and by == subject:
        walk.problems.append(f"row {row.seq}: {subject} replaced their own signing key (a swapped key "
                             "file?); only an admin's reset may give an account a new key")
    elif by not in (subject, RECOVERY_AUTHOR) and by not in walk.admins:
        walk.problems.append(f"row {row.seq}: {by}, not an admin, enrolled a key for {subject}")
    walk.keys[subject] = key
    walk.enrolled_at[subject] = row.seq


def _witness_restart(walk: _Walk, row: StoredRow) -> None:
    by = row.user_text
    if by not in walk.admins and by != RECOVERY_AUTHOR:
        walk.problems.append(f"row {row.seq}: {by}, not an admin, restarted the witness")
    walk.log_ids.append(str(row.detail).removeprefix("witness ").split(":", 1)[0])


def _check_head(conn: Connection, walk: _Walk, n: int, last: int, prev: object) -> None:
    head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
    if head is not None and n:
        head_seq, head_hash = as_text(head[0]).split(":", 1)
        if int(head_seq) != last or head_hash != prev:
            walk.problems.append(f"newest rows missing: the log ends at row {last} but row {head_seq} "
                                 "was written")
    elif head is not None and not n:
        walk.problems.append("all rows deleted")


def _check_accounts(conn: Connection, walk: _Walk) -> None:
    """The key kept with each account must be the one its last enrolment row names."""
    for name, stored in conn.execute("SELECT name, sign_key FROM users ORDER BY name"):
        if not stored:
            continue
        enrolled = walk.keys.get(as_text(name))
        if enrolled is None or public_text(enrolled) != stored:
            where = f"row {walk.enrolled_at[name]}" if name in walk.enrolled_at else "no row"
            walk.problems.append(f"account {name}: its public key differs from the one enrolled in the "
                                 f"log ({where}): swapped outside the app")


def _check_witness(walk: _Walk, config: witness.WitnessConfig, hashes: dict[int, object], last: int,
                   head: str) -> None:
    log_id = walk.log_ids[-1]
    found = witness.read(config.path, log_id)
    if found is None:
        walk.problems.append(f"witness file {config.path} missing: nothing outside the database vouches "
                             "for the newest rows (deleted, or audit.witness_path changed)")
        return
    records, bad = found
    if bad < 0:
        walk.problems.append(f"witness file {config.path} unreadable")
        return
    if bad:
        walk.notes.append(f"witness file: {bad} line(s) not in the witness format, ignored")
    if not records:
        walk.notes.append("the witness has no record of this log yet")
        return
    newest = max(records, key=lambda r: r.rows)
    if newest.rows > last:
        gone = f"row {last + 1}" if newest.rows == last + 1 else f"rows {last + 1}..{newest.rows}"
        walk.problems.append(f"head behind the witness's record at {newest.ts}: the log ends at row {last} "
                             f"but row {newest.rows} was witnessed ({gone} deleted)")
    changed = next((r for r in records if r.rows <= last and hashes.get(r.rows) != r.head), None)
    if changed is not None:
        walk.problems.append(f"row {changed.rows} altered since the witness recorded it at {changed.ts}")
    if newest.rows < last:
        walk.notes.append(f"rows {newest.rows + 1}..{last} not witnessed yet (head {head[:12]})")
