"""HTML for one record entry, every field with a value, for the detail panes (no Qt)."""

from __future__ import annotations

import dataclasses
from html import escape
from typing import Any

from assistant.clinical.values import observation_value
from assistant.records.domain import Coding, Component, Entry, Identifier, Note, Observation

from .formatting import plain

_SKIP = {"id", "patient_id"}
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
        return "<br>".join(f"{escape(c.code.display or c.code.code)}: "
                           f"{escape(plain(c.value))} {escape(c.unit)}{escape(c.value_text)}"
                           for c in value)
    if isinstance(value, tuple) and value and isinstance(value[0], Identifier):
        return "<br>".join(f"{escape(i.value)} <span class='muted'>({escape(i.type_code or i.system)})</span>"
                           for i in value)
    if isinstance(value, tuple) and value and hasattr(value[0], "system"):
        return "<br>".join(_coding(v) for v in value)
    return escape(plain(value))


def entry_html(entry: Entry, heading: str = "") -> str:
    """A two-column table of the entry's fields; notes show their full text."""
    rows: list[str] = []
    if isinstance(entry, Observation):
        rows.append(f"<tr><th>Result</th><td><b>{escape(observation_value(entry))}</b></td></tr>")
    for f in dataclasses.fields(entry):
        if f.name in _SKIP or f.name.startswith("_") or (isinstance(entry, Note) and f.name == "text"):
            continue
        value = getattr(entry, f.name)
        if value is None or value == "" or value == () or value is False:
            continue
        if hasattr(value, "system") and not (value.display or value.code):
            continue
        rows.append(f"<tr><th>{escape(_label(f.name))}</th><td>{_value_html(value)}</td></tr>")
    rows.append(f"<tr><th>Record entry</th><td class='muted'>{escape(entry.ref)}</td></tr>")
    title = heading or _KIND.get(entry.resource_type, entry.resource_type)
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


def entry_label(entry: Entry | None, ref: str = "") -> str:
    """One line naming an entry, for citation lists and flag evidence: 'HbA1c 7.2 % (2023-04-01)'."""
    if entry is None:
        if ref.startswith("Patient/"):
            return "Patient details (age, sex)"
        return f"{ref} (not in this record)"
    from .formatting import fmt_date

    when = fmt_date(entry.when)
    if isinstance(entry, Observation):
        text = f"{entry.name} {observation_value(entry)}"
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
        text = f"{_KIND.get(entry.resource_type, entry.resource_type)}: {name or entry.id}"
    return f"{text} ({when})" if when else text


_KIND = {"Condition": "Problem", "MedicationRequest": "Medication", "AllergyIntolerance": "Allergy",
         "Encounter": "Encounter", "Procedure": "Procedure", "Immunization": "Immunization",
         "Goal": "Goal", "CarePlan": "Care plan", "Observation": "Result", "DocumentReference": "Note",
         "Patient": "Patient"}
