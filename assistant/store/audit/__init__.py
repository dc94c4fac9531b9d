"""Tamper-evident audit log: hash-linked rows, each signed by its author, with the head witnessed outside."""

from __future__ import annotations

from .chain import GENESIS, AuditCheck, AuditEvent
from .log import AuditLog
from .witness import WitnessConfig

__all__ = ["GENESIS", "AuditCheck", "AuditEvent", "AuditLog", "WitnessConfig"]
