"""Report fonts: embedded DejaVu Sans with a CJK fallback chosen per character run by glyph coverage."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from assistant.config import resources_dir
from assistant.errors import AssistantError

log = logging.getLogger(__name__)

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FALLBACK = "DroidSansFallback"  # CJK; loaded only when a report needs a character DejaVu lacks

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", FALLBACK: "DroidSansFallbackFull.ttf"}
# The longest text one paragraph prints. A table cell cannot break across pages, so a single text
# far longer than any clinical display (a 100,000-character code display) made the whole PDF fail
# with "too large on page"; clinical texts stay far below this.
MAX_TEXT_CHARS = 1500
_lock = threading.Lock()
_primary: frozenset[int] = frozenset()  # code points both DejaVu faces can draw
_fallback: frozenset[int] | None = None  # None: not loaded yet; empty: unavailable


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def _load(name: str) -> TTFont:
    path = fonts_dir() / _FILES[name]
    try:
        font = TTFont(name, str(path))
    except Exception as e:  # OSError, or reportlab's TTFError for a damaged file
        raise AssistantError(f"report font {path} is missing or unreadable ({e}); reinstall the "
                             "application") from None
    pdfmetrics.registerFont(font)
    return font


def register_fonts() -> None:
    """Register DejaVu Sans regular and bold with reportlab (idempotent, thread-safe)."""
    global _primary
    if _primary:
        return
    with _lock:
        if _primary:
            return
        regular, bold = _load(REGULAR), _load(BOLD)
        # <b> inside paragraphs maps to the bold face; there is no italic face, so italic maps to upright.
        for italic in (0, 1):
            addMapping(REGULAR, 0, italic, REGULAR)
            addMapping(REGULAR, 1, italic, BOLD)
        # A character only counts as covered when both faces have it, so bold text never loses glyphs.
        _primary = frozenset(regular.face.charToGlyph) & frozenset(bold.face.charToGlyph)


def _fallback_cover() -> frozenset[int]:
    global _fallback
    if _fallback is not None:
        return _fallback
    with _lock:
        if _fallback is None:
            try:
                font = _load(FALLBACK)
            except AssistantError as e:
                # Reports still render (with empty boxes for those characters); say so once.
                log.warning("CJK fallback font unavailable: %s", e.message)
                _fallback = frozenset()
            else:
                for bold in (0, 1):
                    for italic in (0, 1):
                        addMapping(FALLBACK, bold, italic, FALLBACK)
                _fallback = frozenset(font.face.charToGlyph)
    return _fallback


def runs(text: str) -> list[tuple[bool, str]]:
    """Split text into (use_fallback, chunk) runs. Characters neither font has stay in the primary
    run (they print as the missing-glyph box rather than vanish)."""
    register_fonts()
    if text.isascii():
        return [(False, text)] if text else []
    out: list[tuple[bool, str]] = []
    cover = _primary
    for ch in text:
        cp = ord(ch)
        alt = cp not in cover and not ch.isspace() and cp in _fallback_cover()
        if out and out[-1][0] == alt:
            out[-1] = (alt, out[-1][1] + ch)
        else:
            out.append((alt, ch))
    return out


def clip(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """The text, cut at `limit` characters with a note of how much is not shown."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters not shown]"


def markup(text: str) -> str:
    """Paragraph markup for plain text: XML-escaped, line breaks kept, fallback runs wrapped in
    <font name=...> so that e.g. "张伟" prints in the CJK font inside a DejaVu paragraph. A text
    longer than MAX_TEXT_CHARS is cut, and says how much is not shown."""
    text = clip(text)
    parts = []
    for alt, chunk in runs(text):
        chunk = escape(chunk).replace("\n", "<br/>")
        parts.append(f'<font name="{FALLBACK}">{chunk}</font>' if alt else chunk)
    return "".join(parts)


def string_width(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(chunk, FALLBACK if alt else font, size)
               for alt, chunk in runs(text))


def draw_string(canvas: Canvas, x: float, y: float, text: str, font: str, size: float,
                align: str = "left") -> float:
    """Draw one line on a canvas with fallback runs; returns its width. align: left, right, centre."""
    width = string_width(text, font, size)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    for alt, chunk in runs(text):
        name = FALLBACK if alt else font
        canvas.setFont(name, size)
        canvas.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, name, size)
    return width


def fit(text: str, font: str, size: float, max_width: float) -> str:
    """The text, shortened with an ellipsis if needed to fit max_width (for one-line headers)."""
    if string_width(text, font, size) <= max_width:
        return text
    while text and string_width(text + "…", font, size) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"
