"""Signed, witnessed audit log: rewrites by account holders (own rows, others' rows, the tail) show."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assistant.store.audit.signing import Signer, load_system_signer, user_signer
from assistant.store.database import Store
from assistant.store.keyring import Keyring, Slot
from benchmarks.stress.tamper import audit_rows, rewrite_log
from support import FAST_KDF, PASSWORD

CLIN_PW = "clinician password 1"


@pytest.fixture
def two_users(store: Store) -> Path:
    """admin and drjones, each with rows of their own; the clinician's rows are the newest."""
    store.accounts.add("drjones", CLIN_PW, "clinician", kdf=FAST_KDF)
    store.audit.record("admin.work", detail="one")
    store.close()
    with Store.open(store.path, "drjones", CLIN_PW) as clin:
        for i in range(4):
            clin.audit.record("chart.open", f"p{i}", "gui")
    return store.path


def _as_clinician(path: Path) -> tuple[Store, dict[str, Signer]]:
    clin = Store.open(path, "drjones", CLIN_PW)
    keys = {"drjones": user_signer(clin.keyring.signing["drjones"])}
    system = load_system_signer(clin.conn)
    assert system is not None
    keys["system"] = system  # any account holder can use the system key: it lives in the database
    return clin, keys


def _verify(path: Path) -> tuple[bool, str]:
    with Store.open(path, "admin", PASSWORD) as admin:
        check = admin.audit.verify()
    return check.ok, "\n".join(check.problems)


def test_a_clean_signed_log_verifies_with_its_witness(two_users: Path) -> None:
    with Store.open(two_users, "admin", PASSWORD) as admin:
        check = admin.audit.verify()
        assert check.ok, check.problems
        rows = admin.conn.execute("SELECT signer, count(*) FROM audit GROUP BY signer").fetchall()
    # Only the row that starts signing is the system's; every other row is signed by its author.
    assert dict(rows) == {"system": 1, "user": check.rows - 1}
    assert (two_users.with_name(two_users.name + ".audit-witness")).read_text().count("\n") >= 2


def test_deleting_own_rows_in_the_middle_and_rechaining_breaks_others_signatures(two_users: Path) -> None:
    with Store.open(two_users, "admin", PASSWORD) as admin:
        admin.audit.record("admin.later")  # someone else writes after the clinician's rows
    clin, keys = _as_clinician(two_users)
    rows = [r for r in audit_rows(clin) if not (r[2] == "drjones" and r[3] == "chart.open")]
    rewrite_log(clin, rows, keys)
    clin.close()
    ok, problems = _verify(two_users)
    assert not ok and "signature invalid for admin" in problems


def test_deleting_own_tail_and_rechaining_is_caught_by_the_witness(two_users: Path) -> None:
    clin, keys = _as_clinician(two_users)
    rows = audit_rows(clin)
    rewrite_log(clin, rows[:-2], keys)  # the newest two rows are the clinician's own: re-signed validly
    clin.conn.close()  # killed: no witness line at close
    ok, problems = _verify(two_users)
    assert not ok and "head behind the witness's record" in problems
    assert f"the log ends at row {len(rows) - 2} but row {len(rows)} was witnessed" in problems


def test_truncating_the_tail_is_caught_by_the_witness(two_users: Path) -> None:
    with Store.open(two_users, "drjones", CLIN_PW) as clin:
        clin.conn.execute("DROP TRIGGER audit_no_delete")
        last = clin.conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
        prev = clin.conn.execute("SELECT hash FROM audit WHERE seq = ?", (last - 1,)).fetchone()[0]
        clin.conn.execute("DELETE FROM audit WHERE seq = ?", (last,))
        clin.conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{last - 1}:{prev}",))
        clin.conn.close()
    ok, problems = _verify(two_users)
    assert not ok and "head behind the witness's record" in problems


def test_altering_a_row_is_reported_with_its_number(two_users: Path) -> None:
    clin, keys = _as_clinician(two_users)
    rows = audit_rows(clin)
    n = next(r[0] for r in rows if r[2] == "admin" and r[3] == "admin.work")
    rows[n - 1] = (*rows[n - 1][:5], "changed", *rows[n - 1][6:])
    rewrite_log(clin, rows, keys)
    clin.close()
    ok, problems = _verify(two_users)
    assert not ok and f"row {n} altered or forged: signature invalid for admin" in problems


def test_forging_another_users_row_is_detected(two_users: Path) -> None:
    for key_name in ("drjones", "system"):
        clin, keys = _as_clinician(two_users)
        rows = audit_rows(clin)
        forged = (0, rows[-1][1], "admin", "user.disable", "", "someone", "user", "")
        signers = dict(keys, admin=keys[key_name])  # the forger signs with the key they have
        rewrite_log(clin, [*rows, forged], signers)
        clin.close()
        ok, problems = _verify(two_users)
        assert not ok, key_name
        assert f"row {len(rows) + 1}" in problems and ("forged" in problems), problems


def test_swapping_an_accounts_key_file_shows(two_users: Path) -> None:
    # An admin with write access to the key file gives drjones a new slot (new password, new key).
    with Store.open(two_users, "admin", PASSWORD) as admin:
        slot, _ = Slot.create("drjones", b"admin knows this 1", FAST_KDF, Ed25519PrivateKey.generate())
        admin._seal(slot)
        ring = admin.keyring
        ring.slots["drjones"] = slot
        ring.save()
    with Store.open(two_users, "drjones", "admin knows this 1") as fake:
        fake.audit.record("chart.open", "p9", "gui")
    ok, problems = _verify(two_users)
    assert not ok and "drjones replaced their own signing key" in problems


def test_rows_from_before_signing_are_marked_not_failed(two_users: Path) -> None:
    # Make the file look like one written before signing existed: unsigned rows, no keys anywhere.
    with Store.open(two_users, "admin", PASSWORD) as admin:
        rows = [(*r[:6], "", "") for r in audit_rows(admin) if r[3] not in ("audit.signing", "key.enrol")]
        rewrite_log(admin, rows, {})
        admin.conn.execute("DELETE FROM meta WHERE key IN ('audit_system_key', 'audit_witness_id')")
        admin.conn.execute("UPDATE users SET sign_key = ''")
        n_old = len(rows)
    ring = Keyring.load(Keyring.path_for(two_users))
    for slot in ring.slots.values():
        slot.signing_public, slot.wrapped_signing = "", {}
    ring.save()
    with Store.open(two_users, "drjones", CLIN_PW) as clin:  # the next sign-in gets a key
        clin.audit.record("chart.open", "p1", "gui")
    with Store.open(two_users, "admin", PASSWORD) as admin:
        check = admin.audit.verify()
    assert check.ok, check.problems
    assert f"rows 1..{n_old}: unsigned (before signing existed)" in check.notes
    assert Keyring.load(Keyring.path_for(two_users)).slots["drjones"].signing_public
