"""Who may see the account list and the audit log: the access policy of docs/ACCESS.md in one place.

HIPAA's access-control standard (45 CFR 164.312(a)(1)) and the minimum-necessary rule
(164.502(b)) give each person only what their job needs; the audit-control standard (164.312(b))
and information-system activity review (164.308(a)(1)(ii)(D)) make reviewing the whole trail a job
of its own. So administrators, who do that review and manage accounts, see every account and every
audit row; a clinician sees only their own account and their own audit rows (what they did), not
who else looked at which chart, and not the list of everyone's accounts.
"""

from __future__ import annotations

from .audit import AuditEvent
from .database import Store
from .types import Account

OWN_ROWS_NOTE = "showing your own audit events only; the whole log is for administrators"


def may_review_all(store: Store) -> bool:
    """Administrators (and the recovery key, which acts as one) review all accounts and events."""
    return store.via_recovery or store.account.is_admin


def visible_accounts(store: Store) -> list[Account]:
    """Every account for an administrator; a clinician's own account only."""
    accounts = store.accounts.list()
    if may_review_all(store):
        return accounts
    return [a for a in accounts if a.name == store.account.name]


def visible_events(store: Store, patient_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
    """The newest audit events this account may see: all for an administrator, one's own otherwise.
    Looking at the log is itself recorded."""
    own = None if may_review_all(store) else store.account.name
    events = store.audit.events(patient_id, limit=limit, user=own)
    store.audit.record("audit.show", patient_id or "", "all" if may_review_all(store) else "own")
    return events
