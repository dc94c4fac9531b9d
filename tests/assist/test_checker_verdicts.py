"""The sentence checker over the labelled set: every rejected row rejected, >= 95 % of checked rows accepted.

Rows whose id number is divisible by 3 are held out: the checker was not tuned on them."""

from __future__ import annotations

import pytest
from verdict_set import CHECKED, REJECTED, Row, rows

from assistant.assist.facts import Fact, FactSheet
from assistant.assist.verify import VERIFIED, verify_sentence


def held_out(row: Row) -> bool:
    return int(row.id.rsplit("-", 1)[1]) % 3 == 0


def accepted(row: Row) -> bool:
    sheet = FactSheet("p", tuple(Fact(k, "x", v, (k,), 50) for k, v in row.facts.items()))
    marks = "".join(f"[{c}]" for c in row.cites)
    return verify_sentence(f"{row.sentence} {marks}".strip(), sheet, previous=row.previous).status == VERIFIED


def measure(split: list[Row]) -> tuple[list[str], float]:
    wrongly_accepted = [r.id for r in split if r.verdict == REJECTED and accepted(r)]
    true_rows = [r for r in split if r.verdict == CHECKED]
    rate = sum(accepted(r) for r in true_rows) / len(true_rows)
    return wrongly_accepted, rate


def test_tuned_split():
    bad, rate = measure([r for r in rows() if not held_out(r)])
    assert bad == []
    assert rate >= 0.95


@pytest.mark.xfail(strict=True, reason="held-out split, measured but not tuned on: 38/41 checked rows accepted "
                   "(92.7 %, three synonyms the table lacks); every rejected row rejected")
def test_held_out_split():
    bad, rate = measure([r for r in rows() if held_out(r)])
    assert bad == []
    assert rate >= 0.95


def test_whole_set_rejects_what_it_must_and_accepts_true_rows():
    bad, rate = measure(list(rows()))
    assert bad == []
    assert rate >= 0.95
