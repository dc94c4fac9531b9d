"""Moving every FHIR date of a document by whole days (records/date_shift.py), on the demo bundles."""

from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime

import pytest

from assistant.records.date_shift import date_strings, is_fhir_date, shift_date_text, shift_dates
from support import ROOT

LOOSE_DATE = re.compile(r"\b(19|20)\d\d[-/.](0[1-9]|1[0-2])\b|\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|"
                        r"Oct|Nov|Dec)[a-z]*\b")
BUNDLES = sorted((ROOT / "resources" / "demo").glob("*.json"))


def _when(text: str) -> datetime | date:
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def _strings(doc: object, path: str = "") -> dict[str, str]:
    """Every string value of a document by its JSON path."""
    if isinstance(doc, str):
        return {path: doc}
    if isinstance(doc, dict):
        return {k: v for key, val in doc.items() for k, v in _strings(val, f"{path}.{key}").items()}
    if isinstance(doc, list):
        return {k: v for i, val in enumerate(doc) for k, v in _strings(val, f"{path}[{i}]").items()}
    return {}


@pytest.mark.parametrize("text, days, moved", [
    ("2026-11-19", 16, "2026-12-05"),
    ("2026-11-19T18:30:00+00:00", 16, "2026-12-05T18:30:00+00:00"),
    ("2024-02-28T23:59:59.123Z", 1, "2024-02-29T23:59:59.123Z"),  # a leap day
    ("2026-12-31T08:00:00-05:00", 1, "2027-01-01T08:00:00-05:00"),
    ("2015-07", 16, "2015-07"),  # month precision moves its middle day: stays in July
    ("2015-07", 20, "2015-08"),
    ("1992-04-08", -400, "1991-03-05"),
])
def test_one_date_moves_at_its_own_precision(text: str, days: int, moved: str) -> None:
    assert shift_date_text(text, days) == moved


@pytest.mark.parametrize("text", ["2670", "2015", "8480-6", "1988-5", "19926-5", "DEMO-100005",
                                  "2026-13-01", "2026-11-19T25:00:00Z", "10:30:00", "CKD-EPI 2021",
                                  " 2026-11-19", "2026-11-19T18:30"])
def test_codes_words_and_non_fhir_dates_are_left_alone(text: str) -> None:
    assert not is_fhir_date(text)
    assert shift_date_text(text, 30) == text


def test_no_date_left_unshifted_and_nothing_else_changed() -> None:
    assert len(BUNDLES) == 5
    for path in BUNDLES:
        doc = json.loads(path.read_text(encoding="utf-8"))
        moved = shift_dates(doc, 13)
        before, after = _strings(doc), _strings(moved)
        assert before.keys() == after.keys(), path.name
        dates = dict(date_strings(doc))
        assert len(dates) > 50, path.name
        for where, old in before.items():
            new = after[where]
            if where.lstrip(".") in dates:
                assert (_when(new) - _when(old)).days == 13, (path.name, where, old, new)
                assert len(new) == len(old)
            else:
                assert new == old, (path.name, where)
        # no date hides inside a longer string (a note, an id, a display) where the shift misses it
        for where, text in before.items():
            if where.lstrip(".") not in dates:
                if where.endswith(".attachment.data"):
                    text = base64.b64decode(text).decode("utf-8")
                assert not LOOSE_DATE.search(text), (path.name, where, text[:80])


def test_intervals_and_ages_are_kept() -> None:
    for path in BUNDLES:
        doc = json.loads(path.read_text(encoding="utf-8"))
        days = 1000 + 17  # over leap years and across a year's end
        old = [_when(v) for _, v in date_strings(doc)]
        new = [_when(v) for _, v in date_strings(shift_dates(doc, days))]
        pairs = list(zip(old, new, strict=True))
        for (a0, a1), (b0, b1) in zip(pairs, pairs[1:], strict=False):
            if type(a0) is type(b0):
                assert b1 - a1 == b0 - a0, path.name  # every interval, to the second
        birth = date.fromisoformat(doc["entry"][0]["resource"]["birthDate"])
        moved_birth = date.fromisoformat(shift_dates(doc, days)["entry"][0]["resource"]["birthDate"])
        for a0, a1 in pairs:
            d0, d1 = (a0.date() if isinstance(a0, datetime) else a0), (a1.date() if isinstance(a1, datetime) else a1)
            assert _age(birth, d0) == _age(moved_birth, d1), path.name


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def test_the_input_document_is_not_changed() -> None:
    doc = {"birthDate": "1990-01-01", "x": [{"when": "2020-05-05T10:00:00Z"}]}
    copy = json.loads(json.dumps(doc))
    assert shift_dates(doc, 5) == {"birthDate": "1990-01-06", "x": [{"when": "2020-05-10T10:00:00Z"}]}
    assert doc == copy
