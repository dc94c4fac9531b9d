"""Generation settings and next-token choice: greedy, temperature, top-k, top-p, repetition penalty."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.errors import BadInputError

# A caller's hook: sees the ids generated so far and the next-token logits (1-D float32, a copy the
# hook may change in place) and returns the logits to choose from; -inf forbids a token.
LogitsProcessor = Callable[[Sequence[int], np.ndarray], np.ndarray]


@dataclass(frozen=True)
class GenerationConfig:
    max_new_tokens: int = 256
    temperature: float = 0.0  # 0 means greedy
    top_k: int = 0  # 0 means no top-k cut
    top_p: float = 1.0
    repetition_penalty: float = 1.0  # > 1 discourages tokens already in the prompt or output
    seed: int | None = None
    stop_strings: tuple[str, ...] = ()
    min_new_tokens: int = 0  # end-of-sequence tokens are forbidden until this many are generated
    # What to do when prompt + max_new_tokens exceed the context: "refuse" raises BadInputError
    # with the numbers; "truncate" drops the oldest prompt tokens (chat drops whole old turns first).
    overflow: str = "refuse"
    skip_special_tokens: bool = True

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise BadInputError("max_new_tokens must be at least 1")
        if self.temperature < 0 or not 0 < self.top_p <= 1 or self.top_k < 0:
            raise BadInputError("temperature must be >= 0, top_p in (0, 1], top_k >= 0")
        if self.repetition_penalty <= 0:
            raise BadInputError("repetition_penalty must be > 0")
        if self.overflow not in ("refuse", "truncate"):
            raise BadInputError("overflow must be 'refuse' or 'truncate'")
        if isinstance(self.stop_strings, str):
            object.__setattr__(self, "stop_strings", (self.stop_strings,))

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0


class Sampler:
    """Turns one step's logits into a token id, applying the penalties, the hook and the sampling rule."""

    def __init__(
        self,
        config: GenerationConfig,
        eos_ids: Sequence[int],
        prompt_ids: Sequence[int],
        processor: LogitsProcessor | None = None,
    ) -> None:
        self.config = config
        self.eos = np.array(sorted(set(eos_ids)), dtype=np.int64)
        self.processor = processor
        self.rng = np.random.default_rng(config.seed)
        # Tokens seen so far, for the repetition penalty (HF semantics: prompt and output both count).
        self.seen: set[int] = set(prompt_ids) if config.repetition_penalty != 1.0 else set()
        self._plain = config.greedy and processor is None and config.repetition_penalty == 1.0

    def _eos_in_vocab(self, logits: np.ndarray) -> np.ndarray:
        return self.eos[self.eos < logits.shape[0]]

    def choose(self, logits: np.ndarray, generated: Sequence[int], scratch: bool = False) -> int:
        """Pick the next id from 1-D `logits` given the ids generated so far.

        `logits` is not modified unless `scratch` says the caller has no further use for it.
        """
        c = self.config
        if self._plain:
            if len(generated) < c.min_new_tokens and self.eos.size:
                if not scratch:
                    logits = logits.copy()
                logits[self._eos_in_vocab(logits)] = -np.inf
            return int(np.argmax(logits))  # the greedy fast path: no copy of the vocabulary
        scores = np.array(logits, dtype=np.float32, copy=True)
        vocab = scores.shape[0]
        if c.repetition_penalty != 1.0 and self.seen:
            idx = np.fromiter((i for i in self.seen if i < vocab), dtype=np.int64)
            picked = scores[idx]
            scores[idx] = np.where(picked > 0, picked / c.repetition_penalty, picked * c.repetition_penalty)
        if self.processor is not None:
            scores = np.asarray(self.processor(generated, scores), dtype=np.float32)
        if len(generated) < c.min_new_tokens and self.eos.size:
            scores[self._eos_in_vocab(scores)] = -np.inf  # after the hook: a hard rule
        if not np.isfinite(scores).any():
            raise BadInputError("the logits processor forbade every token; loosen the constraint")
        token = int(np.argmax(scores)) if c.greedy else self._sample(scores)
        if c.repetition_penalty != 1.0:
            self.seen.add(token)
        return token

    def _sample(self, scores: np.ndarray) -> int:
        c = self.config
        scores = scores.astype(np.float64) / c.temperature
        # Sorting the whole vocabulary every token is slow; tokens more than e^30 times less likely
        # than the best carry no probability mass worth keeping.
        order = np.flatnonzero(scores > scores.max() - 30.0)
        order = order[np.argsort(-scores[order], kind="stable")]
        if c.top_k:
            order = order[: c.top_k]
        top = scores[order]
        probs = np.exp(top - top[0])
        probs /= probs.sum()
        if c.top_p < 1.0:
            # Keep the smallest prefix whose mass reaches top_p (always at least one token).
            keep = int(np.searchsorted(np.cumsum(probs), c.top_p) + 1)
            probs = probs[:keep] / probs[:keep].sum()
            order = order[:keep]
        return int(order[self.rng.choice(probs.shape[0], p=probs)])
