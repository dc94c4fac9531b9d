"""Salient sentences of the most recent clinical notes, as fact-sheet lines."""

from __future__ import annotations

import re
from datetime import datetime

from assistant.records.record import PatientRecord

from .fact_lines import Line, clip, day

P_NOTE = 62
P_NOTE_OLDER = 45


_SALIENT = re.compile(r"assessment|impression|plan\b|diagnos|start|stop|hold\b|increase|decrease|"
                      r"discontinu|allerg|follow[- ]?up|refer|admit|discharg|worse|improv|new\b|"
                      r"complain|critical|urgent|escalat|not (yet )?(done|asked|changed)|chest pain|"
                      r"dyspn|breathless|fall|bleed|fever|confus|sepsis", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    """Sentences of a note: wrapped lines of a paragraph joined, then split at sentence ends."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in para.splitlines() if ln.strip()]
        joined: list[str] = []
        for ln in lines:
            # A bullet or a 'Label:' line starts a new statement; any other line continues one.
            if joined and not re.match(r"^([-*\u2022]|\d+[.)]|[A-Z][A-Za-z /&]{1,25}:)", ln):
                joined[-1] += " " + ln
            else:
                joined.append(ln.lstrip("-*\u2022 "))
        for block in joined:
            out += [p.strip() for p in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", block) if p.strip()]
    return out


def _is_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return ":" not in text and bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.6


def note_lines(text: str, limit: int) -> list[str]:
    """The most informative sentences of a note, in their original order, each at most 220 chars."""
    pieces = [p for p in _sentences(text) if len(p) > 12 and not _is_heading(p)]
    scored = [(len(_SALIENT.findall(p)), i, p) for i, p in enumerate(pieces)]
    best = sorted(scored, key=lambda s: (-s[0], s[1]))[:limit]
    return [clip(p, 220) for _, _, p in sorted(best, key=lambda s: s[1])]


def notes(record: PatientRecord, anchor: datetime) -> list[Line]:
    out: list[Line] = []
    current = [n for n in record.notes if n.status != "entered-in-error" and n.text.strip()]
    for rank, n in enumerate(current[:2]):
        title = n.title or n.note_type or "note"
        for i, line in enumerate(note_lines(n.text, 3 if rank == 0 else 2)):
            prio = (P_NOTE if rank == 0 else P_NOTE_OLDER) - i
            header = f"Note {day(n.date)} ({title})"
            out.append(("note", f"{header}: {line}", (n.ref,), prio, {"header": header, "line": line}))
    return out
