"""A table cell of record text that is never taller than part of a page: longer text is cut and marked."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

# A table row cannot break over a page, so a cell taller than the frame stops the whole document
# (reportlab's LayoutError). The shortest frame (later pages, under the tallest banner the layout
# allows) is well over 150 mm high; a cell keeps to 95 mm, leaving room for the header row, the
# padding and a neighbouring cell's own 95 mm beside it.
CELL_MAX_H = 95 * mm
CUT_NOTE = "… [cut here: too long to print in one place; the full text is in the chart in the app]"


class BoundedCell(Flowable):
    """A paragraph as a table cell, cut at `max_h` points with a note saying so.

    The paragraph's own split (line by line, at the height left above the note) does the cutting,
    so markup, fonts and fallback runs stay intact; a text that fits is drawn as it is.
    """

    def __init__(self, para: Paragraph, max_h: float = CELL_MAX_H) -> None:
        super().__init__()
        self.para = para
        self.max_h = max_h
        self._parts: list[Flowable] = [para]
        self._sized: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._sized is not None and self._sized[0] == availWidth:
            return self._sized[1]
        w, h = self.para.wrap(availWidth, availHeight)
        self._parts = [self.para]
        if h > self.max_h:
            style = self.para.style
            note = Paragraph(CUT_NOTE, ParagraphStyle("cut", style, fontSize=min(style.fontSize, 7.5),
                                                      leading=min(style.leading, 9.5),
                                                      textColor="#b54708"))
            note_h = note.wrap(availWidth, availHeight)[1]
            # A copy is split: splitting can drop the lines a cached wrap of the original relies on.
            whole = Paragraph(self.para.text, style)
            whole.wrap(availWidth, availHeight)
            head = whole.split(availWidth, self.max_h - note_h)[:1]
            self._parts = [*head, note]
            w = max(part.wrap(availWidth, availHeight)[0] for part in self._parts)
            h = sum(part.wrap(availWidth, availHeight)[1] for part in self._parts)
        self.width, self.height = w, h
        self._sized = (availWidth, (w, h))
        return w, h

    def draw(self) -> None:
        y = self.height
        for part in self._parts:
            y -= part.height
            part.drawOn(self.canv, 0, y)


def bounded(flowable: Flowable, max_h: float = CELL_MAX_H) -> Flowable:
    """Paragraphs become bounded cells; other flowables (already bounded, or not text) stay as they are."""
    if isinstance(flowable, Paragraph):
        return BoundedCell(flowable, max_h)
    return flowable
