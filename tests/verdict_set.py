"""The labelled set of model sentences and their expected verdicts (imported as `verdict_set`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parents[1] / "resources" / "eval" / "verdicts.jsonl"
CHECKED, REJECTED = "checked", "rejected"
# The kinds issue 13 asks for, each with at least 15 rows, and the verdict every row of it has.
REQUIRED_KINDS = {
    "restatement": CHECKED, "synonym": CHECKED, "unit_normalisation": CHECKED,
    "wrong_relation": REJECTED, "wrong_date_binding": REJECTED, "wrong_number": REJECTED,
    "invented_qualifier": REJECTED, "invented_event": REJECTED, "letter_or_roleplay": REJECTED,
    "repetition": REJECTED, "padding_citation": REJECTED,
}
# Contrast kinds: true sentences that state a link a cited fact states, or join several facts.
EXTRA_KINDS = {"relation": CHECKED, "combined": CHECKED}


@dataclass(frozen=True)
class Row:
    """One labelled sentence: the fact lines it may rely on, what came before it, and the verdict a
    careful clinician gives from the cited lines alone."""

    id: str
    kind: str
    facts: dict[str, str]
    previous: tuple[str, ...]
    sentence: str
    cites: tuple[str, ...]
    verdict: str
    why: str
    origin: str

    @property
    def cited_lines(self) -> list[str]:
        return [self.facts[c] for c in self.cites]


@cache
def rows() -> tuple[Row, ...]:
    out = []
    with PATH.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            out.append(Row(d["id"], d["kind"], d["facts"], tuple(d["previous"]), d["sentence"],
                           tuple(d["cites"]), d["verdict"], d["why"], d["origin"]))
    return tuple(out)


def of_kind(*kinds: str) -> list[Row]:
    return [r for r in rows() if r.kind in kinds]
