"""Read FHIR R4 files (Bundles, single resources, NDJSON) into validated resources, naming file and entry on error."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.errors import BadInputError
from assistant.json_types import JSONObject

# Types we map into the record; each is validated with fhir.resources before mapping.
MAPPED_TYPES = frozenset({
    "Patient", "Condition", "MedicationRequest", "MedicationStatement", "AllergyIntolerance",
    "Observation", "Encounter", "Procedure", "Immunization", "DocumentReference", "Goal", "CarePlan",
})
# Types read only to resolve names and codes behind references (never stored on their own).
CONTEXT_TYPES = frozenset({"Organization", "Practitioner", "Medication"})
# Billing resources: large, never shown to a clinician; counted but neither validated nor stored.
SKIPPED_TYPES = frozenset({"Claim", "ExplanationOfBenefit"})
FHIR_SUFFIXES = (".json", ".ndjson", ".jsonl")
# Bounds checked before parsing. Python's JSON reader and the FHIR models recurse once per level and
# int() refuses more than 4,300 digits: past these a file crashed the import with a traceback that
# named no file. Real charts stay far inside them (Synthea bundles: depth 12, 1.6 MB, numbers of a
# few digits; FHIR decimals carry at most 18).
MAX_DEPTH = 64
MAX_NUMBER_DIGITS = 64
MAX_FILE_BYTES = 512 * 1024 * 1024
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_INNERMOST = re.compile(r"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")
_LONG_NUMBER = re.compile(rf"\d{{{MAX_NUMBER_DIGITS + 1},}}")


@dataclass
class RawResource:
    """One resource as found in a file: its position (for error messages) and its JSON."""

    index: int
    full_url: str
    data: JSONObject

    @property
    def resource_type(self) -> str:
        return str(self.data.get("resourceType", ""))


@dataclass
class RawFile:
    path: Path
    resources: list[RawResource] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def _fail(path: Path, where: str, why: str) -> BadInputError:
    return BadInputError(f"{path}: {where}: {why}")


def _check_bounds(path: Path, text: str, where: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and numbers longer than MAX_NUMBER_DIGITS before the
    parser sees them. Works on the text with strings blanked, peeling the innermost brackets one
    level per pass (each pass in C), so a chart of depth 12 costs 12 quick passes."""
    bare = _STRING.sub('""', text)
    number = _LONG_NUMBER.search(bare)
    if number:
        raise _fail(path, where, f"a number with more than {MAX_NUMBER_DIGITS} digits; no FHIR value "
                                 "is that long: the file is damaged or not a clinical record")
    for _ in range(MAX_DEPTH):
        bare, peeled = _INNERMOST.subn("", bare)
        if not peeled:
            return
    if _INNERMOST.search(bare):
        raise _fail(path, where, f"nested more than {MAX_DEPTH} levels deep; no FHIR resource is: the "
                                 "file is damaged or not a clinical record")


def _load_json(path: Path, text: str, where: str) -> Any:
    _check_bounds(path, text, where)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise _fail(path, where, f"invalid JSON ({e.msg} at line {e.lineno} column {e.colno}); "
                                 "the file may be truncated or not FHIR JSON") from None


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _fail(path, f"byte {e.start}", "not UTF-8 text; FHIR JSON must be UTF-8") from None


def read_file(path: Path) -> RawFile:
    """Read one .json or .ndjson file; raise BadInputError naming the file and entry on any defect."""
    raw = RawFile(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(path, "file", f"{size / 2**20:.0f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
                                      "one file may hold; split it (NDJSON, one resource per line)")
        text = _decode(path, path.read_bytes())
    except OSError as e:
        raise BadInputError(f"{path}: cannot read ({e.strerror})") from None
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        for lineno, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                data = _load_json(path, line, f"line {lineno}")
                _add(raw, lineno - 1, "", data, f"line {lineno}")
        return raw
    doc = _load_json(path, text, "file")
    if not isinstance(doc, dict) or "resourceType" not in doc:
        raise _fail(path, "file", "not a FHIR resource (no resourceType)")
    if doc["resourceType"] == "Bundle":
        entries = doc.get("entry") or []
        if not isinstance(entries, list):
            raise _fail(path, "Bundle.entry", "must be a list")
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
                raise _fail(path, f"entry {i}", "has no resource")
            _add(raw, i, str(entry.get("fullUrl", "")), entry["resource"], f"entry {i}")
    else:
        _add(raw, 0, "", doc, "resource")
    return raw


def _add(raw: RawFile, index: int, full_url: str, data: Any, where: str) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise _fail(raw.path, where, "not a FHIR resource (no resourceType)")
    rtype = data["resourceType"]
    if not is_fhir_type(rtype):
        raise _fail(raw.path, where, f"resourceType {rtype!r} is not a FHIR R4 resource type")
    if rtype == "Bundle":  # a Bundle inside NDJSON or a nested bundle: flatten it
        for j, e in enumerate(data.get("entry") or []):
            if isinstance(e, dict) and isinstance(e.get("resource"), dict):
                _add(raw, index, str(e.get("fullUrl", "")), e["resource"], f"{where} entry {j}")
        return
    raw.counts[rtype] += 1
    if rtype in SKIPPED_TYPES:
        return
    raw.resources.append(RawResource(index, full_url, data))


@lru_cache(maxsize=512)
def is_fhir_type(name: str) -> bool:
    """True for any FHIR resource type (mapped or not); a misspelt type makes the file malformed."""
    from fhir.resources.R4B import get_fhir_model_class

    try:
        get_fhir_model_class(name)
    except (KeyError, ValueError, ImportError, AttributeError):
        return False
    return True


def iter_fhir_files(paths: list[Path]) -> Iterator[Path]:
    """Expand folders into their FHIR files (sorted, recursive); files are yielded as given."""
    for p in paths:
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in FHIR_SUFFIXES)
        elif p.exists():
            yield p
        else:
            raise BadInputError(f"{p}: no such file or folder")
