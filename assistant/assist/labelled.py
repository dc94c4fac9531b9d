"""The labelled set of model sentences (resources/eval/verdicts.jsonl) and how often the checker agrees with it."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.config import resources_dir

from .facts import Fact, FactSheet
from .verify import VERIFIED, Sentence, verify_sentence

CHECKED, REJECTED = "checked", "rejected"


def default_path() -> Path:
    return resources_dir() / "eval" / "verdicts.jsonl"


@dataclass(frozen=True)
class LabelledRow:
    """One labelled sentence: the fact lines it may cite, the sentences before it, and the verdict a
    careful clinician gives from the cited lines alone (field meanings: resources/eval/README.md)."""

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


def load_rows(path: Path | None = None) -> tuple[LabelledRow, ...]:
    out = []
    with (path or default_path()).open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            out.append(LabelledRow(d["id"], d["kind"], d["facts"], tuple(d["previous"]), d["sentence"],
                                   tuple(d["cites"]), d["verdict"], d["why"], d["origin"]))
    return tuple(out)


# The rows keep only the text of each cited line; the checker also reads which section of the
# sheet a line comes from (a drug on a medication line, a substance on an allergy line). The
# section is read back from the line's opening words, as assist/fact_lines.py writes them.
_SECTION_BY_PREFIX: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(Active problem|Resolved problem|Problem)\b"), "problem"),
    (re.compile(r"^Medication"), "medication"),
    (re.compile(r"^Allerg"), "allergy"),
    (re.compile(r"^Risk flag"), "flag"),
    (re.compile(r"^Note\b"), "note"),
    (re.compile(r"^Procedure"), "procedure"),
    (re.compile(r"^Encounter"), "encounter"),
    (re.compile(r"^Patient\b"), "demographics"),
    (re.compile(r"^Smoking"), "social"),
    (re.compile(r"^(Blood pressure|Heart rate|Respiratory rate|Temperature|SpO2|Weight|Height|BMI)\b"),
     "vital"),
)


def section_of(line: str) -> str:
    return next((s for p, s in _SECTION_BY_PREFIX if p.match(line)), "lab")


def row_sheet(row: LabelledRow) -> FactSheet:
    """A fact sheet of the row's lines under their own ids (the ids of the sheet they came from)."""
    facts = tuple(Fact(i, section_of(text), text, (f"Row/{row.id}/{i}",), 50)
                  for i, text in sorted(row.facts.items(), key=lambda kv: int(kv[0][1:])))
    return FactSheet(row.id, facts)


def _checker_takes_previous(check: Callable[..., Sentence]) -> bool:
    # The checker being rewritten for issue 13 may take the earlier sentences (to reject repeats);
    # today's takes none. Pass them when it can use them, so that the figures follow the checker.
    try:
        return "previous" in inspect.signature(check).parameters
    except (TypeError, ValueError):
        return False


def checker_accepts(row: LabelledRow, check: Callable[..., Sentence] = verify_sentence) -> bool:
    """True when the checker shows the row's sentence as checked, citing what the row cites."""
    text = row.sentence + "".join(f" [{c}]" for c in row.cites)
    sheet = row_sheet(row)
    result = (check(text, sheet, previous=row.previous) if _checker_takes_previous(check)
              else check(text, sheet))
    return result.status == VERIFIED


@dataclass(frozen=True)
class KindAgreement:
    """For one kind of row: how many there are, their expected verdict, and how many the checker
    gives that verdict (accepts a `checked` row, rejects a `rejected` one)."""

    kind: str
    verdict: str
    rows: int
    agreed: int
    disagreed_ids: tuple[str, ...]

    @property
    def share(self) -> float | None:
        return round(self.agreed / self.rows, 4) if self.rows else None

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "verdict": self.verdict, "rows": self.rows, "agreed": self.agreed,
                "share": self.share, "disagreed": list(self.disagreed_ids)}


@dataclass(frozen=True)
class LabelledResult:
    """The checker on the labelled set: true sentences accepted, false ones rejected, per kind."""

    path: str
    kinds: tuple[KindAgreement, ...]

    def _total(self, verdict: str) -> tuple[int, int]:
        ks = [k for k in self.kinds if k.verdict == verdict]
        return sum(k.agreed for k in ks), sum(k.rows for k in ks)

    @property
    def true_accepted(self) -> tuple[int, int]:
        """(accepted, total) over the rows whose verdict is `checked`."""
        return self._total(CHECKED)

    @property
    def false_rejected(self) -> tuple[int, int]:
        """(rejected, total) over the rows whose verdict is `rejected`."""
        return self._total(REJECTED)

    def to_dict(self) -> dict[str, object]:
        acc, n_true = self.true_accepted
        rej, n_false = self.false_rejected
        return {"path": self.path,
                "true_accepted": acc, "true_rows": n_true,
                "true_accepted_share": round(acc / n_true, 4) if n_true else None,
                "false_rejected": rej, "false_rows": n_false,
                "false_rejected_share": round(rej / n_false, 4) if n_false else None,
                "kinds": [k.to_dict() for k in self.kinds]}


def measure(rows: Sequence[LabelledRow], path: str = "",
            check: Callable[..., Sentence] = verify_sentence) -> LabelledResult:
    by_kind: dict[str, list[LabelledRow]] = {}
    for r in rows:
        by_kind.setdefault(r.kind, []).append(r)
    kinds = []
    for kind, group in by_kind.items():
        verdicts = {r.verdict for r in group}
        if len(verdicts) != 1 or not verdicts <= {CHECKED, REJECTED}:
            raise ValueError(f"labelled set: the rows of kind {kind!r} have verdicts {sorted(verdicts)}")
        verdict = verdicts.pop()
        wrong = tuple(r.id for r in group if checker_accepts(r, check) != (verdict == CHECKED))
        kinds.append(KindAgreement(kind, verdict, len(group), len(group) - len(wrong), wrong))
    kinds.sort(key=lambda k: (k.verdict, k.kind))
    return LabelledResult(path, tuple(kinds))


def measure_file(path: Path | None = None) -> LabelledResult:
    p = path or default_path()
    return measure(load_rows(p), str(p))
