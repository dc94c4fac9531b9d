"""Token ids to streamed text pieces, holding back text that might be the start of a stop string."""

from __future__ import annotations

from collections.abc import Sequence

from tokenizers import Tokenizer
from tokenizers.decoders import DecodeStream


class TextStream:
    """Feed token ids one at a time; `push` returns the text now safe to show, never past a stop string."""

    def __init__(self, tokenizer: Tokenizer, stop_strings: Sequence[str] = (), skip_special_tokens: bool = True) -> None:
        self.tokenizer = tokenizer
        # DecodeStream buffers ids until they form whole UTF-8 characters and handles the
        # leading-space rules of each tokenizer, so pieces join to exactly the full decode.
        self.decoder = DecodeStream(skip_special_tokens=skip_special_tokens)
        self.stops = tuple(s for s in stop_strings if s)
        self.pending = ""  # decoded but not yet emitted: could still become a stop string
        self.text = ""  # everything emitted so far
        self.stopped_on: str | None = None

    def push(self, token_id: int) -> str:
        piece = self.decoder.step(self.tokenizer, token_id)
        if not piece:
            return ""
        return self._release(piece)

    def _release(self, piece: str) -> str:
        if not self.stops:
            self.text += piece
            return piece
        # Look for a stop string that ends inside the new text (it may have begun in `pending`).
        window = self.pending + piece
        hits = [(window.find(s), s) for s in self.stops]
        hits = [(i, s) for i, s in hits if i >= 0]
        if hits:
            at, stop = min(hits)
            self.stopped_on = stop
            out, self.pending = window[:at], ""
            self.text += out
            return out
        # Hold back the longest tail that is a prefix of some stop string.
        hold = 0
        for s in self.stops:
            for n in range(min(len(s) - 1, len(window)), hold, -1):
                if window.endswith(s[:n]):
                    hold = n
                    break
        out = window[: len(window) - hold]
        self.pending = window[len(window) - hold :]
        self.text += out
        return out

    def flush(self) -> str:
        """At the end of generation, release held-back text that turned out not to be a stop string."""
        out, self.pending = self.pending, ""
        self.text += out
        return out
