"""Deployment operations for IT: `assistant doctor`, `assistant model install|list`."""
