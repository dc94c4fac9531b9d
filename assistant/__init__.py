"""Clinician Assistant: offline clinical records, summaries, risk flags and care plans."""

__version__ = "0.1.0"
