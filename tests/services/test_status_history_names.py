"""The status history names people as the rest of the app does: the display name, not the login."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.services import chart_entry as svc
from assistant.services.importing import import_files
from assistant.store.database import Store
from support import FAST_KDF, PASSWORD

ARTHUR = Path(__file__).resolve().parents[2] / "resources" / "demo" / "01_arthur_sampleton_diabetes_ckd.json"
JONES = "dr.jones", "jones password 1"


def _stop_as_jones(store: Store, tmp_path: Path) -> tuple[str, str, str]:
    """Dr Alice Jones stops a medicine and resolves a problem; returns (patient, medicine, problem)."""
    import_files(store, [ARTHUR], workers=1)
    store.accounts.add(*JONES, display_name="Dr Alice Jones", kdf=FAST_KDF)
    store.close()
    jones = Store.open(tmp_path / "test.db", *JONES)
    try:
        pid = jones.patients.list()[0].id
        record = jones.patients.load_record(pid, audit=False)
        med = next(m for m in record.medications if m.is_active)
        problem = next(c for c in record.conditions if c.is_active)
        svc.stop_medication(jones, pid, med.ref, "side effects")
        svc.set_problem_status(jones, pid, problem.ref, "resolved")
    finally:
        jones.close()
    return pid, med.ref, problem.ref


def test_the_history_names_the_display_name_and_keeps_the_login(store: Store, tmp_path: Path) -> None:
    pid, med, problem = _stop_as_jones(store, tmp_path)
    admin = Store.open(tmp_path / "test.db", "admin", PASSWORD)  # someone else reads the chart
    try:
        (stop,) = svc.status_history(admin, pid, med)
        (resolve,) = svc.status_history(admin, pid, problem)
    finally:
        admin.close()
    assert stop.by == "dr.jones" and stop.by_name == "Dr Alice Jones"  # the login stays the record
    assert re.fullmatch(r"Stopped \d{4}-\d\d-\d\d \d\d:\d\d by Dr Alice Jones: side effects", stop.line)
    assert re.fullmatch(r"Resolved \d{4}-\d\d-\d\d \d\d:\d\d by Dr Alice Jones", resolve.line)
    assert "dr.jones" not in stop.line + resolve.line


def test_a_login_whose_account_is_gone_is_shown_and_marked(store: Store, tmp_path: Path) -> None:
    pid, med, _problem = _stop_as_jones(store, tmp_path)
    admin = Store.open(tmp_path / "test.db", "admin", PASSWORD)
    try:
        with admin.transaction() as conn:  # no command removes an account; a restored copy may lack it
            conn.execute("DELETE FROM users WHERE name = ?", (JONES[0],))
        (stop,) = svc.status_history(admin, pid, med)
    finally:
        admin.close()
    assert stop.by_name == "dr.jones (account no longer exists)"
    assert stop.line.endswith("by dr.jones (account no longer exists): side effects")


def test_an_account_without_a_display_name_is_named_by_its_login(store: Store) -> None:
    import_files(store, [ARTHUR], workers=1)
    pid = store.patients.list()[0].id
    med = next(m for m in store.patients.load_record(pid, audit=False).medications if m.is_active)
    svc.stop_medication(store, pid, med.ref, "rash")
    (stop,) = svc.status_history(store, pid, med.ref)
    assert stop.by_name == "admin" and stop.line.endswith("by admin: rash")
    assert store.accounts.shown_names(["admin", "nobody"]) == {"admin": "admin"}
