"""Medication safety: interactions, allergies, drug-disease and renal cautions, duplicate therapy."""

from __future__ import annotations

from functools import partial

from assistant.clinical.extract import Chart
from assistant.clinical.rules.base import Flag
from assistant.clinical.rules.guard import guarded

from .allergies import allergy_flags
from .cautions import drug_disease_flags, duplicate_flags, renal_flags
from .interactions import ddi_flags, find, interaction_index
from .monitoring import monitoring_flags
from .older_adults import older_adult_flags


def medication_flags(chart: Chart) -> list[Flag]:
    """Every medication-safety flag for the chart's active medications (unsorted, may repeat ids)."""
    rules = (ddi_flags, allergy_flags, drug_disease_flags, renal_flags, duplicate_flags,
             older_adult_flags, monitoring_flags)
    return [f for rule in rules
            for f in guarded("medication", partial(rule, chart), rule.__name__)]


__all__ = ["allergy_flags", "ddi_flags", "drug_disease_flags", "duplicate_flags", "find",
           "interaction_index", "medication_flags", "monitoring_flags", "older_adult_flags", "renal_flags"]
