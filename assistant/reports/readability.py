"""Flesch-Kincaid grade level of English text, with a small vowel-group syllable counter."""

from __future__ import annotations

import re

# Kincaid JP et al. Derivation of new readability formulas for Navy enlisted personnel. Naval
# Technical Training Command, Research Branch Report 8-75, 1975:
# grade = 0.39 * words/sentences + 11.8 * syllables/words - 15.59.
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,]\d+)*")
# A sentence ends at . ! ? followed by space or the end, and at every line break (headings
# and list lines are sentences of their own for a reader).
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")
_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Syllables in one English word by vowel groups, with the usual silent-e corrections; a
    number counts as one (readers see '8.9' as one unit)."""
    w = word.lower().replace("’", "'")
    if not w.isalpha():
        w = re.sub(r"[^a-z]", "", w)
        if not w:
            return 1
    count = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # silent final e: "take", "tablets" stays
    if w.endswith(("es", "ed")) and count > 1 and not w.endswith(("tes", "des", "ted", "ded", "ses",
                                                                   "ces", "ges", "zes", "xes")):
        count -= 1  # "takes", "stopped": no extra syllable
    return max(1, count)


def counts(text: str) -> tuple[int, int, int]:
    """(sentences, words, syllables) of `text`."""
    sentences = 0
    words = 0
    sylls = 0
    for chunk in _SENTENCE_END.split(text):
        found = _WORD.findall(chunk)
        if not found:
            continue
        sentences += 1
        words += len(found)
        sylls += sum(syllables(w) for w in found)
    return sentences, words, sylls


def fk_grade(text: str) -> float:
    """The Flesch-Kincaid grade level of `text` (0.0 for text without words)."""
    sentences, words, sylls = counts(text)
    if not words:
        return 0.0
    return 0.39 * words / sentences + 11.8 * sylls / words - 15.59
