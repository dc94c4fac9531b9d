"""Reliability stress campaigns (`make stress`): kill -9, fuzzed import, absurd values, WAL, restore, audit tamper."""
