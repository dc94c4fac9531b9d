"""The patient handout and the printed medication list over the demo patients: pages, words, codes, fonts, language."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pytest

from assistant.assist.careplan.document import CarePlanDocument
from assistant.assist.careplan.drafting import draft_careplan
from assistant.assist.evaluate import iter_records
from assistant.records.record import PatientRecord
from assistant.reports.careplan_summary import short_source, summary_rows
from assistant.reports.handout_pdf import BODY_PT, handout_styles, render_handout
from assistant.reports.handout_text import (
    Catalogue,
    build_handout,
    handout_text,
    medicine_name,
    resolve_language,
)
from assistant.reports.medlist_pdf import medication_rows, render_medlist
from assistant.reports.raster import page_count
from assistant.reports.readability import fk_grade, syllables

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"


@lru_cache(maxsize=1)
def demo() -> list[tuple[PatientRecord, CarePlanDocument]]:
    records = [r for _, r in iter_records(DEMO)]
    return [(r, draft_careplan(r, None, None, use_model=False)) for r in records]


@pytest.fixture
def demo_plans() -> list[tuple[PatientRecord, CarePlanDocument]]:
    if not list(DEMO.glob("*.json")):
        pytest.skip("demo patients not present")
    return demo()


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def pdffonts(pdf: bytes, tmp: Path) -> str:
    path = tmp / "f.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def test_syllables_and_grade_follow_the_formula():
    assert [syllables(w) for w in ("take", "tablet", "medicine", "stopped", "kidneys", "8.9")] == \
        [1, 2, 3, 1, 2, 1]
    # 1 sentence, 6 words, 6 syllables: 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert fk_grade("The cat sat on the mat.") == pytest.approx(-1.45)
    assert fk_grade("Glomerular filtration estimates characterise nephrological deterioration.") > 12


def test_handout_reads_at_grade_8_or_below_for_every_demo_patient(demo_plans):
    for record, plan in demo_plans:
        grade = fk_grade(handout_text(build_handout(plan, record)))
        assert 0 < grade <= 8, grade


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_handout_is_at_most_two_pages_in_large_type_without_codes(demo_plans, tmp_path: Path, lang: str):
    # The tighter layout a long translation falls back to keeps the type size; only spacing gives.
    for compact in (False, True):
        assert min(s.fontSize for s in handout_styles(compact).values()) >= BODY_PT >= 14
    for record, plan in demo_plans:
        record = record.with_patient(replace(record.patient, language=lang))
        handout = build_handout(plan, record, phone="555 0100")
        assert handout.lang == lang
        pdf = render_handout(handout)
        assert page_count(pdf) <= 2, (record.patient.name, lang)
        text = pdftotext(pdf)
        assert "[F" not in text and not re.search(r"\[\d+(, \d+)*\]", text)  # no citation marks
        assert not re.search(r"\bA?NDA\d+", text)  # RxNorm's FDA application numbers
        codes = {o.code.code for o in record.observations} | {m.code.code for m in record.medications}
        words = set(re.findall(r"[\w-]+", text))
        assert not (codes - {""}) & words, "a LOINC or RxNorm code reached the handout"
        for med in record.active_medications:
            assert medicine_name(med).split()[0] in text
        assert "555 0100" in text and handout.catalogue.t("call_heading") in text
        fonts = pdffonts(pdf, tmp_path)
        assert "DejaVuSans" in fonts and all(" yes " in ln for ln in fonts.splitlines()[2:])


def test_medicine_actions_come_from_the_plan(demo_plans):
    record, plan = demo_plans[2]  # hyperkalaemia: the plan holds potassium-raising medicines
    handout = build_handout(plan, record)
    actions = {m.action for m in handout.medicines}
    states = {i.state for i in plan.items("medications")}
    assert ("hold" in states) == ("hold" in actions) and ("stop" in states) == ("stop" in actions)
    text = handout_text(handout)
    if "hold" in actions:
        assert "Pause it." in text
    unplanned = replace(plan, sections=tuple(s for s in plan.sections if s.key != "medications"))
    assert {m.action for m in build_handout(unplanned, record).medicines} == {"keep"}


def test_unset_phone_prints_a_blank_to_fill_in_and_a_signed_plan_no_draft_note(demo_plans):
    record, plan = demo_plans[0]
    text = handout_text(build_handout(plan, record, status="signed", clinic="Northside Clinic"))
    assert "Phone: ____" in text and "Call Northside Clinic" in text and "DRAFT" not in text
    assert "DRAFT" in handout_text(build_handout(plan, record))


def test_language_resolution_and_fallback():
    assert resolve_language("zh") == resolve_language("Chinese") == resolve_language("中文") == "zh-CN"
    assert resolve_language("zh_CN") == "zh-CN"
    assert resolve_language("English") == resolve_language("") == resolve_language("Klingon") == "en"
    assert resolve_language("zh-TW") == "en"  # Traditional Chinese is not Simplified
    en = Catalogue("en")
    for key in ("title", "about_heading", "medicines_heading", "call_heading", "med_keep", "med_hold",
                "med_stop", "med_review", "untranslated"):
        assert Catalogue("zh-CN").t(key) != en.t(key) or key == "untranslated"


def test_chinese_handout_renders_cjk_and_says_what_stays_english(demo_plans, tmp_path: Path):
    record, plan = demo_plans[0]
    chinese = record.with_patient(replace(record.patient, language="zh-CN"))
    handout = build_handout(plan, chinese)
    assert handout.lang == "zh-CN"
    pdf = render_handout(handout)
    text = pdftotext(pdf)
    for heading in ("您的护理计划", "您的药物", "您的计划包括什么", "有问题请联系"):
        assert heading in text
    assert "暂无中文翻译" in text  # the plan's free text stayed English and the page says so
    assert "metformin" in text
    assert "DroidSansFallback" in pdffonts(pdf, tmp_path)
    assert "暂无中文翻译" not in handout_text(build_handout(plan, record))


def test_medication_list_current_and_recently_stopped(demo_plans):
    record, _plan = demo_plans[4]
    now = datetime.now(UTC)
    current, stopped = medication_rows(record, now)
    assert len(current) == len(record.active_medications_at(now))
    ended = [m for m in record.medications if m.end and now - timedelta(days=180) <= m.end <= now
             and m.status not in ("cancelled", "entered-in-error")]
    assert len(stopped) == len(ended)
    text = " ".join(pdftotext(render_medlist(record)).split())
    assert "Medicines I take now" in text and record.patient.name in text
    for row in current:
        assert row.name.split()[0] in text and row.started in text
    _, none_long_ago = medication_rows(record, now + timedelta(days=3650))
    assert none_long_ago == []


def test_careplan_summary_names_what_needs_doing(demo_plans):
    record, plan = demo_plans[0]
    rows = dict(summary_rows(plan))
    assert "Problems" in rows and "Tests due" in rows and "HbA1c" in rows["Tests due"]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", " ".join(rows.values()))  # dates as people write them
    source = "ElSayed NA et al. ADA Standards of Care 2024, section 6 (Diabetes Care 2024;47): long"
    assert short_source(source) == "ElSayed NA et al. ADA Standards of Care 2024, section 6"
    assert len(short_source("x" * 300)) <= 70
