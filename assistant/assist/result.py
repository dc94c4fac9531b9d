"""The summary result shared by the model and deterministic paths, the CLI, the GUI and the reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.llm.stats import GenerationStats

from .facts import Fact, FactSheet
from .verify import DETERMINISTIC, UNVERIFIED, Sentence

MODEL, DETERMINISTIC_SOURCE = "model", "deterministic"
FROM_RECORD = "From the record"
UNCHECKED = "Not supported by the record — not checked"


def model_heading(model: str) -> str:
    """The truthful label above model prose."""
    name = f" ({model})" if model else ""
    return f"Written by the language model{name}; each sentence checked against the entries it cites"


def dropped_line(count: int, how: str) -> str:
    """'2 model sentences not shown: not supported by the record (<how to see them>).'"""
    return (f"{count} model sentence{'s' if count != 1 else ''} not shown: not supported by the record "
            f"({how}).")


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
    def record_built(self) -> tuple[Sentence, ...]:
        """The sentences built from the record (status 'deterministic'), in order."""
        return tuple(s for s in self.all_sentences if s.status == DETERMINISTIC)

    @property
    def model_sentences(self) -> tuple[Sentence, ...]:
        """The model's sentences that are shown: checked, or marked in place under 'mark'."""
        return tuple(s for s in self.all_sentences if s.status != DETERMINISTIC)

    @property
    def note(self) -> str:
        """Alias of `reason` for views that show why the text is deterministic."""
        return self.reason

    def how_made(self) -> str:
        """How the text was made, in words that claim no check that did not happen (CLI and PDF)."""
        if self.source != MODEL:
            return f"from the record (no language model){': ' + self.reason if self.reason else ''}"
        model = f"the language model {self.model}".rstrip()
        checked = sum(s.status == "verified" for s in self.model_sentences)
        marked = len(self.model_sentences) - checked
        parts = ["from the record"]
        if checked:
            parts.append(f"{checked} sentence{'s' if checked != 1 else ''} by {model}, each checked "
                         "against the entries it cites")
        if marked:
            parts.append(f"{marked} model sentence{'s' if marked != 1 else ''} not checked (marked)")
        if self.dropped:
            parts.append(f"{len(self.dropped)} model sentence{'s' if len(self.dropped) != 1 else ''} "
                         "left out: not supported by the record")
        if not (checked or marked):
            parts.append(f"nothing written by {model} is shown")
        return "; ".join(parts)

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

    def text(self, show_dropped: bool = False, how: str = "--show-unchecked lists them") -> str:
        """Plain text for a terminal under truthful headings: the record-built part, then the model's
        prose (unverified sentences marked with their unsupported words), then how many were dropped
        and, with `show_dropped`, those sentences under their own label."""
        parts = [FROM_RECORD + ":", *(_line(s) for s in self.record_built)]
        if self.source == MODEL:
            model = self.model_sentences
            parts += ["", model_heading(self.model) + ":"]
            parts += [_line(s) for s in model] if model else ["(no model sentence passed the check)"]
        if self.dropped:
            parts += ["", dropped_line(len(self.dropped), how)]
            if show_dropped:
                parts += [UNCHECKED + ":", *(_line(s) for s in self.dropped)]
        return "\n".join(parts)

    def to_stored(self) -> dict[str, Any]:
        """Everything needed to show this summary again (sentences, dropped ones and fact sheet)."""
        return {"patient": self.patient_id, "source": self.source, "model": self.model,
                "reason": self.reason, "synopsis": _sentence_dict(self.synopsis),
                "sentences": [_sentence_dict(s) for s in self.sentences],
                "dropped": [_sentence_dict(s) for s in self.dropped],
                "timing": dict(self.timing), "cancelled": self.cancelled,
                "facts": {"patient": self.facts.patient_id, "tokens": self.facts.tokens,
                          "as_of": self.facts.as_of.isoformat() if self.facts.as_of else None,
                          "lines": [_fact_dict(f) for f in self.facts.lines]}}

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Summary:
        """The summary `to_stored` wrote."""
        facts = data["facts"]
        as_of = datetime.fromisoformat(facts["as_of"]) if facts.get("as_of") else None
        sheet = FactSheet(str(facts["patient"]), tuple(_fact(f) for f in facts["lines"]), as_of=as_of,
                          tokens=facts.get("tokens"))
        return cls(str(data["patient"]), str(data["source"]), str(data["model"]), str(data["reason"]),
                   _sentence(data["synopsis"]), tuple(_sentence(s) for s in data["sentences"]), sheet,
                   {k: float(v) for k, v in data.get("timing", {}).items()}, bool(data.get("cancelled")),
                   tuple(_sentence(s) for s in data.get("dropped", ())))


def _line(s: Sentence) -> str:
    mark = ""
    if s.status == UNVERIFIED:
        words = ", ".join(s.unsupported) if s.unsupported else "nothing traceable to the record"
        mark = f"  [UNVERIFIED: {words}]"
    cites = f" [{', '.join(s.fact_ids)}]" if s.fact_ids else ""
    return f"{s.text}{cites}{mark}"


def _sentence_dict(s: Sentence) -> dict[str, Any]:
    return {"text": s.text, "citations": list(s.citations), "fact_ids": list(s.fact_ids),
            "status": s.status, "unsupported": list(s.unsupported), "checked": s.checked}


def _sentence(d: dict[str, Any]) -> Sentence:
    return Sentence(str(d["text"]), tuple(d["citations"]), tuple(d["fact_ids"]), str(d["status"]),
                    tuple(d["unsupported"]), int(d.get("checked", 0)))


def _fact_dict(f: Fact) -> dict[str, Any]:
    return {"id": f.id, "section": f.section, "text": f.text, "refs": list(f.refs),
            "priority": f.priority, "detail": f.detail}


def _fact(d: dict[str, Any]) -> Fact:
    # JSON turns the detail's tuples (a medication's reasons) into lists; back to tuples.
    detail = {k: tuple(v) if isinstance(v, list) else v for k, v in d.get("detail", {}).items()}
    return Fact(str(d["id"]), str(d["section"]), str(d["text"]), tuple(d["refs"]), int(d["priority"]), detail)
