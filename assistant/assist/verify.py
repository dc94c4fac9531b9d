"""The sentence checker: a model sentence is 'verified' only if the fact lines it cites entail it (issue 13)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .conduct import conduct_problems, repeats
from .facts import FactSheet
from .grounding import Line, fact_line, unbound, ungrounded, unscheduled, unused
from .lexicon import tokens
from .relations import unstated_links

VERIFIED, UNVERIFIED, DETERMINISTIC = "verified", "unverified", "deterministic"


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
    # 'F12: Blood pressure ...' leaves ': Blood pressure ...' once the id is gone.
    return clean.strip().lstrip(":;, ").strip(), tuple(dict.fromkeys(ids))


def _lines(facts: FactSheet, ids: Sequence[str]) -> list[Line]:
    return [fact_line(f.id, f.text) for i in ids if (f := facts.fact(i)) is not None]


def problems(clean: str, lines: Sequence[Line], previous: Sequence[str] = ()) -> list[str]:
    """Why a sentence cannot be shown as checked against these cited lines (empty: it can)."""
    toks = tokens(clean)
    out = conduct_problems(clean, " ".join(line.text for line in lines))
    if not lines:
        return [*out, "cites no fact line"]
    if not any(t.kind != "sep" for t in toks):
        return [*out, "nothing to check"]
    missing = ungrounded(toks, lines)
    if missing:
        ids = ", ".join(line.id for line in lines)
        out += [f"not in {ids}: {m}" for m in missing]
    out += unstated_links(toks, lines)
    out += unbound(toks, lines)
    out += unscheduled(toks, lines)
    out += unused(toks, lines)
    if repeats(toks, [split_citations(p)[0] for p in previous]):
        out.append("repeats an earlier sentence")
    return list(dict.fromkeys(out))


def verify_sentence(text: str, facts: FactSheet, *, previous: Sequence[str] = ()) -> Sentence:
    """Check one generated sentence against the fact lines it cites (issue 13, rules 1-5). With no
    valid citation, the one fact line that supports it whole (if any) becomes its citation."""
    clean, ids = split_citations(text)
    lines = _lines(facts, ids)
    if not any(t.kind == "word" for t in tokens(clean)):
        # '1.', '2.' or a bare number: nothing is stated, so nothing can be checked (a list
        # numbering the model wrote once passed as "verified" with six citations).
        return Sentence(clean, (), (), UNVERIFIED, ("states nothing: no words",), 0)
    found = problems(clean, lines, previous)
    if not lines:
        for fact in facts.lines:
            line = fact_line(fact.id, fact.text)
            if not problems(clean, [line], previous):
                lines, found = [line], []
                break
        else:
            # Say which words no line of the whole sheet has, so the reader sees what is invented.
            sheet = [fact_line(f.id, f.text) for f in facts.lines]
            found += [f"not in the record: {w}" for w in ungrounded(tokens(clean), sheet)]
    fact_ids = tuple(line.id for line in lines)
    toks = [t for t in tokens(clean) if t.kind != "sep"]
    kinds = tuple(t.kind for t in toks)
    status = UNVERIFIED if found else VERIFIED
    bad_kinds = tuple("number" if any(ch.isdigit() for ch in p) else "word" for p in found)
    return Sentence(clean, facts.refs_for(fact_ids), fact_ids, status, tuple(found), len(toks),
                    kinds, bad_kinds)


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
    """Every sentence of a text, each checked with the sentences before it (for repeats)."""
    parts = split_sentences(text)
    return [verify_sentence(s, facts, previous=parts[:i]) for i, s in enumerate(parts)]
