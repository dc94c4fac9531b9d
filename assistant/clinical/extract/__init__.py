"""From the record to calculator inputs: LOINC / SNOMED / ICD-10 / RxNorm mappings kept as data."""

from __future__ import annotations

from .chart import Chart, Measurement, as_utc, fmt, upper_first
from .codes import Analyte, analyte, analytes, concept_index, concept_names
from .drugs import ResolvedMed, class_label, ingredients, ingredients_in_text, key_label, resolve
from .inputs import Extraction, describe_missing, extract_from_chart, extract_inputs, rule_for

__all__ = [
    "Analyte", "Chart", "Extraction", "Measurement", "ResolvedMed", "analyte", "analytes", "as_utc",
    "class_label", "concept_index", "concept_names", "describe_missing", "extract_from_chart",
    "extract_inputs", "fmt", "ingredients", "ingredients_in_text", "key_label", "resolve", "rule_for",
    "upper_first",
]
