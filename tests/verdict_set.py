"""The labelled set of model sentences and their expected verdicts (imported as `verdict_set`)."""

from __future__ import annotations

from functools import cache

from assistant.assist.labelled import LabelledRow, default_path, load_rows

PATH = default_path()
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


# One reader of the set: the package's (assistant eval uses it too).
Row = LabelledRow


@cache
def rows() -> tuple[Row, ...]:
    return load_rows(PATH)


def of_kind(*kinds: str) -> list[Row]:
    return [r for r in rows() if r.kind in kinds]
