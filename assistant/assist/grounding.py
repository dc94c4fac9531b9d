"""Grounding and binding: every word and value of a sentence is in the cited lines, beside its item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .lexicon import Token, has, tokens, unit_words, values, words

# A value right after one of these words is that word's ('type 2', 'stage 3', 'GOLD 3').
_QUALIFIERS = {"type", "stage", "class", "grade", "gold", "nyha"}


@dataclass(frozen=True)
class Line:
    """A cited fact line: its id, its tokens, and its units (token groups a value belongs to)."""

    id: str
    text: str
    toks: tuple[Token, ...]
    units: tuple[tuple[Token, ...], ...]
    # A medication's strength and its dosing instructions apart (each with the drug's name): the
    # pieces a dose written beside a schedule is looked up in. Other lines: their units.
    doses: tuple[tuple[Token, ...], ...] = ()


def _split(toks: Sequence[Token], seps: tuple[str, ...]) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for t in toks:
        if t.kind == "sep" and t.key in seps:
            out.append([])
        else:
            out[-1].append(t)
    return [u for u in out if u]


def fact_line(fact_id: str, text: str) -> Line:
    """A fact line and its units. A value belongs to the unit it is written in: a lab line splits at
    ',' and ';' (the newest value, the range, each earlier value with its own date); a medication,
    procedure, encounter or risk flag is one item (its doses and dates belong to the whole entry),
    but a medication's trailing '; for REASON' is apart (the start date is not the reason's); a
    note's own date belongs to its header, not to what the note says happened."""
    toks = tokens(text)
    head = toks[0].key if toks else ""
    doses: list[list[Token]] = []
    if head in ("medication", "procedure", "encounter", "risk"):
        units = [list(toks)]
        if head == "medication":
            for i in range(len(toks) - 1, 0, -1):
                if toks[i].key == "for" and toks[i - 1].kind == "sep" and toks[i - 1].key == ";":
                    units = [list(toks[:i - 1]), list(toks[i:])]
                    break
            doses = _doses(units[0])
    elif head == "note":
        colon = next((i for i, t in enumerate(toks) if t.kind == "sep" and t.key == ":"), len(toks))
        units = [list(toks[:colon]), *_split(toks[colon + 1:], (",", ";", "."))]
    else:
        # A lab line names its analyte once: 'Potassium 6.1 (d1), high; earlier 5.3 (d2)'. Each
        # earlier value is still the analyte's, so the name joins every unit.
        units = _split(toks, (",", ";"))
        name = [t for t in units[0][:next((i for i, t in enumerate(units[0]) if t.kind != "word"),
                                          len(units[0]))]] if units else []
        units = units[:1] + [name + u for u in units[1:]]
    kept = tuple(tuple(u) for u in units if u)
    return Line(fact_id, text, toks, kept, tuple(tuple(d) for d in doses if d) or kept)


def _doses(entry: Sequence[Token]) -> list[list[Token]]:
    """'Medication: Metformin 500 mg Oral Tablet; 1000 mg twice daily (since ...)' -> the strength
    part and the instructions, the latter led by the name (the words before the first value)."""
    cut = next((i for i, t in enumerate(entry) if t.kind == "sep" and t.key == ";"), None)
    if cut is None:
        return [list(entry)]
    first = next((i for i, t in enumerate(entry) if t.kind != "word"), len(entry))
    return [list(entry[:cut]), [*entry[:first], *entry[cut + 1:]]]


def content(toks: Sequence[Token]) -> list[Token]:
    return [t for t in toks if t.kind != "sep"]


def ungrounded(sentence: Sequence[Token], lines: Sequence[Line]) -> list[str]:
    """Words and values of the sentence that no cited line has (connectives aside)."""
    w = words()
    pool = [t for line in lines for t in line.toks]
    keys = {t.key for t in pool if t.kind == "word"}
    out: list[str] = []
    for t in content(sentence):
        if t.kind == "word":
            if t.key not in keys and t.key not in w.connectives:
                out.append(t.text)
        elif not has(pool, t):
            out.append(t.text)
    return list(dict.fromkeys(out))


def _item(segment: Sequence[Token]) -> Token | None:
    w = words()
    return next((t for t in segment if t.kind == "word" and not w.not_item(t.key)), None)


def unbound(sentence: Sequence[Token], lines: Sequence[Line]) -> list[str]:
    """Values written beside an item that no cited line gives to that item (rule 3). A clause of the
    sentence (split at , ; : . and 'and') is the item's neighbourhood; its first naming word is the
    item. A clause with only values ('4.8 (2026-08-04)') must find them together in one unit."""
    out: list[str] = []
    for segment in _split(sentence, (",", ";", ":", ".", "and")):
        vals = values(segment)
        if not vals:
            continue
        item = _item(segment)
        units = [u for line in lines for u in line.units]
        if item is None:
            if not any(all(has(u, v) for v in vals) for u in units):
                out.append(f"{' '.join(v.text for v in vals)} not stated together in one cited entry")
            continue
        # Values written together ('5.3 mmol/L (2026-11-18)') must be together in one unit.
        free = [v for at, v in enumerate(segment) if v.kind in ("number", "date") and not (
            at and segment[at - 1].kind == "word" and segment[at - 1].key in _QUALIFIERS)]
        if len(free) > 1 and not any(all(has(u, v) for v in free) for u in units):
            out.append(f"{' '.join(v.text for v in free)} not stated together in one cited entry")
        for at, v in enumerate(segment):
            if v.kind not in ("number", "date"):
                continue
            keys = {item.key}
            if at and segment[at - 1].kind == "word" and segment[at - 1].key in _QUALIFIERS:
                keys.add(segment[at - 1].key)
            if any(has(u, v) and any(t.key in keys for t in u) for u in units):
                continue
            owner = next((line for line in lines for u in line.units if has(u, v)), None)
            label = "date" if v.kind == "date" else "value"
            if owner is None:
                continue  # not in the record at all: reported as ungrounded
            out.append(f"{label} {v.text} belongs to {_name(owner)} ({owner.id}), not {item.text}")
    return list(dict.fromkeys(out))


def unscheduled(sentence: Sequence[Token], lines: Sequence[Line]) -> list[str]:
    """A dose written beside a schedule ('500 mg twice daily') must be the dose one cited line gives
    on that schedule, not the tablet strength of the same line (rule 3)."""
    sched = words().schedule
    out: list[str] = []
    for segment in _split(sentence, (",", ";", ":", ".", "and")):
        nums = [t for t in segment if t.kind == "number"]
        when = [t for t in segment if t.kind == "word" and t.key in sched]
        if not nums or not when:
            continue
        if any(all(has(piece, t) for t in (*nums, *when)) for line in lines for piece in line.doses):
            continue
        said = " ".join(t.text for t in segment if t in nums or t in when)
        out.append(f"{said}: not the dose and schedule of one cited entry")
    return list(dict.fromkeys(out))


def _name(line: Line) -> str:
    w = words()
    named = [t.text for t in line.toks if t.kind == "word" and t.key not in w.prefix][:3]
    return " ".join(named) or line.id


def unused(sentence: Sequence[Token], lines: Sequence[Line]) -> list[str]:
    """Cited lines the sentence takes nothing from but a date or a connective (padding, rule 3)."""
    w = words()
    informative = [t for t in content(sentence) if t.kind == "number" or (
        t.kind == "word" and t.key not in w.connectives and t.key not in w.prefix and t.key not in w.status
        and t.key not in w.links and t.key not in unit_words())]
    out = []
    for line in lines:
        if not any(has(line.toks, t) for t in informative):
            out.append(f"{line.id} is cited but not used")
    return out
