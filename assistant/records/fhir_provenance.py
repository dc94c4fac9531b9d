"""FHIR Provenance for entries made in the app: who entered each and when, and what it supersedes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from assistant.json_types import JSONObject

from .domain import Entry
from .fhir_values import Context, dt

_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"


def provenance(e: Entry, url: Callable[[str, str], str]) -> JSONObject | None:
    """One Provenance naming the author of an entry made in the app (None for an entry without one).

    The superseded entry is an entity with role 'revision': FHIR's way of saying this version
    replaces that one (the old one stays, entered-in-error or stopped)."""
    if not e.recorded_by or e.recorded_at is None:
        return None
    out: JSONObject = {
        "resourceType": "Provenance", "id": f"prov-{e.id}"[:64],
        "target": [{"reference": url(e.resource_type, e.id)}],
        "recorded": e.recorded_at.isoformat(),
        "activity": {"coding": [{"system": _OPERATION, "code": "UPDATE" if e.supersedes else "CREATE"}]},
        "agent": [{"type": {"coding": [{"system": _PARTICIPATION, "code": "author"}]},
                   "who": {"display": e.recorded_by}}],
    }
    if e.supersedes:
        rtype, _, rid = e.supersedes.partition("/")
        out["entity"] = [{"role": "revision", "what": {"reference": url(rtype, rid)}}]
    return out


def apply_provenance(entries: Sequence[Entry], resources: Sequence[dict[str, Any]], ctx: Context) -> list[Entry]:
    """Entries with the author, time and superseded entry their Provenance names.

    Only a Provenance about one entry is read as its authorship: a source system's bundle-wide
    Provenance (Synthea writes one targeting every resource of a file) says who sent the file,
    not who entered each entry."""
    by_ref: dict[str, tuple[str, Any, str]] = {}
    for data in resources:
        targets = data.get("target") or []
        agents = data.get("agent") or []
        if len(targets) != 1 or not isinstance(targets[0], dict) or not agents:
            continue
        who = agents[0].get("who") if isinstance(agents[0], dict) else None
        author = who.get("display") if isinstance(who, dict) else None
        if not isinstance(author, str) or not author.strip():
            continue
        rtype, rid = ctx.resolve(targets[0].get("reference"))
        supersedes = ""
        for entity in data.get("entity") or []:
            if isinstance(entity, dict) and entity.get("role") == "revision":
                what = entity.get("what")
                etype, eid = ctx.resolve(what.get("reference") if isinstance(what, dict) else None)
                supersedes = f"{etype}/{eid}" if etype and eid else ""
        by_ref[f"{rtype}/{rid}"] = (author.strip(), data.get("recorded"), supersedes)
    if not by_ref:
        return list(entries)
    out: list[Entry] = []
    for e in entries:
        found = by_ref.get(e.ref)
        if found is None and e.resource_type == "MedicationRequest":
            found = by_ref.get(f"MedicationStatement/{e.id}")
        if found is None:
            out.append(e)
            continue
        author, recorded, supersedes = found
        out.append(replace(e, recorded_by=author, recorded_at=dt(recorded) if isinstance(recorded, str) else None,
                           supersedes=supersedes))
    return out
