"""Events the chart records after a result (a dose already changed, ECG changes), found in notes and newer orders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from assistant.clinical.extract.chart import Chart, as_utc
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_toml

ELIGIBILITY = "careplan_eligibility.toml"
_SENTENCE_END = re.compile(r"[.;\n]")


@dataclass(frozen=True)
class NoteEvent:
    """A note (or a newer order of one of `drugs`) at or after the newest `after` value within `days`."""

    id: str
    after: str  # analyte (loinc_map.csv) whose newest value the event must follow
    days: int
    terms: tuple[str, ...]
    negations: tuple[str, ...]
    drugs: tuple[str, ...]
    source: str


@derived_table
def note_events() -> dict[str, NoteEvent]:
    out = {}
    for raw in read_toml(ELIGIBILITY).get("note_event", ()):
        if not raw.get("id") or not raw.get("source") or not raw.get("terms"):
            raise KnowledgeError(f"{ELIGIBILITY}: note_event {raw.get('id', '?')} needs an id, terms and a source")
        out[raw["id"]] = NoteEvent(raw["id"], raw["after"], int(raw["days"]),
                                   tuple(t.lower() for t in raw["terms"]),
                                   tuple(n.lower() for n in raw.get("negations", ())),
                                   tuple(raw.get("drugs", ())), raw["source"])
    return out


def _mentions(text: str, ev: NoteEvent) -> bool:
    """A term in the text that its own clause does not negate ("no peaked T waves")."""
    low = text.lower()
    for term in ev.terms:
        for m in re.finditer(re.escape(term), low):
            clause = _SENTENCE_END.split(low[:m.start()])[-1]
            if not any(re.search(rf"\b{re.escape(n)}\b", clause) for n in ev.negations):
                return True
    return False


def event_time(chart: Chart, key: str) -> datetime | None:
    """When the chart first records the event after the newest result it follows, or None."""
    ev = note_events().get(key)
    if ev is None:
        raise KnowledgeError(f"{ELIGIBILITY}: unknown note_event {key!r}")
    result = chart.latest(ev.after, ev.days)
    if result is None:
        return None
    since = as_utc(result.when)
    hits = [as_utc(n.date) for n in chart.record.notes
            if n.date is not None and n.status != "entered-in-error" and since <= as_utc(n.date) <= as_utc(chart.as_of)
            and _mentions(f"{n.title}\n{n.text}", ev)]
    hits += [as_utc(m.med.start) for m in chart.meds if m.med.start is not None
             and any(m.has(d) for d in ev.drugs) and since < as_utc(m.med.start)]
    return min(hits) if hits else None
