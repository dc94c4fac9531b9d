"""Documents name their authors by display name for readers, while the stored login stays the record."""

from __future__ import annotations

from pathlib import Path

from assistant.store.access import visible_accounts
from assistant.store.database import Store
from support import FAST_KDF, PASSWORD


def test_a_clinician_sees_the_display_names_of_a_documents_authors_only(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    admin, _ = Store.create(path, "admin", PASSWORD, display_name="Dr Admin", kdf=FAST_KDF)
    admin.accounts.add("lee", "lee-password-123", display_name="Dr Ann Lee")
    admin.accounts.add("kim", "kim-password-123", display_name="Dr Bo Kim")
    pid = "p-1"
    made = admin.documents.save(pid, "careplan", {"title": "Plan"})
    assert made.created_by == "admin" and made.by == "Dr Admin"
    admin.close()
    lee = Store.open(path, "lee", "lee-password-123")
    signed = lee.documents.sign(made.id)
    assert signed.signed_by == "lee" and signed.signed_by_name == "Dr Ann Lee" and signed.by == "Dr Ann Lee"
    listed = lee.documents.list(pid, "careplan")
    assert [(d.created_by_name, d.by) for d in listed] == [("Dr Admin", "Dr Ann Lee")]
    # Not a way round the account policy: kim wrote nothing, and the clinician still lists only herself.
    assert "Dr Bo Kim" not in repr(listed) and [a.name for a in visible_accounts(lee)] == ["lee"]
    lee.close()
