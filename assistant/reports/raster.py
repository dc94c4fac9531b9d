"""Rasterise a PDF page by page for a printer (QPrinter cannot take a PDF); Qt-free."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class PageImage:
    """One page as packed 8-bit RGB rows (stride 3 * width), ready for QImage.Format_RGB888."""

    width: int
    height: int
    rgb: bytes
    dpi: int


def page_count(pdf: bytes) -> int:
    # Page dictionaries are never compressed in the PDFs we write, so counting them is reliable.
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def page_images(pdf: bytes, dpi: int = 300, cancel: Callable[[], bool] | None = None) -> Iterator[PageImage]:
    """Rasterise the PDF page by page with pypdfium2 (for QPrinter, which cannot take a PDF)."""
    import pypdfium2 as pdfium  # Apache-2.0 / BSD-3-Clause; imported when printing, not at start-up

    doc = pdfium.PdfDocument(pdf)
    try:
        for i in range(len(doc)):
            if cancel is not None and cancel():
                return
            bitmap = doc[i].render(scale=dpi / 72, rev_byteorder=True)  # RGB, not BGR
            image = bitmap.to_pil().convert("RGB")
            yield PageImage(image.width, image.height, image.tobytes(), dpi)
    finally:
        doc.close()
