"""JSON as Python types: what `json.dumps` writes and `json.loads` returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

# Read-only containers, so that a dict[str, str] or a list of them is JSON too (dict and list are
# invariant in their values); a function that builds an object returns a JSONObject.
JSON: TypeAlias = "str | int | float | bool | None | Sequence[JSON] | Mapping[str, JSON]"
JSONObject: TypeAlias = "dict[str, JSON]"
