"""Admin-only controls: enabled for an admin account; for anyone else disabled, with a tooltip saying why."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget


def is_admin(account: object) -> bool:
    """True for a signed-in admin account (`store.types.Account.is_admin`); False when signed out."""
    return bool(getattr(account, "is_admin", False))


def gate(control: QAction | QWidget, account: object, what: str, on: bool = True) -> None:
    """Enable `control` only for an admin (and only while `on`); say why when it is not.

    The store checks the role again (`Store.require_admin`): this only keeps a clinician from a
    button that would refuse them.
    """
    admin = is_admin(account)
    control.setEnabled(on and admin)
    control.setToolTip(what if admin else f"{what} (administrators only: sign in with an admin account)")
