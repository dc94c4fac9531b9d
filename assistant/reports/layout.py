"""Page layout of every report: letterhead, patient banner, DRAFT watermark, footer with Page X of Y."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.records.record import PatientRecord

from . import styles as st
from .fonts import BOLD, REGULAR, clip, draw_string, fit, markup, register_fonts, string_width

log = logging.getLogger(__name__)

# Binary (Flate-only) streams: ASCII85 on top makes files 25 % larger and costs time in pure Python.
rl_config.useA85 = 0

LOGO_MAX_H = 16 * mm
LOGO_MAX_W = 45 * mm
FOOTER_H = 11 * mm


class ReportCancelled(AssistantError):
    """The user cancelled a report while it was being laid out."""


@dataclass(frozen=True)
class Letterhead:
    """The site's organisation block from settings: name, address lines, optional logo file."""

    name: str = ""
    address: str = ""
    logo: str = ""

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Letterhead:
        if settings is None:
            from assistant.config import load_settings

            settings = load_settings()
        return cls(settings["organisation.name"], settings["organisation.address"],
                   settings["organisation.logo"])

    @property
    def address_lines(self) -> list[str]:
        # Settings files write line breaks as a literal "\n" as often as a real one.
        return [ln.strip() for ln in self.address.replace("\\n", "\n").splitlines() if ln.strip()]


@dataclass(frozen=True)
class Banner:
    """Who the paper is about, repeated on every page so a loose page can't be misfiled."""

    name: str
    birth_date: date | None = None
    age: int | None = None
    sex: str = ""
    mrn: str = ""
    allergies: tuple[str, ...] = ()
    deceased: str = ""  # "deceased" or "deceased 3 Feb 2024" when the record says so

    @classmethod
    def from_record(cls, record: PatientRecord) -> Banner:
        p = record.patient
        allergies = []
        for a in record.active_allergies:
            detail = [d for d in (a.reaction, a.severity or "",
                                  "high criticality" if a.criticality == "high" else "") if d]
            allergies.append(a.substance + (f" ({'; '.join(detail)})" if detail else ""))
        deceased = ""
        if p.deceased:
            deceased = "deceased" + (f" {st.fmt_date(p.deceased_date)}" if p.deceased_date else "")
        return cls(p.name or "(no name)", p.birth_date, p.age_years(), p.sex, p.mrn, tuple(allergies),
                   deceased)


@dataclass(frozen=True)
class ReportInfo:
    """What the page furniture and the PDF metadata show about one document."""

    title: str  # e.g. "Care plan"; also the PDF title (no patient identifiers in metadata)
    banner: Banner
    letterhead: Letterhead = field(default_factory=Letterhead)
    subject: str = ""
    author: str = ""
    document_id: str = ""
    version: int | None = None
    status_line: str = ""  # e.g. "Signed" or "Draft, not signed" under the title
    generated_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    watermark: str = ""  # "DRAFT" on unsigned plans; empty for none
    knowledge_version: str = ""  # the knowledge pack the content came from, named in the footer


def _nb(text: str) -> str:
    # Label and value wrap as one unit: "MRN" never ends a line with its number on the next.
    return markup(text).replace(" ", "&nbsp;")


# The banner is drawn on every page and the frames are what it leaves: an unbounded name or allergy
# list would leave no room (reportlab's LayoutError). Longer text is cut, and says so.
BANNER_LIMITS = ((100, 40, 500), (40, 24, 150))  # (name, sex/MRN, allergies); the second if too tall
BANNER_MAX_H = 55 * mm


def _banner_table(b: Banner, width: float, tight: bool = False) -> Table:
    s = st.styles()
    name_chars, fact_chars, allergy_chars = BANNER_LIMITS[tight]
    b = replace(b, name=clip(b.name, name_chars), sex=clip(b.sex, fact_chars), mrn=clip(b.mrn, fact_chars),
                allergies=(clip("; ".join(b.allergies), allergy_chars),) if b.allergies else ())
    born = st.fmt_date(b.birth_date) or "unknown"
    if b.age is not None:
        born += f" ({b.age} y)"
    if b.deceased:
        born += f", {b.deceased}"
    facts = (f"<font color='#52606d'>Born</font>&nbsp;<b>{_nb(born)}</b>&nbsp;&nbsp; "
             f"<font color='#52606d'>Sex</font>&nbsp;<b>{_nb(b.sex or 'unknown')}</b>&nbsp;&nbsp; "
             f"<font color='#52606d'>MRN</font>&nbsp;<b>{_nb(b.mrn or 'none')}</b>")
    name = Paragraph(f"<b>{markup(b.name)}</b>", ParagraphStyle("bn", s["body"], fontSize=12,
                                                                      leading=14.5))
    right = Paragraph(facts, ParagraphStyle("bf", s["body"], fontSize=9, leading=14.5,
                                                  alignment=2))
    if b.allergies:
        text = ("<b>ALLERGIES:</b> " + markup("; ".join(b.allergies)))
        colour, fill = st.ALERT, st.ALERT_FILL
    else:
        text, colour, fill = "Allergies: none recorded", st.MUTED, st.BANNER_FILL
    allergy = Paragraph(text, ParagraphStyle("ba", s["body"], fontSize=9, leading=11.5,
                                                   textColor=colour))
    # The facts column takes what it needs on one line if the name (up to 40 %) leaves room.
    plain = f"Born {born}   Sex {b.sex or 'unknown'}   MRN {b.mrn or 'none'}"
    name_w = min(string_width(b.name, BOLD, 12) + 14, width * 0.4)
    facts_w = min(string_width(plain, BOLD, 9) + 14, width - name_w)
    table = Table([[name, right], [allergy, ""]], colWidths=[width - facts_w, facts_w])
    table.setStyle(TableStyle([
        st.TABLE_FONT,
        ("SPAN", (0, 1), (1, 1)),
        ("BACKGROUND", (0, 0), (-1, 0), st.BANNER_FILL),
        ("BACKGROUND", (0, 1), (-1, 1), fill),
        ("BOX", (0, 0), (-1, -1), 0.6, st.ACCENT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.3, st.RULE),
        # A heavier red rule above known allergies: the first thing the eye meets under the name.
        *([("LINEABOVE", (0, 1), (-1, 1), 1.2, st.ALERT)] if b.allergies else []),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]))
    return table


class _Decor:
    """Draws the page furniture; sizes are measured once so the frames can leave room for them."""

    def __init__(self, info: ReportInfo, pagesize: tuple[float, float]) -> None:
        self.info = info
        self.w, self.h = pagesize
        self.width = self.w - 2 * st.MARGIN
        self.banner = _banner_table(info.banner, self.width)
        self.banner_h = self.banner.wrap(self.width, self.h)[1]
        if self.banner_h > BANNER_MAX_H:
            self.banner = _banner_table(info.banner, self.width, tight=True)
            self.banner_h = self.banner.wrap(self.width, self.h)[1]
        self.logo = self._logo()
        lines = len(info.letterhead.address_lines)
        text_h = 7 * mm + lines * 3.6 * mm
        self.letterhead_h = max(text_h, self.logo[2] if self.logo else 0, 14 * mm)
        self.header_h = 6 * mm  # later pages: one line of organisation and title

    def _logo(self) -> tuple[ImageReader, float, float] | None:
        path = self.info.letterhead.logo
        if not path:
            return None
        try:
            reader = ImageReader(str(Path(path).expanduser()))
            iw, ih = reader.getSize()
        except Exception as e:  # missing or unreadable: print without it rather than fail the report
            log.warning("letterhead logo %s not used: %s", path, e)
            return None
        scale = min(LOGO_MAX_H / ih, LOGO_MAX_W / iw)
        return reader, iw * scale, ih * scale

    def first_top(self) -> float:
        return self.h - st.MARGIN - self.letterhead_h - 3 * mm - self.banner_h - 4 * mm

    def later_top(self) -> float:
        return self.h - st.MARGIN - self.header_h - self.banner_h - 4 * mm

    def _letterhead(self, c: Canvas) -> None:
        lh, top, x = self.info.letterhead, self.h - st.MARGIN, st.MARGIN
        if self.logo:
            reader, lw, lhgt = self.logo
            c.drawImage(reader, x, top - lhgt, lw, lhgt, mask="auto")
            x += lw + 4 * mm
        right_w = 62 * mm
        text_w = self.w - st.MARGIN - right_w - x
        c.setFillColor(st.ACCENT)
        draw_string(c, x, top - 5 * mm, fit(lh.name, BOLD, 13, text_w), BOLD, 13)
        c.setFillColor(st.MUTED)
        y = top - 9.2 * mm
        for line in lh.address_lines:
            draw_string(c, x, y, fit(line, REGULAR, 8.2, text_w), REGULAR, 8.2)
            y -= 3.6 * mm
        c.setFillColor(st.INK)
        xr = self.w - st.MARGIN
        draw_string(c, xr, top - 5.5 * mm, fit(self.info.title, BOLD, 15, right_w), BOLD, 15, "right")
        if self.info.status_line:
            c.setFillColor(st.ALERT if self.info.watermark else st.MUTED)
            draw_string(c, xr, top - 10 * mm, self.info.status_line, REGULAR, 8.5, "right")
        c.setStrokeColor(st.ACCENT)
        c.setLineWidth(1)
        yl = top - self.letterhead_h - 1.5 * mm
        c.line(st.MARGIN, yl, self.w - st.MARGIN, yl)

    def _header(self, c: Canvas) -> None:
        top = self.h - st.MARGIN
        c.setFillColor(st.MUTED)
        left = self.info.letterhead.name or ""
        draw_string(c, st.MARGIN, top - 3.5 * mm, fit(left, REGULAR, 8, self.width / 2), REGULAR, 8)
        right = self.info.title + (f" · {self.info.status_line}" if self.info.status_line else "")
        draw_string(c, self.w - st.MARGIN, top - 3.5 * mm, fit(right, REGULAR, 8, self.width / 2),
                    REGULAR, 8, "right")

    def _banner(self, c: Canvas, top: float) -> None:
        self.banner.drawOn(c, st.MARGIN, top - self.banner_h)

    def _footer(self, c: Canvas) -> None:
        i = self.info
        parts = [i.title]
        if i.document_id:
            parts.append(f"Document {i.document_id}")
        if i.version is not None:
            parts.append(f"Version {i.version}")
        if i.knowledge_version:
            parts.append(f"Knowledge {i.knowledge_version}")
        c.setStrokeColor(st.RULE)
        c.setLineWidth(0.5)
        c.line(st.MARGIN, st.MARGIN + 6.5 * mm, self.w - st.MARGIN, st.MARGIN + 6.5 * mm)
        c.setFillColor(st.MUTED)
        room = self.width - 30 * mm  # "Page X of Y" sits on the right
        draw_string(c, st.MARGIN, st.MARGIN + 3.2 * mm, fit(" · ".join(parts), REGULAR, 7.3, room),
                    REGULAR, 7.3)
        draw_string(c, st.MARGIN, st.MARGIN, f"Generated {st.fmt_datetime(i.generated_at)} by "
                    "Clinician Assistant", REGULAR, 7.3)

    def first_page(self, c: Canvas, _doc: BaseDocTemplate) -> None:
        c.saveState()
        self._letterhead(c)
        self._banner(c, self.h - st.MARGIN - self.letterhead_h - 3 * mm)
        self._footer(c)
        c.restoreState()

    def later_page(self, c: Canvas, _doc: BaseDocTemplate) -> None:
        c.saveState()
        self._header(c)
        self._banner(c, self.h - st.MARGIN - self.header_h)
        self._footer(c)
        c.restoreState()

    def watermark(self, c: Canvas, _doc: BaseDocTemplate) -> None:
        # Drawn after the page content, translucent, so no table fill can hide it.
        if not self.info.watermark:
            return
        c.saveState()
        c.setFillColor(st.ALERT)
        c.setFillAlpha(0.13)
        c.translate(self.w / 2, self.h / 2)
        c.rotate(52)
        size = 150 if len(self.info.watermark) <= 6 else 900 / len(self.info.watermark)
        c.setFont(BOLD, size)
        c.drawCentredString(0, -size * 0.35, self.info.watermark)
        c.restoreState()


class _NumberedCanvas(Canvas):
    """Holds every page until the end so each can say "Page X of Y" (the total is known only then)."""

    def __init__(self, *args: Any, page_right: float = 0, page_y: float = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._page_right, self._page_y = page_right, page_y

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for n, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self.setFillColor(st.INK)
            self.setFont(BOLD, 8)
            self.drawRightString(self._page_right, self._page_y, f"Page {n} of {total}")
            super().showPage()
        super().save()


class _Doc(BaseDocTemplate):
    def __init__(self, *args: Any, cancel: Callable[[], bool] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cancel = cancel

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's name)
        if self._cancel is not None and self._cancel():
            raise ReportCancelled("report cancelled")


def build_pdf(story: Sequence[Flowable], info: ReportInfo, *, pagesize: tuple[float, float] = A4,
              cancel: Callable[[], bool] | None = None) -> bytes:
    """Lay out `story` under the page furniture of `info`; returns the PDF bytes (nothing on disk)."""
    register_fonts()
    decor = _Decor(info, pagesize)
    w, h = pagesize
    bottom = st.MARGIN + FOOTER_H
    first = Frame(st.MARGIN, bottom, decor.width, decor.first_top() - bottom, id="first",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(st.MARGIN, bottom, decor.width, decor.later_top() - bottom, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    buf = io.BytesIO()
    doc = _Doc(buf, pagesize=pagesize, leftMargin=st.MARGIN, rightMargin=st.MARGIN,
               topMargin=st.MARGIN, bottomMargin=st.MARGIN, title=info.title,
               author=info.author or info.letterhead.name or "Clinician Assistant",
               subject=info.subject or info.title, creator="Clinician Assistant",
               producer="Clinician Assistant (reportlab)", lang="en", pageCompression=1,
               cancel=cancel, displayDocTitle=1,
               # reportlab starts every canvas in Helvetica, which it never embeds; an archival PDF
               # must carry every font it names, so the canvas starts in the embedded DejaVu face.
               initialFontName=REGULAR, initialFontSize=10)
    doc.addPageTemplates([
        PageTemplate("first", [first], onPage=decor.first_page, onPageEnd=decor.watermark,
                     pagesize=pagesize),
        PageTemplate("later", [later], onPage=decor.later_page, onPageEnd=decor.watermark,
                     pagesize=pagesize),
    ])
    maker = partial(_NumberedCanvas, page_right=w - st.MARGIN, page_y=st.MARGIN + 1.6 * mm)
    doc.build([NextPageTemplate("later"), *story], canvasmaker=maker)
    return buf.getvalue()
