"""Relations: a sentence that links two items ('X for Y', 'X due to Y') needs one cited line stating the link."""

from __future__ import annotations

from collections.abc import Sequence

from .grounding import Line, _split
from .lexicon import Token, words


def _naming(toks: Sequence[Token]) -> list[Token]:
    w = words()
    return [t for t in toks if t.kind == "word" and not w.not_item(t.key)]


def unstated_links(sentence: Sequence[Token], lines: Sequence[Line]) -> list[str]:
    """Each link word joins the item before it (the clause's first naming word, else the sentence's:
    in 'Naproxen 220 mg (since 1993; for osteoarthritis)' the reason is naproxen's) to the naming
    words after it, up to the next link word or clause end. One cited line must hold the item, the
    link word and every word of what it is linked to: two lines that each hold half are no link."""
    w = words()
    sentence_item = next(iter(_naming(sentence)), None)
    out: list[str] = []
    for clause in _split(sentence, (";", ":", ".")):
        for i, t in enumerate(clause):
            if t.kind != "word" or t.key not in w.links:
                continue
            before = _naming(clause[:i])
            x = before[0] if before else sentence_item
            after: list[Token] = []
            for u in clause[i + 1:]:
                if u.kind == "word" and u.key in w.links:
                    break
                after.append(u)
            y = _naming(after)
            if x is None or not y:
                continue
            if any(_states(line, x, t, y) for line in lines):
                continue
            out.append(f"link not stated: {x.text} {t.text} {' '.join(dict.fromkeys(u.text for u in y))}")
    return list(dict.fromkeys(out))


def _states(line: Line, x: Token, link: Token, y: Sequence[Token]) -> bool:
    keys = {t.key for t in line.toks if t.kind == "word"}
    return x.key in keys and link.key in keys and all(u.key in keys for u in y)
