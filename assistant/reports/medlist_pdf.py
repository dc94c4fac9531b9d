"""The printed medication list: current medicines (dose, how to take, started, reason), recent stops."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Table, TableStyle

from assistant.records.domain import Condition, Medication, aware
from assistant.records.record import PatientRecord

from . import styles as st
from .fonts import BOLD, REGULAR, markup
from .handout_text import Catalogue, how_to_take, medicine_name, resolve_language
from .layout import Banner, Letterhead, ReportInfo, build_pdf

STOPPED_DAYS = 180  # "recently": the half year a patient still asks about or a pharmacist checks
CELL_PT = 11  # larger than the clinician's documents: patients read and carry this one
NOT_ACTIVE = ("cancelled", "entered-in-error", "draft")  # never taken: not "stopped" either


@dataclass(frozen=True)
class MedRow:
    name: str
    how: str
    started: str
    reason: str
    stopped: str = ""


def _reason(med: Medication, record: PatientRecord) -> str:
    names = []
    for ref in med.reason_refs:
        e = record.entry(ref)
        if isinstance(e, Condition) and e.display:
            names.append(e.display)
    return ", ".join(dict.fromkeys(names))


def _row(med: Medication, record: PatientRecord) -> MedRow:
    return MedRow(medicine_name(med), how_to_take(med), st.fmt_date(med.start), _reason(med, record),
                  st.fmt_date(med.end))


def medication_rows(record: PatientRecord, now: datetime | None = None,
                    days: int = STOPPED_DAYS) -> tuple[list[MedRow], list[MedRow]]:
    """(current, stopped in the last `days` days, newest stop first) of the record at `now`."""
    now = now or datetime.now(UTC)
    current = [_row(m, record) for m in record.active_medications_at(now)]
    since = now - timedelta(days=days)
    stopped = [m for m in record.medications
               if not m.active_at(now) and m.status not in NOT_ACTIVE and m.end is not None
               and since <= aware(m.end) <= now]
    stopped.sort(key=lambda m: aware(m.end or now), reverse=True)
    return current, [_row(m, record) for m in stopped]


def _table(header: list[str], rows: list[list[str]], fractions: list[float]) -> Table:
    base = st.styles()["body"]
    cell = ParagraphStyle("ml_cell", base, fontSize=CELL_PT, leading=CELL_PT * 1.25)
    head = ParagraphStyle("ml_head", cell, fontName=BOLD, textColor=st.ACCENT)
    widths = [st.CONTENT_W * f / sum(fractions) for f in fractions]
    data: list[list[Flowable]] = [[st.CachedParagraph(markup(h), head) for h in header]]
    data += [[st.CachedParagraph(markup(c), cell) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, CELL_PT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), st.HEAD_FILL), ("LINEBELOW", (0, 0), (-1, 0), 0.8, st.ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, st.RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table


def medlist_story(record: PatientRecord, c: Catalogue, now: datetime | None = None) -> list[Flowable]:
    current, stopped = medication_rows(record, now)
    today = st.fmt_date((now or datetime.now(UTC)).astimezone().date())
    story: list[Flowable] = [
        st.para(c.m("printed", date=today)), *st.heading(c.m("heading_current"))]
    head = [c.m("col_medicine"), c.m("col_how"), c.m("col_started"), c.m("col_reason")]
    if current:
        story.append(_table(head, [[r.name, r.how, r.started, r.reason] for r in current],
                            [3.1, 3.5, 1.8, 2.2]))
    else:
        story.append(st.para(c.m("none_current")))
    story += st.heading(c.m("heading_stopped", days=str(STOPPED_DAYS)))
    if stopped:
        story.append(_table([c.m("col_medicine"), c.m("col_how"), c.m("col_stopped"), c.m("col_reason")],
                            [[r.name, r.how, r.stopped, r.reason] for r in stopped],
                            [3.1, 3.5, 1.8, 2.2]))
    else:
        story.append(st.para(c.m("none_stopped")))
    return story


def render_medlist(record: PatientRecord, *, lang: str | None = None, document_id: str = "",
                   letterhead: Letterhead | None = None, now: datetime | None = None,
                   cancel: Callable[[], bool] | None = None) -> bytes:
    """The medication list as PDF bytes, in the patient's language where a catalogue exists."""
    c = Catalogue(lang if lang is not None else resolve_language(record.patient.language))
    generated = (now or datetime.now(UTC)).astimezone()
    info = ReportInfo(title=c.m("title"), banner=Banner.from_record(record),
                      letterhead=letterhead if letterhead is not None else Letterhead.from_settings(),
                      subject="Medication list", document_id=document_id,
                      status_line=st.fmt_date(generated.date()), generated_at=generated)
    return build_pdf(medlist_story(record, c, now), info, cancel=cancel)


