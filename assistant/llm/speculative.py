"""Prompt-lookup drafts for speculative greedy decoding: guess the next tokens from earlier text."""

from __future__ import annotations

from collections.abc import Sequence

# Longest and shortest run of last tokens looked up. A single token recurs too often to say what
# follows it; three or more tokens recur mostly where the text copies a phrase of the fact sheet
# ("Medication: metformin 500 mg"), which is where a guess pays.
MAX_NGRAM = 4
MIN_NGRAM = 2

# Draft length: a check of k guesses costs more than one step (the int8 kernels do more work per
# extra row: measured here about 1.3x a step for 1 guess, 1.6x for 4, 2x for 7), so the length
# adapts to how well the last guesses went, as in Hugging Face's assisted generation.
START_DRAFT = 4
MAX_DRAFT = 8


class PromptLookup:
    """Drafts from the latest earlier occurrence of the text's last 2-4 tokens in prompt + output.

    `push` each token as it is chosen; `propose(k)` returns up to k tokens that followed that
    occurrence (none when the ending is new). An index from n-gram to where it last ended keeps
    each call O(n), however long the text.
    """

    def __init__(self, prompt_ids: Sequence[int], max_ngram: int = MAX_NGRAM, min_ngram: int = MIN_NGRAM) -> None:
        if not 1 <= min_ngram <= max_ngram:
            raise ValueError("need 1 <= min_ngram <= max_ngram")
        self.max_ngram, self.min_ngram = max_ngram, min_ngram
        self.tokens: list[int] = []
        # n-gram -> index just after its latest occurrence that has at least one token after it
        self._next: dict[tuple[int, ...], int] = {}
        for t in prompt_ids:
            self.push(int(t))

    def push(self, token: int) -> None:
        """Add the next token of the text."""
        toks = self.tokens
        end = len(toks)  # the n-grams ending just before `token` now have a continuation
        for n in range(self.min_ngram, min(self.max_ngram, end) + 1):
            self._next[tuple(toks[end - n:end])] = end
        toks.append(token)

    def propose(self, k: int) -> list[int]:
        """Up to `k` tokens that followed the longest matched ending; [] when nothing matches."""
        toks = self.tokens
        if k < 1:
            return []
        for n in range(min(self.max_ngram, len(toks)), self.min_ngram - 1, -1):
            start = self._next.get(tuple(toks[-n:]))
            if start is not None:
                return toks[start:start + k]
        return []


class DraftLength:
    """Adapts the number of guesses per check: longer after a fully accepted draft, shorter after a
    rejected one (never below 1: a guess is only made where the text matches earlier text)."""

    def __init__(self, start: int = START_DRAFT, maximum: int = MAX_DRAFT) -> None:
        self.value, self.maximum = start, maximum

    def update(self, proposed: int, accepted: int) -> None:
        if accepted == proposed:
            self.value = min(self.maximum, self.value + 2)
        else:
            self.value = max(1, self.value - 1)
