"""Free-text scrubbing on a corpus of notes holding every identifier kind, and the Safe Harbor rules."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from assistant.records.deidentify.policy import fold_birth_date, generalise_address, zip3
from assistant.records.deidentify.scrub import Known, Scrubber

SHIFT = timedelta(days=-400)
KNOWN = Known.of(["Arthur", "Sampleton", "Dr Amelia Hartfield"],
                 ["555-0101", "DEMO-100001", "14 Sample Street", "Demoville"])

# (note, the identifiers that must be gone, what must be there instead, the kind counted)
CORPUS = [
    ("Seen today with Arthur Sampleton's daughter.", ["Arthur", "Sampleton"], "[NAME]", "name in text"),
    ("Reviewed by Dr Amelia Hartfield, cardiology.", ["Amelia", "Hartfield"], "[NAME]", "name in text"),
    ("Discussed with Mrs Okonkwo (neighbour).", ["Okonkwo"], "Mrs [NAME]", "name in text"),
    ("Call home on 555-0101 or mobile (617) 555-2368.", ["555-0101", "555-2368"], "[PHONE]",
     "phone number in text"),
    ("Fax +44 20 7946 0958 for results.", ["7946 0958"], "[PHONE]", "phone number in text"),
    ("MRN: DEMO-100001; hospital no. MRN 88812345.", ["DEMO-100001", "88812345"], "[ID]",
     "record number in text"),
    ("Insurance member id ABX99231 checked, account 55512399.", ["ABX99231", "55512399"], "[ID]",
     "record number in text"),
    ("SSN 999-12-8616 on the form.", ["999-12-8616"], "[SSN]", "social security number in text"),
    ("Lives at 14 Sample Street, Demoville, DE1 0AA.", ["Sample Street", "Demoville", "DE1 0AA"],
     "[REDACTED]", "record identifier in text"),
    ("New address 221 Baker Street; ZIP MA 02115.", ["221 Baker", "02115"], "[ADDRESS]", "address in text"),
    ("Email arthur.s@example.org, portal https://portal.example.org/p/123.",
     ["arthur.s@example.org", "portal.example.org"], "[EMAIL]", "email in text"),
    ("Device at 192.168.10.22 uploaded readings.", ["192.168.10.22"], "[IP]", "ip address in text"),
    ("Admitted 2024-03-14, discharged 03/18/2024.", ["2024-03-14", "03/18/2024"], "2023-02-08",
     "date in text"),
    ("Seen on 14 March 2024 and March 18, 2024.", ["14 March 2024", "March 18, 2024"], "2023-02-08",
     "date in text"),
    ("HbA1c 7.4 % in July 2025; INRs 2.4 (Jun) and on 3 May.", ["July 2025", "(Jun)", "3 May"], "[DATE]",
     "date in text"),
    ("A 93-year-old woman, lives alone.", ["93-year-old"], "90+-year-old", "age over 89 in text"),
]


@pytest.mark.parametrize(("note", "gone", "instead", "kind"), CORPUS)
def test_each_identifier_kind_is_scrubbed(note: str, gone: list[str], instead: str, kind: str) -> None:
    counts: Counter[str] = Counter()
    out = Scrubber(KNOWN, SHIFT, counts).scrub(note)
    for ident in gone:
        assert ident not in out, (ident, out)
    assert instead in out, out
    assert counts[kind] >= 1, counts


def test_clinical_values_survive_scrubbing() -> None:
    note = "BP 138/84, HR 80, creatinine 1.55 mg/dL, eGFR 49, platelets 250000, HbA1c 8.1 % since 2014."
    assert Scrubber(KNOWN, SHIFT, Counter()).scrub(note) == note


def test_dates_in_text_move_by_the_patients_shift() -> None:
    out = Scrubber(Known(), timedelta(days=-10), Counter()).scrub("INR on 2024-01-20 and 2024-01-30.")
    assert out == "INR on 2024-01-10 and 2024-01-20."  # the ten days between them survive


def test_zip_prefixes_follow_the_population_rule() -> None:
    assert zip3("02115") == "021"
    assert zip3("03601-1234") == "000"  # 036 is one of the 17 restricted prefixes
    assert zip3("89301") == "000"
    assert zip3("DE1 0AA") == ""


def test_address_keeps_only_state_zip_prefix_and_country() -> None:
    text, _ = generalise_address("742 Evergreen Terrace, Springfield, Massachusetts, 01104, US")
    assert text == "Massachusetts, 011, US"
    assert generalise_address("14 Sample Street, Demoville, DE1 0AA, ZZ")[0] == "ZZ"


def test_ages_over_89_fold_to_90() -> None:
    assert fold_birth_date(date(1920, 1, 1), date(2024, 6, 1)) == (date(1934, 1, 1), True)
    assert fold_birth_date(date(1950, 1, 1), date(2024, 6, 1)) == (date(1950, 1, 1), False)
