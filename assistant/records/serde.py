"""Plain-JSON (de)serialisation of the record dataclasses, for the store and `--json` output."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from assistant.json_types import JSON, JSONObject
from assistant.records.domain import ENTRY_TYPE_BY_NAME, Entry, Patient

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


@overload
def to_jsonable(obj: DataclassInstance) -> JSONObject: ...
@overload
def to_jsonable(obj: date) -> str: ...
@overload
def to_jsonable(obj: object) -> JSON: ...



def to_jsonable(obj: object) -> JSON:
    """Dataclasses to dicts (omitting empty values to keep rows small), dates to ISO strings."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: JSONObject = {}
        for f in dataclasses.fields(obj):
            if f.name.startswith("_"):
                continue
            v = getattr(obj, f.name)
            if v is None or v == "" or v == () or v is False:
                continue
            out[f.name] = to_jsonable(v)
        return out
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, tuple | list):
        return [to_jsonable(v) for v in obj]
    return cast(JSON, obj)  # text, numbers, booleans: JSON as they are


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], value) if len(args) == 1 else value
    if origin is tuple:
        (inner, *_rest) = typing.get_args(tp)
        return tuple(_convert(inner, v) for v in value)
    if tp is datetime:
        dt = datetime.fromisoformat(value)
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    if tp is date:
        return date.fromisoformat(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return from_jsonable(tp, value)
    if tp is float and isinstance(value, int):
        return float(value)
    return value


def from_jsonable(cls: type[T], data: JSONObject) -> T:
    """Inverse of `to_jsonable` for one dataclass type."""
    hints = _hints(cls)
    kwargs = {k: _convert(hints[k], v) for k, v in data.items() if k in hints}
    return cls(**kwargs)


def entry_from_row(resource_type: str, data: JSONObject) -> Entry:
    return from_jsonable(ENTRY_TYPE_BY_NAME[resource_type], data)


def patient_from_row(data: JSONObject) -> Patient:
    return from_jsonable(Patient, data)
