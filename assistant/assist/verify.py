"""Verifier: every number, date, drug, allergy and diagnosis in a sentence must occur in the facts it cites."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .claims import (
    Claim,
    _analyte_mentions,
    date_matches,
    diagnosis_supported,
    drug_supported,
    find_dates,
    find_numbers,
    find_terms,
    term_supported,
)
from .facts import Fact, FactSheet
from .vocabulary import clean_display, ingredients, term_in

VERIFIED, UNVERIFIED, DETERMINISTIC = "verified", "unverified", "deterministic"
_QUALIFIERS = {"type", "stage", "grade", "class", "gold", "nyha"}


@dataclass(frozen=True)
class Sentence:
    """A statement shown to the clinician: its text (citation marks removed), the record entries and
    fact ids it cites, its status, and the words the record does not support."""

    text: str
    citations: tuple[str, ...] = ()
    fact_ids: tuple[str, ...] = ()
    status: str = VERIFIED
    unsupported: tuple[str, ...] = ()
    checked: int = 0  # how many items were checked (for the evaluation's rates)
    # Kinds (number, date, drug, allergy, diagnosis, term) of the checked and the unsupported items.
    checked_kinds: tuple[str, ...] = field(default=(), compare=False, repr=False)
    unsupported_kinds: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "citations": list(self.citations), "fact_ids": list(self.fact_ids),
                "status": self.status, "unsupported": list(self.unsupported)}


@dataclass(frozen=True)
class _FactItems:
    numbers: tuple[tuple[float, str], ...]
    units: frozenset[str]
    analytes: frozenset[str]
    dates: tuple[tuple[tuple[int, int, int], ...], ...]


@lru_cache(maxsize=4096)
def _items(text: str) -> _FactItems:
    dates, rest = find_dates(text)
    numbers = tuple((float(c.key[0]), str(c.key[1])) for c in find_numbers(rest))  # type: ignore[index]
    return _FactItems(numbers, frozenset(u for _, u in numbers if u), frozenset(a for _, _, a in _analyte_mentions(text)),
                      tuple(c.key for c in dates))  # type: ignore[misc]


@dataclass
class _SheetVocab:
    drugs: frozenset[str] = field(default_factory=frozenset)
    allergens: frozenset[str] = field(default_factory=frozenset)
    problems: frozenset[str] = field(default_factory=frozenset)


def _sheet_vocab(sheet: FactSheet) -> _SheetVocab:
    """Record-specific names on the sheet, so that they are recognised in generated text."""
    drugs: set[str] = set()
    allergens: set[str] = set()
    problems: set[str] = set()
    for f in sheet.lines:
        body = f.text.split(":", 1)[1].strip() if ":" in f.text else f.text
        if f.section == "medication":
            drugs.update(ingredients(body.split(";")[0]))
        elif f.section == "allergy" and "none recorded" not in f.text:
            allergens.add(body.split(" (")[0].strip().lower())
        elif f.section == "problem":
            problems.add(clean_display(body.rsplit(" (since", 1)[0]).lower())
    return _SheetVocab(frozenset(drugs), frozenset(a for a in allergens if a),
                       frozenset(p for p in problems if len(p) > 3))


_CITATION = re.compile(r"\s*[\[(]\s*((?:F\s*\d+\s*[,;/]?\s*(?:and\s+)?)+)[\])]", re.IGNORECASE)
_BARE_ID = re.compile(r"\bF\d+\b")


def split_citations(text: str) -> tuple[str, tuple[str, ...]]:
    """The sentence without its '[F12]' / '[F3, F4]' marks, and the fact ids in order."""
    ids: list[str] = []
    for m in _CITATION.finditer(text):
        ids += [f"F{n}" for n in re.findall(r"\d+", m.group(1))]
    clean = _CITATION.sub("", text)
    ids += [m.group(0) for m in _BARE_ID.finditer(clean)]
    clean = _BARE_ID.sub("", clean)
    clean = re.sub(r"\s+([.,;:])", r"\1", " ".join(clean.split()))
    return clean.strip(), tuple(dict.fromkeys(ids))


_DOSE_UNITS = {"mg", "mcg", "g", "units", "ml", "tablet", "capsule", "puff"}


def _gap(a: Claim, b: Claim, text: str) -> int:
    """Characters between two items; 'far' when a clause boundary separates them."""
    first, second = (a, b) if a.start < b.start else (b, a)
    between = text[first.start + len(first.words):second.start]
    return 10_000 if re.search(r"[;.]\s|\band\b|,", between) else len(between)


def _bind_doses(numbers: list[Claim], terms: list[Claim], text: str) -> list[Claim]:
    """A dose belongs to the drug written next to it ('warfarin 5 mg', '400 mg of ibuprofen'): it
    is then supported only by a line that has both, so a dose moved to another drug is caught."""
    drugs = [t for t in terms if t.kind == "drug"]
    out = []
    for c in numbers:
        key: tuple[float, str, str] = c.key  # type: ignore[assignment]
        value, unit, analyte = key
        if unit in _DOSE_UNITS and drugs:
            near = min(drugs, key=lambda d, c=c: _gap(d, c, text))  # type: ignore[misc]
            if _gap(near, c, text) <= 30:
                c = Claim(c.kind, c.words, (value, unit, analyte, str(near.key)), c.start)
        out.append(c)
    return out


def claims_in(text: str, sheet: FactSheet) -> list[Claim]:
    dates, rest = find_dates(text)
    vocab = _sheet_vocab(sheet)
    terms = find_terms(rest, vocab.drugs, vocab.allergens, vocab.problems)
    numbers = _bind_doses(find_numbers(rest), terms, rest)
    return sorted(dates + numbers + terms, key=lambda c: c.start)


def supported_by(claim: Claim, fact: Fact) -> bool:
    text = fact.text
    if claim.kind == "number":
        key: tuple = claim.key  # type: ignore[assignment]
        value, unit, analyte = key[:3]
        drug = key[3] if len(key) > 3 else ""
        items = _items(text)
        if analyte and analyte not in items.analytes:
            return False
        if drug and not drug_supported(drug, text):
            return False
        for fv, fu in items.numbers:
            if abs(fv - value) > 1e-9:
                continue
            if unit in _QUALIFIERS or fu in _QUALIFIERS:
                if unit == fu:
                    return True
            # A unit-less number on the line ('earlier 7.4') takes the unit the line is written in.
            elif not unit or unit == fu or (not fu and unit in items.units):
                return True
        return False
    if claim.kind == "date":
        return any(date_matches(claim.key, fd) for fd in _items(text).dates)  # type: ignore[arg-type]
    if claim.kind == "drug":
        return drug_supported(str(claim.key), text)
    if claim.kind == "allergy":
        # Only the allergy list (or a flag the clinical engine derived from it) can support an
        # allergy: 'allergic to amoxicillin' must not pass because amoxicillin is prescribed.
        if fact.section not in ("allergy", "flag"):
            return False
        if claim.key == "none":
            return "none recorded" in text
        return term_in(str(claim.key), text)
    if claim.kind == "diagnosis":
        return diagnosis_supported(str(claim.key), text)
    if claim.kind == "term":
        return term_supported(str(claim.key), text)
    return False


def verify_sentence(text: str, facts: FactSheet) -> Sentence:
    """Check one generated sentence against the fact lines it cites (or, with no valid citation,
    against the whole sheet; the lines that support it then become its citations)."""
    clean, ids = split_citations(text)
    cited = [f for i in ids if (f := facts.fact(i)) is not None]
    claims = claims_in(clean, facts)
    unsupported: dict[str, str] = {}  # words -> kind
    if cited:
        for c in claims:
            if not any(supported_by(c, f) for f in cited):
                unsupported.setdefault(c.words, c.kind)
        used = cited
    else:
        found: dict[str, Fact] = {}
        for c in claims:
            hit = next((f for f in facts.lines if supported_by(c, f)), None)
            if hit is None:
                unsupported.setdefault(c.words, c.kind)
            else:
                found.setdefault(hit.id, hit)
        used = sorted(found.values(), key=lambda f: int(f.id[1:]))
    fact_ids = tuple(f.id for f in used)
    # A sentence with nothing checkable and nothing cited cannot be traced to the chart.
    status = VERIFIED if not unsupported and (claims or used) else UNVERIFIED
    return Sentence(clean, facts.refs_for(fact_ids), fact_ids, status, tuple(unsupported), len(claims),
                    tuple(c.kind for c in claims), tuple(unsupported.values()))


_SPLIT = re.compile(r"(?<=[.!?])(?:\s*(?:\[[^\]]*\]|\([Ff]\d[^)]*\)))*\s+(?=[A-Z\-*•])|\n+")


def split_sentences(text: str) -> list[str]:
    """Sentences of generated text; citation marks after the full stop stay with their sentence."""
    out: list[str] = []
    pos = 0
    for m in _SPLIT.finditer(text):
        cut = m.start()
        # Keep trailing citations ('... high. [F3]') with the sentence they follow.
        tail = re.match(r"(?:\s*(?:\[[^\]]*\]|\([Ff]\d[^)]*\)))*", text[cut:m.end()])
        end = cut + (tail.end() if tail else 0)
        out.append(text[pos:end])
        pos = end
    out.append(text[pos:])
    return [s.strip(" \t-*•") for s in (p.strip() for p in out) if s.strip(" \t-*•")]


def verify_text(text: str, facts: FactSheet) -> list[Sentence]:
    return [verify_sentence(s, facts) for s in split_sentences(text)]
