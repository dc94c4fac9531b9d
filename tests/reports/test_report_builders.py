"""Builders shared by the report tests (records, plans, summaries, PDF text) and checks of the fonts."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from assistant.assist.careplan.document import CarePlanDocument, ConditionCoverage, Item, Section
from assistant.assist.facts import FactSheet
from assistant.assist.result import Summary
from assistant.assist.verify import Sentence
from assistant.clinical.rules.base import Flag
from assistant.records.domain import (
    Allergy,
    Coding,
    Condition,
    Identifier,
    Medication,
    Observation,
    Patient,
)
from assistant.records.record import PatientRecord
from assistant.reports.layout import Letterhead

WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LETTERHEAD = Letterhead("Riverside Health Centre", "1 River Road\nRiverside RS1 2AB")
NAME = "Zoë Müller-Łukasiewicz"
CJK = "张伟"


def make_record(given: str = "Zoë", family: str = "Müller-Łukasiewicz", problems: int = 3,
                allergies: bool = True) -> PatientRecord:
    pid = "p-unicode"
    patient = Patient(pid, family=family, given=(given,), birth_date=date(1992, 4, 8), sex="female",
                      identifiers=(Identifier("urn:mrn", "MRN-778899", "MR"),))
    entries: list = [
        Condition(f"c{i}", pid, code=Coding("http://snomed.info/sct", str(1000 + i), f"Problem number {i}"),
                  clinical_status="active", onset=datetime(2010 + i % 10, 1 + i % 12, 1, tzinfo=UTC))
        for i in range(problems)
    ]
    entries.append(Observation("o-a1c", pid, code=Coding("http://loinc.org", "4548-4", "Hemoglobin A1c"),
                               value=8.9, unit="%", effective=datetime(2026, 9, 12, tzinfo=UTC)))
    entries.append(Medication("m1", pid, name="Levothyroxine 50 microgram tablet", dose_text="50 microgram daily",
                              status="active", start=datetime(2020, 1, 1, tzinfo=UTC)))
    if allergies:
        entries.append(Allergy("a1", pid, substance="Penicillin", reaction="Anaphylaxis",
                               criticality="high", clinical_status="active"))
    return PatientRecord.build(patient, entries)


def make_plan(record: PatientRecord, problems: int | None = None) -> CarePlanDocument:
    conds = record.conditions if problems is None else record.conditions[:problems]
    return CarePlanDocument(
        record.patient.id, "Care plan", "2026-11-20T10:00:00+00:00", as_of="2026-11-20",
        sections=(
            Section("problems", "Problems addressed",
                    tuple(Item(c.display, "problem", citations=(c.ref,), source="Local guideline 2025")
                          for c in conds)),
            Section("goals", "Goals", (
                Item("HbA1c target < 7.0 %; latest 8.9 % on 2026-09-12 [F3] (above target)", "goal",
                     citations=("Observation/o-a1c",), target="< 7.0 %", latest="8.9 % on 2026-09-12",
                     state="above-target", loinc="4548-4"),
                Item("Blood pressure target < 130/80 mm Hg", "goal", target="< 130/80 mm Hg",
                     state="missing"),
            )),
            Section("interventions", "Interventions", (Item("Structured diabetes education", "intervention"),)),
            Section("medications", "Medications", (
                Item("Continue or review: Levothyroxine 50 microgram daily.", "medication",
                     citations=("MedicationRequest/m1",), state="on-record"),
                Item("Metformin 1 g twice daily", "medication", status="unverified",
                     issues=("Metformin", "1 g")),
            )),
            Section("monitoring", "Monitoring", (
                Item("HbA1c: every 3 months.", "monitoring", interval="every 3 months", loinc="4548-4",
                     state="due"),)),
            Section("followup", "Follow-up", (Item("Review in 3 months with results.", "followup"),)),
            Section("patient", "Your care plan (for the patient)", (
                Item(f"Dear {NAME} ({CJK}): take your tablets every day and bring this plan to your "
                     "next visit.", "education"),)),
        ),
        conditions=(ConditionCoverage("t2dm", "Type 2 diabetes mellitus", "ADA Standards of Care", 2025,
                                      "ElSayed NA et al. Diabetes Care 2025"),),
    )


def make_summary(unverified: bool = True) -> Summary:
    sentences = [
        Sentence("HbA1c is above target at 8.9 %.", ("Observation/o-a1c",), status="verified"),
        Sentence("She takes levothyroxine daily.", ("MedicationRequest/m1",), status="deterministic"),
    ]
    if unverified:
        sentences.append(Sentence("She was started on insulin glargine in 2019.", (), status="unverified",
                                  unsupported=("insulin glargine", "2019")))
    return Summary(patient_id="p1", source="deterministic", model="", reason="", synopsis=Sentence(""),
                   sentences=tuple(sentences), facts=FactSheet("p1", ()))


def make_risk() -> SimpleNamespace:
    flag = Flag(id="allergy-conflict", title="Penicillin allergy on record", severity="critical",
                category="allergy", evidence=("AllergyIntolerance/a1",),
                explanation="A high-criticality allergy is recorded.", missing=("renal function",),
                reference="Local allergy policy 2024")
    info = Flag(id="a1c-high", title="HbA1c above target", severity="moderate",
                category="lab", evidence=("Observation/o-a1c",), explanation="",
                missing=(), reference="ADA 2025")
    return SimpleNamespace(flags=(info, flag))


def pages_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    # Extractors may break lines or double spaces differently; compare on single spaces.
    return " ".join(text.split())


# --- fonts --------------------------------------------------------------------------------------
def test_runs_split_cjk_into_the_fallback_font():
    from assistant.reports.fonts import FALLBACK, markup, runs

    assert runs("plain ascii") == [(False, "plain ascii")]
    assert runs(f"{NAME} {CJK}") == [(False, f"{NAME} "), (True, CJK)]
    assert markup(f"a<b & {CJK}") == f'a&lt;b &amp; <font name="{FALLBACK}">{CJK}</font>'


def test_fonts_and_licences_are_shipped():
    from assistant.reports.fonts import fonts_dir

    d = fonts_dir()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallbackFull.ttf",
                 "LICENSE-DejaVu.txt", "LICENSE-DroidSansFallback.txt"):
        assert (d / name).is_file(), name
    assert "Bitstream" in (d / "LICENSE-DejaVu.txt").read_text()
    assert "Apache License" in (d / "LICENSE-DroidSansFallback.txt").read_text()


def test_fit_shortens_with_an_ellipsis():
    from assistant.reports.fonts import REGULAR, fit, string_width

    long = "A very long organisation name " * 10
    short = fit(long, REGULAR, 10, 200)
    assert short.endswith("…") and string_width(short, REGULAR, 10) <= 200


@pytest.mark.parametrize("value,expected", [(date(1961, 3, 12), "12 Mar 1961"), ("2026-09-12", "12 Sep 2026"),
                                            (None, ""), ("not a date", "not a date")])
def test_fmt_date(value, expected):
    from assistant.reports.styles import fmt_date

    assert fmt_date(value) == expected
