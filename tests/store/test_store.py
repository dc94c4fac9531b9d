"""Encrypted store: envelope keys, accounts, audit chain, no plaintext on disk, backup and restore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlcipher3

from assistant.errors import AuthenticationError, BadInputError, DatabaseError
from assistant.records.domain import Note
from assistant.records.fhir_import import parse_file
from assistant.store import maintenance
from assistant.store.database import Store
from assistant.store.keyring import Keyring
from support import FAST_KDF, PASSWORD

NAME = "Zoë Quillfeather-Nakamura"


def _bundle(tmp_path: Path) -> Path:
    pid = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    doc = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": f"urn:uuid:{pid}", "resource": {
            "resourceType": "Patient", "id": pid, "gender": "female", "birthDate": "1961-07-01",
            "name": [{"family": "Quillfeather-Nakamura", "given": ["Zoë"]}],
            "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRN-77341"}]}},
        {"fullUrl": "urn:uuid:n1", "resource": {
            "resourceType": "DocumentReference", "id": "n1", "status": "current",
            "subject": {"reference": f"urn:uuid:{pid}"},
            "content": [{"attachment": {"contentType": "text/plain",
                                        "data": "UGVyc2lzdGVudCBicmFkeWNhcmRpYSBvbiBiaXNvcHJvbG9s"}}]}},
    ]}
    p = tmp_path / "zoe.json"
    p.write_text(json.dumps(doc), "utf-8")
    return p


def test_wrong_password_is_one_clear_error_and_changes_nothing(tmp_path: Path, store: Store) -> None:
    store.close()
    before = (store.path.read_bytes(), Keyring.path_for(store.path).read_bytes())
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        Store.open(store.path, "admin", "not the password")
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        Store.open(store.path, "nobody", PASSWORD)
    assert (store.path.read_bytes(), Keyring.path_for(store.path).read_bytes()) == before
    Store.open(store.path, "admin", PASSWORD).close()


def test_missing_database_and_missing_key_file(tmp_path: Path, store: Store) -> None:
    with pytest.raises(DatabaseError, match="no database"):
        Store.open(tmp_path / "nope.db", "admin", PASSWORD)
    store.close()
    Keyring.path_for(store.path).rename(tmp_path / "moved")
    with pytest.raises(DatabaseError, match="key file missing"):
        Store.open(store.path, "admin", PASSWORD)


def test_no_plaintext_on_disk_after_import(tmp_path: Path, store: Store) -> None:
    store.patients.import_parsed(parse_file(_bundle(tmp_path)))
    assert [p.name for p in store.patients.list("zoë")] == [NAME]
    assert [p.name for p in store.patients.list("bisoprolol")] == [NAME]  # FTS over note text
    assert [p.name for p in store.patients.list("MRN-773")] == [NAME]     # MRN prefix
    needles = [s.encode(enc) for s in ("Quillfeather", "MRN-77341", "bisoprolol") for enc in ("utf-8", "utf-16-le")]
    written = [p for p in tmp_path.iterdir() if p.name != "zoe.json"]
    assert any(p.name.endswith("-wal") for p in written) or written  # the WAL is scanned too when present
    for path in written:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"{needle!r} found in plaintext in {path.name}"
    # And the file really is encrypted: plain SQLite cannot read it.
    plain = sqlcipher3.connect(str(store.path))
    with pytest.raises(sqlcipher3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plain.close()


def test_accounts_roles_password_change_and_disable(store: Store) -> None:
    store.accounts.add("nurse1", "first password", kdf=FAST_KDF)
    with pytest.raises(BadInputError, match="already exists"):
        store.accounts.add("nurse1", "first password", kdf=FAST_KDF)
    with pytest.raises(BadInputError, match="too short"):
        store.accounts.add("nurse2", "short", kdf=FAST_KDF)
    path = store.path
    store.close()
    clin = Store.open(path, "nurse1", "first password")
    with pytest.raises(AuthenticationError, match="not an admin"):
        clin.accounts.add("x1", "some long password")
    clin.accounts.change_password("nurse1", "second password", old_password="first password")
    clin.close()
    with pytest.raises(AuthenticationError):
        Store.open(path, "nurse1", "first password")
    admin = Store.open(path, "admin", PASSWORD)
    admin.accounts.disable("nurse1")
    with pytest.raises(BadInputError, match="your own account"):
        admin.accounts.disable("admin")
    admin.close()
    with pytest.raises(AuthenticationError):
        Store.open(path, "nurse1", "second password")  # its key copy is gone


def test_last_enabled_admin_cannot_be_disabled(store: Store) -> None:
    store.accounts.add("admin2", "another long one", role="admin", kdf=FAST_KDF)
    other = Store.open(store.path, "admin2", "another long one")
    other.accounts.disable("admin")  # fine: admin2 remains
    store.close()
    with pytest.raises(AuthenticationError):
        Store.open(store.path, "admin", PASSWORD)
    # Disabling admin2 from a still-open stale session of another admin is refused by the count.
    other.conn.execute("UPDATE users SET disabled = 0 WHERE name = 'admin'")
    other.accounts.disable("admin")
    with pytest.raises(BadInputError, match="your own account"):
        other.accounts.disable("admin2")
    other.accounts.add("clin", "clinician password", kdf=FAST_KDF)
    clin_only = other.conn.execute("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0").fetchone()
    assert clin_only == (1,)
    other.close()


def test_disabling_the_last_admin_is_refused(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "a.db", "root", PASSWORD, kdf=FAST_KDF)
    store.accounts.add("helper", "helper password", role="admin", kdf=FAST_KDF)
    helper = Store.open(tmp_path / "a.db", "helper", "helper password")
    store.accounts.disable("helper")
    # helper's session predates its disabling; the rule is enforced on the data, not the session.
    with pytest.raises(BadInputError, match="last enabled admin"):
        helper.accounts.disable("root")
    helper.close()
    store.close()


def test_rekey_keeps_every_account_working_and_changes_the_key(store: Store) -> None:
    store.accounts.add("doc", "doctor password", kdf=FAST_KDF)
    old_key = store._data_key
    maintenance.rekey(store)
    assert store._data_key != old_key
    store.close()
    for user, pw in (("admin", PASSWORD), ("doc", "doctor password")):
        Store.open(store.path, user, pw).close()
    conn = sqlcipher3.connect(str(store.path))
    conn.execute(f"PRAGMA key = \"x'{old_key.hex()}'\"")
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


def test_rekey_interrupted_after_database_changed_is_completed_on_open(store: Store,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real_save = Keyring.save
    calls = {"n": 0}

    def crash_on_second_save(self: Keyring) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("simulated power cut")
        real_save(self)

    monkeypatch.setattr(Keyring, "save", crash_on_second_save)
    with pytest.raises(OSError):
        maintenance.rekey(store)
    monkeypatch.setattr(Keyring, "save", real_save)
    store.conn.close()
    reopened = Store.open(store.path, "admin", PASSWORD)
    assert reopened.keyring.pending == ""
    assert reopened.audit.verify().ok
    reopened.close()


def test_audit_chain_detects_edit_delete_and_truncation(tmp_path: Path, store: Store) -> None:
    store.patients.import_parsed(parse_file(_bundle(tmp_path)))
    store.patients.load_record(store.patients.resolve("MRN-77341"))
    check = store.audit.verify()
    assert check.ok and check.rows >= 3
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE audit SET user = 'mallory' WHERE seq = 2")
    # Someone with SQL access drops the guard and edits a row: the chain catches it.
    store.conn.execute("DROP TRIGGER audit_no_update")
    store.conn.execute("DROP TRIGGER audit_no_delete")
    store.conn.execute("UPDATE audit SET user = 'mallory' WHERE seq = 2")
    assert any("row 2 altered" in p for p in store.audit.verify().problems)
    store.conn.execute("UPDATE audit SET user = 'admin' WHERE seq = 2")
    assert store.audit.verify().ok
    store.conn.execute("DELETE FROM audit WHERE seq = 2")
    assert not store.audit.verify().ok
    last = store.conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
    store.conn.execute("DELETE FROM audit WHERE seq = ?", (last,))
    assert any("newest rows missing" in p for p in store.audit.verify().problems)


def test_every_chart_access_is_audited(tmp_path: Path, store: Store) -> None:
    store.patients.import_parsed(parse_file(_bundle(tmp_path)))
    pid = store.patients.resolve("MRN-77341")
    store.patients.load_record(pid)
    store.patients.add_note(Note(id="new1", patient_id=pid, text="Seen today, stable.", author="admin"))
    actions = [e.action for e in store.audit.events(pid)]
    assert actions[:3] == ["note.add", "chart.open", "chart.import"]
    assert store.patients.recent()[0].id == pid
    assert "new1" in [n.id for n in store.patients.load_record(pid).notes]


def test_backup_and_restore_round_trip(tmp_path: Path, store: Store) -> None:
    store.patients.import_parsed(parse_file(_bundle(tmp_path)))
    bak = tmp_path / "backup.cab"
    maintenance.backup(store, bak)
    assert b"Quillfeather" not in bak.read_bytes()
    with pytest.raises(BadInputError, match="already exists"):
        maintenance.backup(store, bak)
    with pytest.raises(AuthenticationError):
        maintenance.restore(bak, tmp_path / "restored.db", "admin", "wrong password")
    assert not (tmp_path / "restored.db").exists()
    restored = maintenance.restore(bak, tmp_path / "restored.db", "admin", PASSWORD)
    assert [p.name for p in restored.patients.list()] == [NAME]
    assert restored.audit.verify().ok
    restored.close()
    with pytest.raises(BadInputError, match="--force"):
        maintenance.restore(bak, tmp_path / "restored.db", "admin", PASSWORD)
    damaged = tmp_path / "damaged.cab"
    damaged.write_bytes(b"not a backup at all")
    with pytest.raises(BadInputError, match="not a Clinician Assistant backup"):
        maintenance.restore(damaged, tmp_path / "x.db", "admin", PASSWORD)


def test_recovery_key_opens_and_resets_a_password(tmp_path: Path) -> None:
    store, recovery = Store.create(tmp_path / "r.db", "admin", PASSWORD, kdf=FAST_KDF)
    store.close()
    with pytest.raises(AuthenticationError, match="recovery key"):
        Store.open_with_recovery(tmp_path / "r.db", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    rec = Store.open_with_recovery(tmp_path / "r.db", recovery.lower().replace("-", " "))
    assert rec.account.name == "admin"
    rec.accounts.change_password("admin", "brand new password")
    rec.close()
    Store.open(tmp_path / "r.db", "admin", "brand new password").close()


def test_signed_documents_are_read_only(store: Store, tmp_path: Path) -> None:
    store.patients.import_parsed(parse_file(_bundle(tmp_path)))
    pid = store.patients.resolve("MRN-77341")
    d1 = store.documents.save(pid, "careplan", {"goals": ["HbA1c < 7 %"]})
    d1 = store.documents.update_draft(d1.id, {"goals": ["HbA1c < 7.5 %"]})
    signed = store.documents.sign(d1.id)
    assert signed.status == "signed" and signed.signed_by == "admin"
    with pytest.raises(BadInputError, match="signed"):
        store.documents.update_draft(d1.id, {"goals": []})
    with pytest.raises(sqlcipher3.IntegrityError, match="read-only"):
        store.conn.execute("UPDATE documents SET data = '{}' WHERE id = ?", (d1.id,))
    d2 = store.documents.save(pid, "careplan", {"goals": ["HbA1c < 7 %"]}, series=d1.series)
    assert d2.version == 2 and d2.supersedes == d1.id
    assert store.documents.get(d1.id).status == "superseded"
    assert store.documents.get(d1.id).data == {"goals": ["HbA1c < 7.5 %"]}


def test_newer_schema_is_refused(store: Store) -> None:
    store.conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    store.close()
    with pytest.raises(DatabaseError, match="newer than this app"):
        Store.open(store.path, "admin", PASSWORD)


def test_files_are_private_unless_the_folder_is_shared(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    store, _ = Store.create(private / "p.db", "admin", PASSWORD, kdf=FAST_KDF)
    store.close()
    assert (private / "p.db").stat().st_mode & 0o777 == 0o600
    assert (private / "p.db.keys").stat().st_mode & 0o777 == 0o600
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o2770)  # what the installer creates for a shared workstation database
    store, _ = Store.create(shared / "s.db", "admin", PASSWORD, kdf=FAST_KDF)
    store.accounts.add("nurse", "nurse password", kdf=FAST_KDF)  # rewrites the key file
    store.close()
    assert (shared / "s.db").stat().st_mode & 0o777 == 0o660
    assert (shared / "s.db.keys").stat().st_mode & 0o777 == 0o660


def test_backup_and_restored_files_are_private_whatever_the_umask(tmp_path, make_store):
    # Backups and the staged copies of a restore were created 0644 (issue 15, item 10).
    import os
    import stat

    from assistant.store.maintenance import backup, restore

    store = make_store()
    old = os.umask(0o022)
    try:
        dest = tmp_path / "out" / "b.cabak"
        dest.parent.mkdir()
        backup(store, dest)
        assert stat.S_IMODE(dest.stat().st_mode) == 0o600
        target = tmp_path / "restored" / "r.db"
        target.parent.mkdir()
        restored = restore(dest, target, "admin", PASSWORD)
        restored.close()
        for p in (target, target.with_name(target.name + ".keys")):
            if p.exists():
                assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p
    finally:
        os.umask(old)


def test_a_clinician_cannot_restore_over_the_live_database(tmp_path: Path, make_store) -> None:
    # A clinician restoring an old backup would roll back an admin's changes, revive disabled
    # accounts and replace the audit log (issue 15, item 5): admins only.
    from assistant.errors import AuthenticationError
    from assistant.store.maintenance import backup, restore

    store = make_store()
    store.accounts.add("clin1", "clinician password", kdf=FAST_KDF)
    dest = tmp_path / "b.cabak"
    backup(store, dest)
    store.accounts.add("later1", "added after the backup", kdf=FAST_KDF)
    live = store.path
    store.close()
    before = live.read_bytes()
    with pytest.raises(AuthenticationError, match="admin"):
        restore(dest, live, "clin1", "clinician password", force=True)
    assert live.read_bytes() == before and not live.with_name(live.name + ".before-restore").exists()
    assert not live.with_name(live.name + ".restoring").exists()
    # An admin may.
    restored = restore(dest, live, "admin", PASSWORD, force=True)
    assert "later1" not in [a.name for a in restored.accounts.list()]
    restored.close()


def test_an_admin_of_the_backup_who_is_no_admin_now_cannot_restore(tmp_path: Path, make_store) -> None:
    # The live database decides: an account demoted or disabled since the backup is refused.
    from assistant.errors import AuthenticationError
    from assistant.store.maintenance import backup, restore

    store = make_store()
    store.accounts.add("boss2", "second admin password", role="admin", kdf=FAST_KDF)
    dest = tmp_path / "b.cabak"
    backup(store, dest)
    store.accounts.disable("boss2")
    live = store.path
    store.close()
    with pytest.raises(AuthenticationError):
        restore(dest, live, "boss2", "second admin password", force=True)
    assert not live.with_name(live.name + ".before-restore").exists()


def test_every_restore_keeps_the_database_it_displaced(tmp_path: Path, make_store) -> None:
    # A second `db restore --force` overwrote the first one's .before-restore copy (issue 15, item 2).
    from assistant.store.maintenance import backup, restore

    store = make_store()
    dest = tmp_path / "b.cabak"
    backup(store, dest)
    live = store.path
    store.close()
    restore(dest, live, "admin", PASSWORD, force=True).close()
    restore(dest, live, "admin", PASSWORD, force=True).close()
    first = live.with_name(live.name + ".before-restore").read_bytes()
    second = live.with_name(live.name + ".before-restore.1").read_bytes()
    assert first and second and first != second  # two databases kept, neither overwritten
    assert live.with_name(live.name + ".keys.before-restore").exists()
    assert live.with_name(live.name + ".keys.before-restore.1").exists()
