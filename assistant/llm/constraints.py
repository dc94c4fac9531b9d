"""Logits processors that constrain generation; chiefly: numbers only from an allowed set (the fact sheet)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from tokenizers import Tokenizer

from assistant.llm.sampling import LogitsProcessor

# One definition of "a number" for both sides: the fact sheet's numbers and the generated text's.
# A '.' is a decimal point only when a digit follows it; "1,000" is the numbers 1 and 000.
NUMBER = re.compile(r"\d+(?:\.\d+)?")
_OPEN = re.compile(r"\d+(?:\.\d*)?$")  # a number that the next token might still extend
_TAIL_TOKENS = 24  # generated tokens examined to find an open number at the end of the text
_texts_cache: dict[int, tuple[Tokenizer, list[str]]] = {}


def numbers_in(text: str) -> set[str]:
    """The numbers written in `text`, as the strings `allowed_numbers_processor` compares."""
    return set(NUMBER.findall(text))


def _normalise(value: str | int | float) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def token_texts(tokenizer: Tokenizer) -> list[str]:
    """Text of every token id on its own (cached per tokenizer)."""
    hit = _texts_cache.get(id(tokenizer))
    if hit is not None and hit[0] is tokenizer:
        return hit[1]
    size = tokenizer.get_vocab_size(with_added_tokens=True)
    texts = tokenizer.decode_batch([[i] for i in range(size)], skip_special_tokens=True)
    for i, text in enumerate(texts):
        # SentencePiece decoders drop the word-start space of a lone token; put it back.
        piece = tokenizer.id_to_token(i) or ""
        if piece.startswith("\u2581") and not text.startswith(" "):
            texts[i] = " " + text
    _texts_cache[id(tokenizer)] = (tokenizer, texts)
    return texts


class AllowedNumbers:
    """Forbid any token that would write a number not in `allowed` (or a prefix of none of them)."""

    def __init__(self, tokenizer: Tokenizer, allowed: Iterable[str | int | float]) -> None:
        self.allowed = {_normalise(a) for a in allowed}
        bad = [a for a in self.allowed if not NUMBER.fullmatch(a)]
        if bad:
            raise ValueError(f"not numbers in the allowed set: {', '.join(sorted(bad)[:5])}")
        self.prefixes = {a[:n] for a in self.allowed for n in range(1, len(a) + 1)}
        self.texts = token_texts(tokenizer)
        self._static: np.ndarray | None = None  # allowed after a non-digit character
        self._continuing: list[int] = []  # tokens that may extend an open number

    def _ok(self, text: str) -> bool:
        """Whether `text` (starting at a number boundary) writes only allowed numbers or prefixes."""
        for m in NUMBER.finditer(text):
            number, end = m.group(), m.end()
            if end == len(text):
                if number not in self.prefixes:
                    return False
            elif text[end] == "." and end + 1 == len(text):
                # "12." may be a sentence's full stop or a decimal point still to be continued.
                if number not in self.allowed and number + "." not in self.prefixes:
                    return False
            elif number not in self.allowed:
                return False
        return True

    def _build(self, vocab: int) -> None:
        texts = self.texts + [""] * max(0, vocab - len(self.texts))
        static = np.ones(vocab, dtype=bool)
        for i in range(vocab):
            text = texts[i]
            if any(c.isdigit() for c in text):
                static[i] = self._ok(text)
            if text[:1].isdigit() or text[:1] == ".":
                self._continuing.append(i)
        self._static = static

    def open_number(self, generated: Sequence[int]) -> str:
        tail = "".join(self.texts[i] if i < len(self.texts) else "" for i in generated[-_TAIL_TOKENS:])
        m = _OPEN.search(tail)
        return m.group() if m else ""

    def __call__(self, generated: Sequence[int], logits: np.ndarray) -> np.ndarray:
        if self._static is None or self._static.shape[0] != logits.shape[0]:
            self._build(logits.shape[0])
        assert self._static is not None
        tail = self.open_number(generated)
        if not tail:
            logits[~self._static] = -np.inf
            return logits
        # Inside a number: a token that does not extend it ends it, which is fine only if the
        # number so far is allowed ("12." counts as "12" followed by a full stop).
        closed = tail[:-1] if tail.endswith(".") else tail
        mask = self._static.copy() if closed in self.allowed else np.zeros_like(self._static)
        for i in self._continuing:
            mask[i] = self._ok(tail + self.texts[i]) if i < len(self.texts) else False
        logits[~mask] = -np.inf
        return logits


def allowed_numbers_processor(tokenizer: Tokenizer, allowed: Iterable[str | int | float]) -> LogitsProcessor:
    """A logits processor letting the model write only numbers in `allowed` (e.g. `numbers_in(fact_sheet)`)."""
    return AllowedNumbers(tokenizer, allowed)


def chain(*processors: LogitsProcessor | None) -> LogitsProcessor:
    """Apply several processors in order."""
    active = [p for p in processors if p is not None]

    def run(generated: Sequence[int], logits: np.ndarray) -> np.ndarray:
        for p in active:
            logits = p(generated, logits)
        return logits

    return run
