"""HTML for one record entry, every field with a value, for the detail panes (no Qt)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from html import escape
from typing import Any

from assistant.clinical.display_names import component_name, observation_name
from assistant.clinical.values import format_value, observation_value
from assistant.records.domain import Coding, Component, Entry, Identifier, Note, Observation

from .formatting import obs_range, plain

# A look-up of another entry by its reference (PatientRecord.entry), to name what an entry points at.
Resolve = Callable[[str], "Entry | None"]

_SKIP = {"id", "patient_id", "reference_low", "reference_high", "unit"}
_REFS = {"reason_refs", "encounter_id"}  # ids a person cannot read: shown as the entries' names
_LABELS = {"code": "Code", "codes": "All codes", "clinical_status": "Clinical status",
           "verification_status": "Verification", "dose_text": "Dose", "reference_low": "Reference low",
           "reference_high": "Reference high", "value_text": "Value (text)", "encounter_id": "Encounter",
           "reason_refs": "Reasons", "type_code": "Type code", "class_code": "Class"}


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def _coding(value: Any) -> str:
    parts = [value.display, value.code]
    system = value.system.rsplit("/", 1)[-1] if value.system else ""
    text = escape(parts[0] or parts[1])
    if parts[0] and parts[1]:
        text += f" <span class='muted'>({escape(system)} {escape(parts[1])})</span>"
    return text


def _value_html(value: Any) -> str:
    if hasattr(value, "system") and hasattr(value, "display"):
        return _coding(value)
    if isinstance(value, tuple) and value and isinstance(value[0], Component):
        return "<br>".join(f"{escape(component_name(c))}: "
                           + escape(format_value(c.value, c.unit, c.code.code) if c.value is not None
                                    else c.value_text)
                           for c in value)
    if isinstance(value, tuple) and value and isinstance(value[0], Identifier):
        return "<br>".join(f"{escape(i.value)} <span class='muted'>({escape(i.type_code or i.system)})</span>"
                           for i in value)
    if isinstance(value, tuple) and value and hasattr(value[0], "system"):
        return "<br>".join(_coding(v) for v in value)
    return escape(plain(value))


def _refs_html(value: str | tuple[str, ...], resolve: Resolve | None) -> str:
    """The entries an entry points at, by name ('Hypertension (2019-03-02)'); never a bare id."""
    refs = (value,) if isinstance(value, str) else value
    names = []
    for ref in refs:
        target = resolve(ref) if resolve is not None else None
        names.append(entry_label(target, ref, kind=False) if target is not None else "not in this record")
    return "<br>".join(escape(n) for n in dict.fromkeys(names))


def entry_html(entry: Entry, heading: str = "", resolve: Resolve | None = None) -> str:
    """A two-column table of the entry's fields; notes show their full text."""
    rows: list[str] = []
    if isinstance(entry, Observation):
        rows.append(f"<tr><th>Result</th><td><b>{escape(observation_value(entry))}</b></td></tr>")
        rng = obs_range(entry.reference_low, entry.reference_high, entry.unit, entry.code.code)
        if rng:
            rows.append(f"<tr><th>Reference range</th><td>{escape(rng)}</td></tr>")
    for f in dataclasses.fields(entry):
        if f.name in _SKIP or f.name.startswith("_") or (isinstance(entry, Note) and f.name == "text"):
            continue
        value = getattr(entry, f.name)
        if value is None or value == "" or value == () or value is False:
            continue
        if hasattr(value, "system") and not (value.display or value.code):
            continue
        shown = _refs_html(value, resolve) if f.name in _REFS else _value_html(value)
        rows.append(f"<tr><th>{escape(_label(f.name))}</th><td>{shown}</td></tr>")
    title = heading or (observation_name(entry) if isinstance(entry, Observation)
                        else _KIND.get(entry.resource_type, entry.resource_type))
    body = f"<h3>{escape(title)}</h3><table class='detail'>{''.join(rows)}</table>"
    if isinstance(entry, Note):
        text = escape(entry.text).replace("\n", "<br>")
        body += f"<hr><div class='note'>{text}</div>"
    return body


DETAIL_CSS = """
h3 { margin: 0 0 6px 0; font-size: 11pt; }
table.detail th { text-align: left; color: #475467; font-weight: normal; padding: 2px 12px 2px 0; }
table.detail td { padding: 2px 0; }
.muted { color: #6b7280; }
.note { white-space: pre-wrap; }
"""


def entry_label(entry: Entry | None, ref: str = "", kind: bool = True) -> str:
    """One line naming an entry, for citation lists and flag evidence: 'HbA1c 7.2 % (2023-04-01)'."""
    if entry is None:
        if ref.startswith("Patient/"):
            return "Patient details (age, sex)"
        return f"{ref} (not in this record)"
    from .formatting import fmt_date

    when = fmt_date(entry.when)
    if isinstance(entry, Observation):
        text = f"{observation_name(entry)} {observation_value(entry)}"
    elif isinstance(entry, Note):
        text = entry.title or entry.note_type or "Note"
    else:
        name = ""
        for attr in ("display", "name", "substance", "title", "description"):
            value = getattr(entry, attr, "")
            if isinstance(value, str) and value:
                name = value
                break
        if not name:
            for attr in ("code", "type"):
                c = getattr(entry, attr, None)
                if isinstance(c, Coding) and c.display:
                    name = c.display
                    break
        name = name or "unnamed entry"
        text = f"{_KIND.get(entry.resource_type, entry.resource_type)}: {name}" if kind else name
    return f"{text} ({when})" if when else text


_KIND = {"Condition": "Problem", "MedicationRequest": "Medication", "AllergyIntolerance": "Allergy",
         "Encounter": "Encounter", "Procedure": "Procedure", "Immunization": "Immunization",
         "Goal": "Goal", "CarePlan": "Care plan", "Observation": "Result", "DocumentReference": "Note",
         "Patient": "Patient"}
