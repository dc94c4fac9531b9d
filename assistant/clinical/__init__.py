"""Deterministic clinical engine: calculators, flags, medication safety, care gaps."""
