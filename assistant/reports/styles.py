"""Report look: colours, paragraph styles, table styling and date formats shared by every document."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from .bounded import bounded
from .fonts import BOLD, REGULAR, markup, register_fonts

log = logging.getLogger(__name__)

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#1d4e89")
RULE = colors.HexColor("#cbd2d9")
HEAD_FILL = colors.HexColor("#e4e9f0")
ZEBRA = colors.HexColor("#f7f9fb")
BANNER_FILL = colors.HexColor("#eef3f8")
ALERT = colors.HexColor("#b42318")
ALERT_FILL = colors.HexColor("#fef3f2")
WARN = colors.HexColor("#b54708")
WARN_FILL = colors.HexColor("#fffaeb")
# Same palette as the GUI's severity badges, so screen and paper agree.
SEVERITY_COLOR = {"critical": colors.HexColor("#b42318"), "high": colors.HexColor("#dc6803"),
                  "moderate": colors.HexColor("#a16207"), "info": colors.HexColor("#2563eb")}

MARGIN = 16 * mm
CELL_SIZE, CELL_LEADING = 8.5, 10.8
CONTENT_W = A4[0] - 2 * MARGIN  # A4 is the narrowest page we print on, so tables fit on Letter too
# Every table starts in the embedded face: reportlab's table default is Helvetica, which it never
# embeds, and it sets that font even for an empty cell.
TABLE_FONT = ("FONT", (0, 0), (-1, -1), REGULAR, CELL_SIZE, CELL_LEADING)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    """The named paragraph styles (built once, after the fonts are registered)."""
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5, textColor=INK)
    s = {
        "body": body,
        "title": ParagraphStyle("title", body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=2),
        "h2": ParagraphStyle("h2", body, fontName=BOLD, fontSize=11.5, leading=14, textColor=ACCENT,
                             spaceBefore=9, spaceAfter=4),
        "small": ParagraphStyle("small", body, fontSize=8, leading=10, textColor=MUTED),
        "cell": ParagraphStyle("cell", body, fontSize=CELL_SIZE, leading=CELL_LEADING),
        "cell_bold": ParagraphStyle("cell_bold", body, fontName=BOLD, fontSize=CELL_SIZE,
                                    leading=CELL_LEADING),
        "cell_head": ParagraphStyle("cell_head", body, fontName=BOLD, fontSize=8.2, leading=10.4,
                                    textColor=ACCENT),
        "cell_muted": ParagraphStyle("cell_muted", body, fontSize=7.8, leading=9.8, textColor=MUTED),
        "bullet": ParagraphStyle("bullet", body, leftIndent=11, bulletIndent=2, spaceAfter=2.5),
        "patient": ParagraphStyle("patient", body, fontSize=11, leading=15, spaceAfter=4),
        "note": ParagraphStyle("note", body, fontSize=8.5, leading=11, textColor=WARN,
                               backColor=WARN_FILL, borderPadding=(3, 4, 3, 4), leftIndent=4,
                               rightIndent=4, spaceBefore=4, spaceAfter=6),
        "right": ParagraphStyle("right", body, alignment=TA_RIGHT),
    }
    return s


class CachedParagraph(Paragraph):
    """A Paragraph that does not break its lines again for a width it has already been wrapped to.

    A table wraps every cell to measure rows, again when it splits over a page and again to draw
    it; line breaking is most of the cost of a large plan. The result depends on the width only
    (the text and style never change after creation), so the last answer is reused.
    """

    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # `split` drops the broken lines (`blPara`) when it refuses to split (orphan and widow
        # control); the cached size is only good while those lines are still there, else drawing
        # the paragraph fails ('CachedParagraph' object has no attribute 'blPara').
        if self._wrapped is not None and self._wrapped[0] == availWidth and "blPara" in self.__dict__:
            return self._wrapped[1]
        size = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, size)
        return size


def para(text: str, style: str = "body", raw: bool = False) -> Paragraph:
    """A paragraph of plain text (escaped, with font fallback) or, with raw=True, of ready markup."""
    return CachedParagraph(text if raw else markup(text), styles()[style])


def guarded(part: str, build: Callable[[], list[Flowable]]) -> list[Flowable]:
    """One part of a document, or a note that it could not be printed: a value no one foresaw
    costs that part, never the whole document."""
    try:
        return build()
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError, RecursionError) as e:
        log.warning("report part %r failed (%s)", part, type(e).__name__)
        return [para(f"{part}: this part could not be printed ({type(e).__name__}); the rest of the "
                     "document is complete. See the chart in the app.", "note")]


def heading(title: str) -> list[Flowable]:
    """A section heading that never sits alone at the foot of a page: it moves to the next page
    unless there is room for it and the first rows of what follows."""
    return [CondPageBreak(30 * mm), para(title, "h2")]


def cell(text: str, style: str = "cell") -> Paragraph:
    return para(text, style)


def _plain_or_para(text: str, width: float) -> str | Paragraph:
    # A table draws a plain string several times faster than a Paragraph, which matters for the
    # 0.5 s budget on large records; only text that fits on one line in DejaVu can stay plain.
    if not text or ("\n" not in text and text.isascii()
                    and stringWidth(text, REGULAR, CELL_SIZE) <= width):
        return text
    return cell(text)


def _bounded_cell(value: Flowable | str, width: float) -> Flowable | str:
    cell_value = value if isinstance(value, Flowable) else _plain_or_para(str(value), width - 8)
    return bounded(cell_value) if isinstance(cell_value, Flowable) else cell_value


def data_table(header: Sequence[str], rows: Sequence[Sequence[Flowable | str]],
               fractions: Sequence[float], extra: Sequence[tuple] = ()) -> Table:
    """A full-width table (column widths as fractions of the text width) whose header row repeats
    on every page it flows onto. A row cannot break over a page: every paragraph in it is bounded
    (`bounded.BoundedCell`), so no record text, however long, can stop the document."""
    widths = [CONTENT_W * f / sum(fractions) for f in fractions]
    body = [[_bounded_cell(c, w) for c, w in zip(row, widths, strict=True)] for row in rows]
    table = Table([[cell(h, "cell_head") for h in header], *body], colWidths=widths,
                  repeatRows=1, hAlign="LEFT")
    commands: list[tuple] = [
        TABLE_FONT,
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 1), (-1, -1), REGULAR, CELL_SIZE, CELL_LEADING),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    # Zebra rows make wide tables easier to follow across on paper.
    commands += [("BACKGROUND", (0, r), (-1, r), ZEBRA) for r in range(2, len(body) + 1, 2)]
    table.setStyle(TableStyle([*commands, *extra]))
    return table


def fmt_date(value: date | datetime | str | None) -> str:
    """'12 Mar 1961': unambiguous in every locale (no 03/12 vs 12/03 confusion)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text[:10])
        except ValueError:
            return text
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone()
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def fmt_datetime(value: datetime | str | None) -> str:
    """'22 Nov 2026 21:15 UTC+01:00' in local time; naive values are taken as UTC (the store's)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return text
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone()
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return f"{fmt_date(local)} {local:%H:%M} UTC{offset}"
