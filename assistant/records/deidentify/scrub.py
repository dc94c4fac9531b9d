"""Free-text scrubbing: the record's own names, numbers and places, then common identifier patterns."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_MONTH_RE = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_TITLES = {"dr", "mr", "mrs", "ms", "miss", "prof", "sir", "dame", "md", "rn", "np", "pa"}


def _month(word: str) -> int | None:
    w = word.rstrip(".").lower()[:3]
    for n, name in enumerate(_MONTHS, start=1):
        if name.lower().startswith(w):
            return n
    return None


@dataclass(frozen=True)
class Known:
    """Identifiers found in the record itself: matched literally wherever they appear in text."""

    names: tuple[str, ...] = ()  # single name words (given, family, clinicians)
    literals: tuple[str, ...] = ()  # phone numbers, MRNs, emails, address lines, cities, postcodes

    @classmethod
    def of(cls, names: Iterable[str], literals: Iterable[str]) -> Known:
        words = {w for n in names for w in re.split(r"[\s,]+", n)
                 if len(w.strip(".")) >= 2 and w.strip(".").lower() not in _TITLES}
        lits = {x.strip() for x in literals if len(x.strip()) >= 3}
        # Longest first, so that '14 Sample Street' goes before 'Sample'.
        return cls(tuple(sorted(words, key=len, reverse=True)), tuple(sorted(lits, key=len, reverse=True)))


class Scrubber:
    """Scrubs text for one patient; `counts` gains one per replacement, by kind."""

    def __init__(self, known: Known, shift: timedelta, counts: Counter[str]) -> None:
        self.known = known
        self.shift = shift
        self.counts = counts
        alternatives = "|".join(re.escape(w) for w in known.names)
        self._names = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])") if alternatives else None
        self._rules: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]]] = [
            ("url", re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.I), self._fixed("[URL]")),
            ("email", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"), self._fixed("[EMAIL]")),
            ("ip address", re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), self._fixed("[IP]")),
            ("date", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b"),
             self._iso_date),
            ("date", re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b"), self._numeric_date),
            ("date", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE}),?\s+(\d{{4}})\b"),
             lambda m: self._shifted(int(m[3]), _month(m[2]), int(m[1]))),
            ("date", re.compile(rf"\b({_MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"),
             lambda m: self._shifted(int(m[3]), _month(m[1]), int(m[2]))),
            ("date", re.compile(rf"\b({_MONTH_RE})\s+(\d{{4}})\b"), self._month_year),
            ("date", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH_RE}|\b{_MONTH_RE}\s+\d{{1,2}}\b"
                                r"|\b(?:in|on|since|from|until|by|during|of|last|next)\s+"
                                rf"(?:{'|'.join(_MONTHS)})\b|(?<=\()\s*{_MONTH_RE}\s*(?=\))"),
             self._fixed("[DATE]")),
            ("social security number", re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), self._fixed("[SSN]")),
            ("record number", re.compile(
                r"\b(?:MRN|MR#|NHS(?: number)?|medical record(?: number)?|account(?: number)?|acct|"
                r"policy(?: number)?|member id|licen[cs]e(?: number)?|serial(?: number)?)\s*[:#]?\s*"
                r"[A-Za-z0-9][A-Za-z0-9-]{3,}", re.I), self._fixed("[ID]")),
            ("record number", re.compile(r"\b(?=[\d-]*[A-Za-z])(?=(?:[A-Za-z-]*\d){5})[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b"
                                         r"|\b\d{7,}\b"), self._coded),
            ("phone number", re.compile(r"(?<![\w/])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)\s?|\d{2,5}[\s.-])?"
                                        r"\d{3,4}[\s.-]\d{4}\b"), self._fixed("[PHONE]")),
            ("address", re.compile(r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|"
                                   r"Lane|Ln|Drive|Boulevard|Blvd|Court|Ct|Way|Place|Close|Terrace)\b\.?"),
             self._fixed("[ADDRESS]")),
            ("address", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|\b[A-Z]{2}\s\d{5}(?:-\d{4})?\b"),
             self._fixed("[POSTCODE]")),
            ("name", re.compile(r"\b(Dr|Mr|Mrs|Ms|Miss|Prof)(\.?\s+)[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?"),
             lambda m: f"{m[1]}{m[2]}[NAME]"),
            ("age over 89", re.compile(r"\b(?:9\d|1[0-4]\d)(?=[- ]?(?:years?|yrs?|y/?o|year-old)\b)", re.I),
             self._fixed("90+")),
        ]

    @staticmethod
    def _fixed(text: str) -> Callable[[re.Match[str]], str]:
        return lambda _m: text

    def _coded(self, m: re.Match[str]) -> str:
        return "[ID]" if not m[0].startswith("[") else m[0]

    def _shifted(self, year: int, month: int | None, day: int) -> str:
        try:
            if month is None:
                raise ValueError
            return (date(year, month, day) + self.shift).isoformat()
        except ValueError:  # not a real date: no element of it may stay
            return "[DATE]"

    def _iso_date(self, m: re.Match[str]) -> str:
        return self._shifted(int(m[1]), int(m[2]), int(m[3]))

    def _numeric_date(self, m: re.Match[str]) -> str:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        year = y if y >= 100 else 2000 + y
        # Day first when the first number cannot be a month; month first otherwise (US usage).
        return self._shifted(year, b, a) if a > 12 else self._shifted(year, a, b)

    def _month_year(self, m: re.Match[str]) -> str:
        month = _month(m[1])
        if month is None:
            return "[DATE]"
        moved = date(int(m[2]), month, 15) + self.shift
        return f"{_MONTHS[moved.month - 1]} {moved.year}"

    def scrub(self, text: str) -> str:
        """The text with every known identifier and every pattern replaced."""
        if not text:
            return text
        for lit in self.known.literals:
            if lit in text:
                self.counts["record identifier in text"] += text.count(lit)
                text = text.replace(lit, "[REDACTED]")
        for kind, pattern, repl in self._rules:
            text, n = pattern.subn(repl, text)
            if n:
                self.counts[f"{kind} in text"] += n
        if self._names is not None:
            text, n = self._names.subn("[NAME]", text)
            if n:
                self.counts["name in text"] += n
        return text

