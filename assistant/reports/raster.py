"""Rasterise a PDF page by page for a printer (pypdfium2, else poppler's pdftoppm); Qt-free."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from assistant.errors import AssistantError


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


def _pdfium_pages(pdf: bytes, dpi: int, cancel: Callable[[], bool] | None) -> Iterator[PageImage]:
    import pypdfium2 as pdfium  # optional dependency (Apache-2.0 / BSD-3-Clause)

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


def _read_token(stream: IO[bytes]) -> bytes:
    token = b""
    while True:
        ch = stream.read(1)
        if not ch:
            return token
        if ch == b"#" and not token:  # a comment runs to the end of the line
            stream.readline()
            continue
        if ch.isspace():
            if token:
                return token
            continue
        token += ch


def _poppler_pages(pdf: bytes, dpi: int, cancel: Callable[[], bool] | None) -> Iterator[PageImage]:
    # PDF in on stdin, binary PPM pages out on stdout: nothing of the report touches the disk.
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise FileNotFoundError("pdftoppm")
    proc = subprocess.Popen([exe, "-r", str(dpi), "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdin, stdout = proc.stdin, proc.stdout
    assert stdin is not None and stdout is not None

    def feed() -> None:
        # A separate writer: pdftoppm may start answering before it has read the whole input.
        try:
            stdin.write(pdf)
            stdin.close()
        except OSError:  # it was stopped early (cancel)
            pass

    feeder = threading.Thread(target=feed, name="pdftoppm-feed", daemon=True)
    feeder.start()
    try:
        while True:
            magic = _read_token(stdout)
            if not magic:
                break
            if magic != b"P6":
                raise AssistantError("printing failed: unexpected output from pdftoppm")
            w, h, _maxval = (int(_read_token(stdout)) for _ in range(3))
            rgb = stdout.read(w * h * 3)
            yield PageImage(w, h, rgb, dpi)
            if cancel is not None and cancel():
                break
    finally:
        proc.kill()
        proc.wait()
        feeder.join(timeout=5)


def page_images(pdf: bytes, dpi: int = 300,
                cancel: Callable[[], bool] | None = None) -> Iterator[PageImage]:
    """Rasterise the PDF page by page (for QPrinter, which cannot take a PDF). Uses pypdfium2 where
    installed, else poppler's pdftoppm; raises AssistantError when neither is there."""
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        pass
    else:
        yield from _pdfium_pages(pdf, dpi, cancel)
        return
    try:
        yield from _poppler_pages(pdf, dpi, cancel)
    except FileNotFoundError:
        raise AssistantError("printing needs pypdfium2 (pip install pypdfium2) or poppler-utils "
                             "(pdftoppm); export the PDF and print it from a PDF viewer meanwhile") from None
