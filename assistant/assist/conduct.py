"""Sentence conduct (rule 4): no letters, greetings, first or second person, meta text, invented people, repeats."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lexicon import Token, tokens, words

_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def conduct_problems(sentence: str, cited_text: str) -> list[str]:
    """What makes a sentence a letter or role play rather than chart text."""
    w = words()
    lower = " ".join(sentence.lower().split())
    found = _WORD.findall(sentence)
    out: list[str] = []
    for i, word in enumerate(found):
        lw = word.lower()
        # 'I' after type/stage/class is a roman numeral; 'US' in capitals is ultrasound.
        if lw == "i" and i and found[i - 1].lower() in ("type", "stage", "class", "grade"):
            continue
        if lw == "us" and word == "US":
            continue
        if lw in w.first_person:
            out.append("first person")
        elif lw in w.second_person:
            out.append("second-person address")
    for phrase in w.greetings:
        if re.search(rf"\b{re.escape(phrase)}\b", lower):
            out.append(f"letter or greeting: {phrase}")
    for phrase in w.meta:
        if re.search(rf"\b{re.escape(phrase)}\b", lower):
            out.append(f"meta text: {phrase}")
    cited = cited_text.lower()
    for m in re.finditer(r"\b([A-Za-z]+)\.?\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)", sentence):
        if m.group(1).lower() in w.titles:
            name = m.group(2).split()[0]
            if not re.search(rf"\b{re.escape(name.lower())}\b", cited):
                out.append(f"invented person: {m.group(1)} {m.group(2)}")
    return list(dict.fromkeys(out))


def informative(toks: Sequence[Token]) -> set[str]:
    w = words()
    return {t.key if t.kind != "date" else str(t.date) for t in toks
            if t.kind in ("number", "date") or (t.kind == "word" and t.key not in w.connectives
                                                and t.key not in w.prefix)}


def repeats(sentence: Sequence[Token], previous: Sequence[str]) -> bool:
    """A sentence that says nothing an earlier sentence did not say (its informative words and
    values are all in one earlier sentence) repeats it."""
    mine = informative(sentence)
    return bool(mine) and any(mine <= informative(tokens(p)) for p in previous)
