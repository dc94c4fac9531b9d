"""Word-level audit: the words and numbers of a sentence that none of the fact lines it cites contain."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.clinical.knowledge import read_toml

# This module is the yardstick for the checker in verify.py / claims.py, so it is written apart
# from them and shares none of their code or vocabulary: it knows no drugs, diagnoses, synonyms or
# relations. It only asks whether each word and number of a sentence is written in a cited line.
# It is strict on purpose: a sentence it passes has no word that its citations lack, and a true
# paraphrase ('kidney' for 'renal') is reported; that false alarm is the price of never missing one.

CONNECTIVES_FILE = "connectives.toml"

# Spellings of one unit that the audit treats as the same word (after lower-casing). Only plain
# respellings: nothing here converts between units or reads one unit as another.
_UNIT_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bmm\s+hg\b"), "mmhg"),
    (re.compile(r"(?<![a-z])(?:µg|μg|mcg)\b"), "microgram"),
    (re.compile(r"\b(?:bpm|beats per minute|beats/min)\b"), "/min"),
    (re.compile(r"\bper\s?cent\b"), "%"),
    (re.compile(r"°"), " "),  # '38.4°C', '38.4 °C' and '38.4 C' are one reading
)
_CITATION = re.compile(r"\[\s*F\d+(?:\s*[,;]\s*F\d+)*\s*\]|\bF\d+\b")
_POSSESSIVE = re.compile(r"['’]s\b")
# A token is an ISO date (kept whole: its parts must not be found scattered over other dates), a
# number (digits, thousands commas, a decimal point), a word (a letter, then letters or digits:
# 'spo2', 'hba1c', 'm2') or the percent sign. Everything else separates tokens.
_TOKEN = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?!\d)|(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)"
                    r"|(?P<word>[^\W\d_][^\W_]*)|(?P<percent>%)")


@dataclass(frozen=True)
class _Token:
    kind: str  # date | number | word
    surface: str  # as written in the sentence
    key: str | float  # what is compared: the date, the value, the stemmed word


def _singular(word: str) -> str:
    """Simple plural stripping, applied alike to sentence and lines ('tablets' ~ 'tablet')."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _normalise(text: str) -> str:
    text = _POSSESSIVE.sub("", _CITATION.sub(" ", text)).casefold()
    for pattern, spelling in _UNIT_SPELLINGS:
        text = pattern.sub(spelling, text)
    return text


def tokens(text: str) -> list[_Token]:
    """The dates, numbers and words of a text, in order, each with its comparison key."""
    out: list[_Token] = []
    for m in _TOKEN.finditer(_normalise(text)):
        if m.group("date"):
            out.append(_Token("date", m.group(0), m.group(0)))
        elif m.group("number"):
            out.append(_Token("number", m.group(0), float(m.group(0).replace(",", ""))))
        else:
            out.append(_Token("word", m.group(0), _singular(m.group(0))))
    return out


@lru_cache(maxsize=1)
def connectives() -> frozenset[str]:
    """The closed list of function words a sentence may add to its cited lines (kept as data)."""
    words = read_toml(CONNECTIVES_FILE)["words"]
    return frozenset(_singular(w.casefold()) for w in words)


def _grounding(lines: Iterable[str]) -> set[tuple[str, str | float]]:
    return {(t.kind, t.key) for line in lines for t in tokens(line)}


def ungrounded_words(sentence: str, cited_lines: Sequence[str]) -> list[str]:
    """Words and numbers of `sentence` that occur in none of `cited_lines` (case-folded, simple
    plurals stripped, numbers compared by value, dates whole) and are not connectives. Each is
    reported once, as the sentence writes it (lower-cased), in order of first appearance."""
    found = _grounding(cited_lines)
    allowed = connectives()
    out: list[str] = []
    for t in tokens(sentence):
        if (t.kind, t.key) in found or (t.kind == "word" and t.key in allowed):
            continue
        if t.surface not in out:
            out.append(t.surface)
    return out
