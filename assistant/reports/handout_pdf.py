"""The patient handout PDF: one or two pages in large type, plain words, the patient's language."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Table,
    TableStyle,
)

from . import styles as st
from .fonts import BOLD, REGULAR, draw_string, fit, markup, register_fonts
from .handout_text import Handout, handout_lines
from .layout import _Doc

BODY_PT = 14  # large type: nothing the patient reads is smaller than this
MARGIN = 15 * mm
MAX_PAGES = 2


@lru_cache(maxsize=2)
def handout_styles(compact: bool = False) -> dict[str, ParagraphStyle]:
    """The handout's paragraph styles; every one at BODY_PT or larger. `compact` tightens only the
    space between lines and blocks (never the type size), for a handout that would run to a third page."""
    register_fonts()
    gap = 0.55 if compact else 1.0  # the share of the usual space kept around notes and headings
    body = ParagraphStyle("h_body", fontName=REGULAR, fontSize=BODY_PT, leading=BODY_PT * (1.1 if compact else 1.18),
                          textColor=st.INK, spaceAfter=1.5)
    return {
        "body": body,
        "bold": ParagraphStyle("h_bold", body, fontName=BOLD, spaceAfter=1),
        "cell": ParagraphStyle("h_cell", body, spaceAfter=0),
        "th": ParagraphStyle("h_th", body, fontName=BOLD, textColor=st.ACCENT, spaceAfter=0),
        "title": ParagraphStyle("h_title", body, fontName=BOLD, fontSize=22, leading=27,
                                textColor=st.ACCENT, spaceAfter=2),
        "sub": ParagraphStyle("h_sub", body, spaceAfter=0),
        "h": ParagraphStyle("h_h", body, fontName=BOLD, fontSize=17, leading=21, textColor=st.ACCENT,
                            spaceBefore=7 * gap, spaceAfter=2),
        "note": ParagraphStyle("h_note", body, textColor=st.WARN, backColor=st.WARN_FILL,
                               borderPadding=(4, 5, 4, 5), spaceBefore=7 * gap, spaceAfter=7 * gap),
        "alert": ParagraphStyle("h_alert", body, fontName=BOLD, textColor=st.ALERT,
                                backColor=st.ALERT_FILL, borderPadding=(4, 5, 4, 5),
                                spaceBefore=7 * gap, spaceAfter=7 * gap),
    }


def _med_table(h: Handout, rows: list[list[Flowable | list[Flowable]]], compact: bool = False) -> Table:
    styles, c = handout_styles(compact), h.catalogue
    head = [st.CachedParagraph(markup(c.t(k)), styles["th"]) for k in ("medicine_col", "what_to_do")]
    width = A4[0] - 2 * MARGIN
    table = Table([head, *rows], colWidths=[width * 0.6, width * 0.4], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, BODY_PT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), st.HEAD_FILL), ("LINEBELOW", (0, 0), (-1, 0), 1, st.ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, st.RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2 if compact else 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 if compact else 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
    return table


def handout_story(h: Handout, compact: bool = False) -> list[Flowable]:
    """Paragraphs in reading order, the medicines as one table; a heading keeps to its first lines."""
    styles = handout_styles(compact)
    story: list[Flowable] = []
    rows: list[list[Flowable | list[Flowable]]] = []
    heading: Flowable | None = None

    def add(f: Flowable) -> None:
        nonlocal heading
        story.append(KeepTogether([heading, f]) if heading is not None else f)
        heading = None

    def para(text: str, style: str) -> Flowable:
        return st.CachedParagraph(markup(text), styles[style])

    for style, text in handout_lines(h):
        if style == "med":
            rows.append([[para(text, "bold")]])
            continue
        if style == "how":
            first = rows[-1][0]
            if text and isinstance(first, list):
                first.append(para(text, "cell"))
            continue
        if style == "act":
            rows[-1].append(para(text, "cell"))
            continue
        if rows:
            add(_med_table(h, rows, compact))
            rows = []
        if style == "h":
            heading = para(text, style)
        else:
            add(para(text, style))
    if rows:
        add(_med_table(h, rows, compact))
    return story


class _PagedCanvas(Canvas):
    """Holds the pages so each can say 'Page X of Y' in the handout's language."""

    def __init__(self, *args: Any, label: Callable[[int, int], str] | None = None, name: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._label = label or (lambda n, total: f"Page {n} of {total}")
        self._name = name

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        w = A4[0]
        for n, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self.setFillColor(st.MUTED)
            y = MARGIN - 7 * mm
            # The name on every page: a loose second page still says whose it is.
            draw_string(self, MARGIN, y, fit(self._name, REGULAR, BODY_PT, w / 2), REGULAR, BODY_PT)
            draw_string(self, w - MARGIN, y, self._label(n, total), REGULAR, BODY_PT, "right")
            super().showPage()
        super().save()


def _watermark(draft: bool, c: Canvas, _doc: BaseDocTemplate) -> None:
    if not draft:
        return
    c.saveState()
    c.setFillColor(st.ALERT)
    c.setFillAlpha(0.10)
    c.translate(A4[0] / 2, A4[1] / 2)
    c.rotate(52)
    c.setFont(BOLD, 150)
    c.drawCentredString(0, -50, "DRAFT")
    c.restoreState()


def render_handout(h: Handout, cancel: Callable[[], bool] | None = None) -> bytes:
    """The handout as PDF bytes (A4; fonts embedded, CJK through the fallback font). One that runs past
    MAX_PAGES is laid out again with tighter spacing (a translation can be a few lines longer)."""
    pdf, pages = _render(h, cancel, compact=False)
    return _render(h, cancel, compact=True)[0] if pages > MAX_PAGES else pdf


def _render(h: Handout, cancel: Callable[[], bool] | None, compact: bool) -> tuple[bytes, int]:
    register_fonts()
    buf = io.BytesIO()
    w, hgt = A4
    frame = Frame(MARGIN, MARGIN, w - 2 * MARGIN, hgt - 2 * MARGIN, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    c = h.catalogue
    doc = _Doc(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
               bottomMargin=MARGIN, title=c.t("title"), author="Clinician Assistant",
               subject="Patient handout", creator="Clinician Assistant",
               producer="Clinician Assistant (reportlab)", lang=h.lang, pageCompression=1,
               cancel=cancel, displayDocTitle=1, initialFontName=REGULAR, initialFontSize=BODY_PT)
    doc.addPageTemplates([PageTemplate("page", [frame], onPageEnd=partial(_watermark, h.draft),
                                       pagesize=A4)])
    label = partial(_page_label, h)
    doc.build(handout_story(h, compact), canvasmaker=partial(_PagedCanvas, label=label, name=h.name))
    return buf.getvalue(), doc.page


def _page_label(h: Handout, n: int, total: int) -> str:
    return h.catalogue.t("page", n=str(n), total=str(total))
