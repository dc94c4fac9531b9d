"""The summary result shared by the model and deterministic paths, the CLI, the GUI and the reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.llm.stats import GenerationStats

from .facts import FactSheet
from .verify import Sentence

MODEL, DETERMINISTIC_SOURCE = "model", "deterministic"


@dataclass(frozen=True)
class Summary:
    """A one-line synopsis and problem-oriented sentences, each cited and with a verification status.

    `synopsis` is the one-line synopsis; `sentences` the problem-oriented sentences after it;
    `all_sentences` both, in the order shown.

    `source` is 'model' or 'deterministic'; `reason` says why a deterministic summary was made
    (no pack, model failure, on request). `cancelled` is set when the user stopped generation: the
    sentences are then those verified before the stop."""

    patient_id: str
    source: str
    model: str
    reason: str
    synopsis: Sentence
    sentences: tuple[Sentence, ...]
    facts: FactSheet
    timing: dict[str, float] = field(default_factory=dict)
    cancelled: bool = False
    dropped: tuple[Sentence, ...] = ()  # unverified sentences removed under the 'drop' setting

    @property
    def all_sentences(self) -> tuple[Sentence, ...]:
        return (self.synopsis, *self.sentences) if self.synopsis.text else self.sentences

    @property
    def note(self) -> str:
        """Alias of `reason` for views that show why the text is deterministic."""
        return self.reason

    @property
    def stats(self) -> GenerationStats | None:
        """The model's generation statistics (from `timing`); None for deterministic text."""
        if self.source != MODEL:
            return None
        t = self.timing
        return GenerationStats(new_tokens=int(t.get("new_tokens", 0)),
                               decode_tokens_per_s=float(t.get("tokens_per_s", 0.0)),
                               ttft_s=float(t.get("ttft_s", 0.0)), total_s=float(t.get("total_s", 0.0)),
                               prompt_tokens=int(t.get("prompt_tokens", 0)))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: {patient, source, model, reason, synopsis, sentences, timing, cancelled,
        dropped}; `sentences` lists everything shown in order, the synopsis first."""
        return {
            "patient": self.patient_id,
            "source": self.source,
            "model": self.model,
            "reason": self.reason,
            "synopsis": self.synopsis.to_dict() if self.synopsis.text else None,
            "sentences": [s.to_dict() for s in self.all_sentences],
            "timing": {k: round(v, 4) if isinstance(v, float) else v for k, v in self.timing.items()},
            "cancelled": self.cancelled,
            "dropped": len(self.dropped),
        }

    def text(self) -> str:
        """Plain text for a terminal: unverified sentences marked with their unsupported words."""
        lines = []
        for s in self.all_sentences:
            mark = ""
            if s.status == "unverified":
                words = ", ".join(s.unsupported) if s.unsupported else "nothing traceable to the record"
                mark = f"  [UNVERIFIED: {words}]"
            cites = f" [{', '.join(s.fact_ids)}]" if s.fact_ids else ""
            lines.append(f"{s.text}{cites}{mark}")
        return "\n".join(lines)
