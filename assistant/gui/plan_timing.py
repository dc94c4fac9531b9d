"""Keep a plan item's text true to its timing fields: an edited interval or next-due date rewrites the words that state it."""

from __future__ import annotations

import re
from datetime import date, timedelta

# The drafter's words for a due state (assist/careplan/build.py), for the "(due soon)" after a date;
# a later date needs no word (and "up to date" would be false of a test never done).
DUE_WORDS = {"overdue": "overdue", "due-soon": "due soon"}
SOON_DAYS = 31  # the drafter calls a test "due soon" within a month of the plan's date

_ISO = r"\d{4}-\d{2}-\d{2}"
_NEXT_DUE = re.compile(rf"next due ({_ISO})(?: \([^)]*\))?", re.IGNORECASE)
# Other ways a drafted text states when a test is due; an edited date replaces them.
_DUE_PHRASES = (_NEXT_DUE, re.compile(rf"overdue \(last on {_ISO}[^)]*\)"), re.compile(r"due now"))
# An interval a clinician types that reads as a phrase of its own ("within 2 weeks", "every year").
_PHRASE_START = ("within", "in ", "every", "at ", "after", "before", "by ", "on ", "today", "now",
                 "yearly", "weekly", "monthly", "daily", "annually", "once", "twice")


def stated_due(text: str) -> str:
    """The next-due date the text states ("next due 2026-11-02"), or ''."""
    m = _NEXT_DUE.search(text)
    return m.group(1) if m else ""


def due_state(due: str, as_of: str) -> str:
    """overdue / due-soon / up-to-date of an ISO due date against the plan's date (today if none)."""
    try:
        when = date.fromisoformat(due)
    except ValueError:
        return ""
    try:
        ref = date.fromisoformat(as_of[:10]) if as_of else date.today()
    except ValueError:
        ref = date.today()
    if when < ref:
        return "overdue"
    return "due-soon" if when <= ref + timedelta(days=SOON_DAYS) else "up-to-date"


def redate(text: str, due: str, as_of: str) -> tuple[str, str]:
    """(text, state) with the due date set to `due`: the phrase that stated the old one is rewritten,
    or a sentence is added when the text stated none."""
    state = due_state(due, as_of)
    phrase = f"next due {due} ({DUE_WORDS[state]})" if state in DUE_WORDS else f"next due {due}"
    for pattern in _DUE_PHRASES:
        if pattern.search(text):
            return pattern.sub(phrase, text, count=1), state
    body = text.rstrip()
    sep = "" if not body else (" " if body.endswith((".", "!", "?")) else ". ")
    return f"{body}{sep}{phrase[0].upper()}{phrase[1:]}.", state


_SPAN = re.compile(r"^(?:every |in |within )?(\d+) ?(day|week|month|year)s?$", re.IGNORECASE)
_LAST = re.compile(rf"\bLast\b[^;]*? on ({_ISO})")
_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}  # the drafter's month is 30.44 days


def due_after(text: str, interval: str) -> str:
    """The next-due date a new interval gives from the last result the text states ("Last ... on
    2026-03-01"), for a plain interval ("every 3 months", "6 weeks"); '' when there is none to compute
    or the due date was set for another reason (an abnormal or critical last value)."""
    span = _SPAN.match(interval.strip())
    last = _LAST.search(text)
    if span is None or last is None or not stated_due(text) or re.search(r"abnormal|critical", text, re.I):
        return ""
    days = round(int(span.group(1)) * _DAYS[span.group(2).lower()])
    return (date.fromisoformat(last.group(1)) + timedelta(days=days)).isoformat()


def _as_phrase(interval: str) -> str:
    """How an interval reads after a verb: "1 week" -> "within 1 week", "every 3 months" as it is."""
    low = interval.strip().lower()
    if not low or low.startswith(_PHRASE_START) or not low[0].isdigit():
        return interval.strip()
    return f"within {interval.strip()}"


def retime(text: str, old: str, new: str) -> str:
    """The text with its statement of the interval `old` changed to `new`.

    The drafter writes an interval as it is ("Potassium: every 3 months.", "review in 6 months") or
    as "today"/"within 1 week" (contact the patient): the first occurrence is replaced, keeping the
    words around it grammatical. A text that states no interval gets one sentence saying it."""
    new = new.strip()
    old = old.strip()
    if old == new:
        return text
    if old:
        for lead in ("within ", "in "):  # "within 1 week" -> "today", "in 6 months" -> "in 3 months"
            found = re.search(rf"\b{lead}{re.escape(old)}\b", text, re.IGNORECASE)
            if found:
                repl = new if new.lower().startswith(_PHRASE_START) else f"{lead}{new}"
                return text[:found.start()] + repl + text[found.end():]
        pat = re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])", re.IGNORECASE)
        m = pat.search(text)
        if m:
            # "today" sits after a verb ("contact the patient today"); "every 3 months" after a colon.
            after_colon = text[:m.start()].rstrip().endswith(":")
            repl = new if after_colon or not new else _as_phrase(new)
            return text[:m.start()] + repl + text[m.end():]
    if not new:
        return text
    body = text.rstrip()
    sep = "" if not body else (" " if body.endswith((".", "!", "?")) else ". ")
    return f"{body}{sep}When: {new}."


_OP_WORDS = (("<=", "at or below"), (">=", "at least"), ("≤", "at or below"), ("≥", "at least"),
             ("<", "below"), (">", "above"))
_FIRST_CLAUSE = re.compile(r"^\s*(<=|>=|≤|≥|<|>)\s*([^,;]+?)\s*(?:[,;(]|$)")


def _plain(target: str) -> str:
    """The patient's words for a target's first clause: "< 100 mg/dL, and ..." -> "below 100 mg/dL"."""
    m = _FIRST_CLAUSE.match(target)
    if m is None:
        return ""
    return f"{dict(_OP_WORDS)[m.group(1)]} {m.group(2)}"


def retarget(text: str, old: str, new: str) -> str:
    """The text with the target it states changed from `old` to `new`: as written ("target < 7.0 %")
    or in the patient's words ("below 7.0 %"); a text that states no target gets a sentence saying it."""
    old, new = old.strip(), new.strip()
    if old == new:
        return text
    for was, now in ((old, new), (_plain(old), _plain(new) or new)):
        if was and was in text:
            return text.replace(was, now, 1)
    if not new:
        return text
    body = text.rstrip()
    sep = "" if not body else (" " if body.endswith((".", "!", "?")) else ". ")
    return f"{body}{sep}Target: {new}."
