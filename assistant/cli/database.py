"""CLI: `init`, `user add|passwd|list|disable`, `audit verify|show`, `db backup|restore|rekey`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.cli.credentials import add_db_args, db_path, open_store, read_secret, user_name
from assistant.errors import BadInputError
from assistant.store.access import OWN_ROWS_NOTE, may_review_all, visible_accounts, visible_events
from assistant.store.database import Store
from assistant.store.maintenance import backup, disable_account, rekey, restore


def _init(args: argparse.Namespace) -> int:
    path = db_path(args)
    user = user_name(args)
    password = read_secret(args)
    if sys.stdin.isatty() and not getattr(args, "password_file", None) and not _env_password():
        if read_secret(args, "Repeat password: ") != password:
            raise BadInputError("the two passwords differ")
    store, recovery = Store.create(path, user, password, display_name=args.display_name or "")
    store.close()
    print(f"Created {path} with admin account {user!r}.")
    print("RECOVERY KEY (shown once; print it and keep it locked away, it opens the database if "
          "every password is lost):")
    print(f"  {recovery}")
    return 0


def _env_password() -> bool:
    import os

    return bool(os.environ.get("ASSISTANT_PASSWORD"))


def _user(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.user_cmd == "list":
            users = visible_accounts(store)
            if args.json:
                print(json.dumps([{"name": u.name, "role": u.role, "display_name": u.display_name,
                                   "disabled": u.disabled} for u in users], indent=2))
            else:
                for u in users:
                    print(f"{u.name:20} {u.role:10} {'disabled' if u.disabled else 'enabled':9} {u.display_name}")
            return 0
        if args.user_cmd == "add":
            pw = read_secret(args, f"Password for {args.name}: ", env="ASSISTANT_NEW_PASSWORD",
                             file_attr="new_password_file")
            store.accounts.add(args.name, pw, role=args.role, display_name=args.display_name or "")
            print(f"Added {args.role} {args.name!r}.")
        elif args.user_cmd == "passwd":
            target = args.name or store.account.name
            pw = read_secret(args, f"New password for {target}: ", env="ASSISTANT_NEW_PASSWORD",
                             file_attr="new_password_file")
            # Changing one's own password proves the old one: it is the one the store was opened with.
            old = read_secret(args) if target == store.account.name else None
            store.accounts.change_password(target, pw, old_password=old)
            print(f"Password changed for {target!r}.")
        elif args.user_cmd == "disable":
            key_id = disable_account(store, args.name)
            if key_id:
                print(f"Disabled {args.name!r} and rotated the database key (key id {key_id}): its "
                      "password no longer opens the database, not even with an older copy of the key file.")
            else:
                print(f"Disabled {args.name!r}: its password no longer opens the database with the current "
                      "key file, but an older copy of the key file still would until the key is rotated; "
                      "another session is open, so run `assistant db rekey` once it is closed.")
    return 0


def _audit(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.audit_cmd == "verify":
            store.require_admin()
            check = store.audit.verify()
            store.audit.record("audit.verify", detail="ok" if check.ok else "FAILED")
            if args.json:
                print(json.dumps({"ok": check.ok, "rows": check.rows, "problems": list(check.problems),
                                  "notes": list(check.notes)}))
            else:
                print(f"audit log: {check.rows} rows, {'intact' if check.ok else 'TAMPERED'}")
                for p in check.problems:
                    print(f"  {p}")
                for note in check.notes:
                    print(f"  note: {note}")
            return 0 if check.ok else 4
        patient = store.patients.resolve(args.patient) if args.patient else None
        events = visible_events(store, patient, limit=args.limit)
        if not may_review_all(store):
            print(OWN_ROWS_NOTE, file=sys.stderr)
        if args.json:
            print(json.dumps([e.to_dict() for e in events], indent=2, ensure_ascii=False))
        else:
            for e in events:
                print(f"{e.seq:6} {e.ts} {e.user:14} {e.action:16} {e.patient_id[:13]:13} {e.detail}")
    return 0


def _db(args: argparse.Namespace) -> int:
    if args.db_cmd == "restore":
        path = db_path(args)
        if args.recovery_key_file:
            key = Path(args.recovery_key_file).read_text("utf-8").strip()
            store = restore(Path(args.file), path, None, None, recovery_key=key, force=args.force)
        else:
            store = restore(Path(args.file), path, user_name(args), read_secret(args), force=args.force)
        n = store.patients.count()
        store.close()
        print(f"Restored {args.file} to {path} ({n} patients).")
        return 0
    with open_store(args) as store:
        store.require_admin()
        if args.db_cmd == "backup":
            size = backup(store, Path(args.file))
            print(f"Encrypted backup written to {args.file} ({size / 1e6:.1f} MB).")
        elif args.db_cmd == "rekey":
            key_id = rekey(store)
            print(f"Database key rotated (key id {key_id}); passwords and the recovery key are unchanged.")
    return 0


def _recover(args: argparse.Namespace) -> int:
    key = read_secret(args, "Recovery key: ", env="ASSISTANT_RECOVERY_KEY", file_attr="recovery_key_file")
    with Store.open_with_recovery(db_path(args), key) as store:
        pw = read_secret(args, f"New password for {args.name}: ", env="ASSISTANT_NEW_PASSWORD",
                         file_attr="new_password_file")
        store.accounts.change_password(args.name, pw)
        print(f"Password reset for {args.name!r} with the recovery key.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create the encrypted database and its first admin account")
    add_db_args(p)
    p.add_argument("--display-name", help="the admin's full name")
    p.set_defaults(func=_init)

    p = sub.add_parser("user", help="manage accounts (admins)")
    us = p.add_subparsers(dest="user_cmd", required=True)
    for name, helptext in (("add", "add an account"), ("passwd", "change a password"),
                           ("list", "list accounts (all for admins, one's own otherwise)"), ("disable", "disable an account")):
        q = us.add_parser(name, help=helptext)
        add_db_args(q)
        if name in ("add", "disable"):
            q.add_argument("name")
        if name == "passwd":
            q.add_argument("name", nargs="?", help="account (default: yourself)")
        if name == "add":
            q.add_argument("--role", choices=("clinician", "admin"), default="clinician")
            q.add_argument("--display-name")
        if name in ("add", "passwd"):
            q.add_argument("--new-password-file", metavar="FILE",
                           help="the new password (else ASSISTANT_NEW_PASSWORD or a prompt)")
        if name == "list":
            q.add_argument("--json", action="store_true")
        q.set_defaults(func=_user)

    p = sub.add_parser("recover", help="reset an account's password with the recovery key")
    add_db_args(p)
    p.add_argument("name", help="account whose password to reset")
    p.add_argument("--recovery-key-file", metavar="FILE")
    p.add_argument("--new-password-file", metavar="FILE")
    p.set_defaults(func=_recover)

    p = sub.add_parser("audit", help="verify or show the tamper-evident audit log")
    au = p.add_subparsers(dest="audit_cmd", required=True)
    q = au.add_parser("verify", help="check the hash chain (admins)")
    add_db_args(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_audit)
    q = au.add_parser("show", help="show recent audit events (all for admins, one's own otherwise)")
    add_db_args(q)
    q.add_argument("--patient", help="only events about this patient")
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_audit)

    p = sub.add_parser("db", help="backup, restore or rekey the database (admins)")
    ds = p.add_subparsers(dest="db_cmd", required=True)
    q = ds.add_parser("backup", help="write an encrypted backup file")
    add_db_args(q)
    q.add_argument("file")
    q.set_defaults(func=_db)
    q = ds.add_parser("restore", help="restore a backup (proves the credentials open it first)")
    add_db_args(q)
    q.add_argument("file")
    q.add_argument("--force", action="store_true", help="replace an existing database (kept aside)")
    q.add_argument("--recovery-key-file", metavar="FILE", help="open the backup with the recovery key")
    q.set_defaults(func=_db)
    q = ds.add_parser("rekey", help="rotate the database encryption key")
    add_db_args(q)
    q.set_defaults(func=_db)
