"""The sentence checker's word data and tokens: connectives, synonyms (data files), unit spellings, stems."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from assistant.clinical.knowledge import knowledge_dir, read_csv, register_cache
from assistant.clinical.units import prose_units
from assistant.errors import AssistantError

from .claims import date_matches, find_dates

WORDS_FILE, SYNONYMS_FILE = "verifier_words.toml", "synonyms.csv"
Date = tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class Words:
    """The closed word lists of verifier_words.toml (each explained there)."""

    connectives: frozenset[str]
    prefix: frozenset[str]
    status: frozenset[str]
    links: frozenset[str]
    schedule: frozenset[str]
    first_person: frozenset[str]
    second_person: frozenset[str]
    greetings: tuple[str, ...]
    meta: tuple[str, ...]
    titles: frozenset[str]

    def not_item(self, word: str) -> bool:
        """Words that never name the item a value belongs to."""
        return word in self.connectives or word in self.prefix or word in self.status or word in self.links


@register_cache
@lru_cache(maxsize=1)
def _doc() -> dict[str, list[str]]:
    path = knowledge_dir() / WORDS_FILE
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise AssistantError(f"{path} cannot be read ({e}); reinstall the application") from None


@register_cache
@lru_cache(maxsize=1)
def _folds() -> tuple[tuple[str, str], ...]:
    return tuple((a, b) for a, b in _doc().get("spelling", ()))


@register_cache
@lru_cache(maxsize=1)
def words() -> Words:
    doc = _doc()

    def stems(key: str) -> frozenset[str]:
        return frozenset(stem(w) for w in doc[key])

    return Words(stems("connectives"), stems("prefix_words"), stems("status_words"), stems("link_words"),
                 stems("schedule_words"),
                 frozenset(doc["first_person"]), frozenset(doc["second_person"]), tuple(doc["greetings"]),
                 tuple(doc["meta"]), frozenset(doc["titles"]))


def stem(word: str) -> str:
    """Plural folding, the same on both sides: 'problems' -> 'problem', 'therapies' -> 'therapy'."""
    w = word.lower()
    for british, american in _folds():
        if british in w:
            w = w.replace(british, american)
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "xes", "sses")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


@dataclass(frozen=True)
class Token:
    """One word, number or date of a text. `key` is what is compared: a stem, a number's canonical
    digits, or a date's readings; `text` is how it was written; `sep` marks a separator (, ; : .)."""

    kind: str  # word | number | date | sep
    key: str
    text: str
    date: Date = ()

    def same(self, other: Token) -> bool:
        if self.kind != other.kind:
            return False
        if self.kind == "date":
            return date_matches(self.date, other.date)
        return self.key == other.key


# A pair written 'a/b' (blood pressure 152/88) is one value: its halves in the other order, or alone
# beside another item, are not the record's reading.
_RAW = re.compile(r"(?P<pair>\d+(?:\.\d+)?/\d+(?:\.\d+)?(?![\d.]))"
                  r"|(?P<num>\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)|(?P<word>[A-Za-z][A-Za-z0-9']*)"
                  r"|(?P<sep>[;:,]|\.(?!\d)|\s+and\s+)|(?P<date>\x00)")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
_QUALIFIED = {"type", "stage", "class", "grade"}


def number_key(digits: str) -> str:
    value = float(digits.replace(",", ""))
    return f"{value:g}" if abs(value) < 1e15 else digits


@register_cache
@lru_cache(maxsize=1)
def _unit_words() -> dict[str, str]:
    """Unit spellings from the one unit table that are single words ('micrograms' -> 'mcg')."""
    return {k: v for k, v in prose_units().items() if re.fullmatch(r"[a-z]+", k) and re.fullmatch(r"[a-z]+", v)}


@register_cache
@lru_cache(maxsize=1)
def _synonyms() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(synonym words, term words), longest synonym first, both as stems."""
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

    def split(text: str) -> tuple[str, ...]:
        return tuple(stem(w) for w in re.findall(r"[A-Za-z][A-Za-z0-9']*", text))

    for row in read_csv(SYNONYMS_FILE):
        pairs.append((split(row["synonym"]), split(row["term"])))
    for row in read_csv("drug_ingredients.csv"):
        for name in row.get("synonyms", "").split(";"):
            if name.strip():
                pairs.append((split(name), split(row["ingredient"])))
    # Unit spellings of the one unit table that are words ('beats per minute' -> '/min', 'percent' -> '%').
    for spelling, prose in prose_units().items():
        if re.fullmatch(r"[a-z /\-]+", spelling):
            pair = (split(spelling), split(prose))
            if pair[0] != pair[1]:
                pairs.append(pair)
    return tuple(sorted((p for p in pairs if p[0] and (p[1] or p[0])), key=lambda p: -len(p[0])))


@register_cache
@lru_cache(maxsize=1)
def unit_words() -> frozenset[str]:
    """Every word piece of a unit spelling in the unit table ('mg', 'dl', 'mmol', 'min')."""
    pieces = {stem(w) for k, v in prose_units().items() for w in re.findall(r"[a-z]+", f"{k} {v}")}
    return frozenset(pieces)


def _raw_tokens(text: str) -> list[Token]:
    dates, rest = find_dates(text)
    by_start = {c.start: c for c in dates}
    marked = list(rest)
    for c in dates:
        marked[c.start] = "\x00"
    out: list[Token] = []
    for m in _RAW.finditer("".join(marked)):
        if m.group("date"):
            c = by_start[m.start()]
            out.append(Token("date", c.words, c.words, c.key))  # type: ignore[arg-type]
        elif m.group("pair"):
            pair = "/".join(number_key(x) for x in m.group("pair").split("/"))
            out.append(Token("number", pair, m.group("pair")))
        elif m.group("num"):
            out.append(Token("number", number_key(m.group("num")), m.group("num")))
        elif m.group("sep"):
            out.append(Token("sep", m.group("sep").strip().lower(), m.group("sep")))
        else:
            word = m.group("word")
            lower = word.lower()
            if lower in _ROMAN and out and out[-1].key in _QUALIFIED and (word.isupper() or lower == "v"):
                out.append(Token("number", _ROMAN[lower], word))
                continue
            lower = _unit_words().get(lower, lower)
            out.append(Token("word", stem(lower), word))
    return out


@lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[Token, ...]:
    """The tokens of a sentence or fact line, synonyms replaced by their reviewed term."""
    raw = _raw_tokens(text)
    out: list[Token] = []
    i = 0
    while i < len(raw):
        for syn, term in _synonyms():
            n = len(syn)
            if tuple(t.key for t in raw[i:i + n] if t.kind == "word") == syn and all(
                    t.kind == "word" for t in raw[i:i + n]):
                written = " ".join(t.text for t in raw[i:i + n])
                out.extend(Token("word", w, written) for w in term)
                i += n
                break
        else:
            out.append(raw[i])
            i += 1
    return tuple(out)


def values(toks: tuple[Token, ...] | list[Token]) -> list[Token]:
    return [t for t in toks if t.kind in ("number", "date")]


def has(toks: tuple[Token, ...] | list[Token], tok: Token) -> bool:
    return any(tok.same(t) for t in toks)
