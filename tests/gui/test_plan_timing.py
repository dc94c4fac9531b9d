"""The plan text follows its timing and target fields: interval, next-due date and target rewrite the words that state them."""

from __future__ import annotations

from assistant.gui.plan_timing import due_after, due_state, redate, retarget, retime, stated_due

MONITOR = "Potassium: every 3 months. Last 5.1 mmol/L on 2026-01-02 [F3]; next due 2026-04-03 (overdue)."


def test_retime_rewrites_the_interval_where_the_text_states_it():
    assert retime(MONITOR, "every 3 months", "every 6 weeks").startswith("Potassium: every 6 weeks. Last")
    assert retime("Contact the patient today to resolve the issue.", "today", "1 week") == \
        "Contact the patient within 1 week to resolve the issue."
    assert retime("Contact the patient within 1 week to resolve it.", "1 week", "today") == \
        "Contact the patient today to resolve it."
    assert retime("Next routine review in 6 months (shortest).", "6 months", "3 months") == \
        "Next routine review in 3 months (shortest)."
    # A text that states no interval says the new one, rather than contradicting it by silence.
    assert retime("Stop smoking.", "", "2 weeks") == "Stop smoking. When: 2 weeks."
    assert retime(retime("Stop smoking.", "", "2 weeks"), "2 weeks", "1 month") == "Stop smoking. When: 1 month."


def test_redate_replaces_the_stated_due_date_and_judges_it_against_the_plan_date():
    text, state = redate(MONITOR, "2026-12-20", "2026-12-01")
    assert "next due 2026-12-20 (due soon)" in text and "2026-04-03" not in text and state == "due-soon"
    text, state = redate("HbA1c: yearly. No result on record: due now.", "2027-06-01", "2026-12-01")
    assert text == "HbA1c: yearly. No result on record: next due 2027-06-01." and state == "up-to-date"
    text, _ = redate("HbA1c: yearly. Last 5.9 % on 2020-06-07; overdue (last on 2020-06-07, older than 365 days).",
                     "2026-11-01", "2026-12-01")
    assert text.endswith("next due 2026-11-01 (overdue).") and "older than" not in text
    assert redate("Check feet", "2027-03-01", "2026-12-01")[0] == "Check feet. Next due 2027-03-01."
    assert stated_due(MONITOR) == "2026-04-03" and due_state("not a date", "") == ""


def test_due_after_follows_a_plain_interval_from_the_last_result():
    assert due_after(MONITOR, "every 6 weeks") == "2026-02-13"
    assert due_after(MONITOR, "monthly until at target") == ""  # not a plain interval: left to the clinician
    assert due_after("Potassium: yearly. Last 6.1 on 2026-01-02; abnormal last value: next due 2026-02-01.",
                     "every 3 months") == ""  # due early for a reason the interval does not change


def test_retarget_in_the_clinicians_and_the_patients_words():
    assert retarget("LDL target < 100 mg/dL; latest 105", "< 100 mg/dL", "< 70 mg/dL") == "LDL target < 70 mg/dL; latest 105"
    assert retarget("Your goal for your LDL: below 100 mg/dL. Last 105.", "< 100 mg/dL, and >= 30 % lower",
                    "< 70 mg/dL") == "Your goal for your LDL: below 70 mg/dL. Last 105."
    assert retarget("Walk daily", "", ">= 150 min a week") == "Walk daily. Target: >= 150 min a week."
