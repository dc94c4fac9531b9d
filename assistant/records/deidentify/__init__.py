"""HIPAA Safe Harbor de-identification of a patient record (pure functions: no store, no files written)."""

from __future__ import annotations

from assistant.records.deidentify.bundle import deidentified_bundle
from assistant.records.deidentify.report import DeidReport
from assistant.records.deidentify.transform import Deidentified, Deidentifier

__all__ = ["DeidReport", "Deidentified", "Deidentifier", "deidentified_bundle"]
