"""The patient section holds no unchecked model text; letters and role play are never checked text."""

from __future__ import annotations

from assist_fixtures import FakeRisk
from careplan_support import FakeEngine, demo_record

from assistant.assist.careplan.drafting import draft_careplan
from assistant.assist.careplan.review import content_notes, unchecked_items
from assistant.assist.careplan.text import letter_voice

ROLE_PLAY = ("Dear Dr. Smith, I hope this message finds you well. My name is Sarah Johnson, and I am a "
             "registered dietitian. Your average blood sugar is higher than your goal {HbA1c}.")


def test_role_play_never_reaches_the_patient_section() -> None:
    doc = draft_careplan(demo_record("01"), FakeRisk(), FakeEngine(patient=ROLE_PLAY))
    patient = " ".join(i.text for i in doc.items("patient"))
    for word in ("Dear", "Sarah", "dietitian", "I hope"):
        assert word not in patient, word
    # The one clinical line of the script is second person with words its line lacks: unchecked too.
    assert "Your average blood sugar" not in patient
    assert doc.items("patient")[0].text.startswith("This plan is about your")
    assert not [u for u in unchecked_items(doc) if u.section.startswith("Your care plan")]
    assert any("for the patient section left out" in w for w in doc.warnings)


def test_kept_in_place_role_play_is_marked_unchecked() -> None:
    doc = draft_careplan(demo_record("01"), FakeRisk(), FakeEngine(patient=ROLE_PLAY), keep_unchecked=True)
    marked = [i for i in doc.items("patient") if "Sarah" in i.text or "Dear" in i.text]
    assert marked and all(i.status == "unverified" for i in marked)
    assert any("first-person" in " ".join(i.issues) for i in marked)
    assert any("Your care plan" in n for n in content_notes(doc))


def test_letter_voice() -> None:
    assert letter_voice("Dear Dr. Smith, I hope this message finds you well.")
    assert letter_voice("My name is Sarah Johnson, and I am a registered dietitian.")
    assert not letter_voice("Type I diabetes mellitus (since 2004-03-01).")
    assert not letter_voice("Your goal for your HbA1c: below 7.0 %.")
