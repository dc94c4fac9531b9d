"""The cited summary as HTML: numbered citations linking to entries, unverified sentences marked (no Qt)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from .services import SummaryView

SUMMARY_CSS = """
p { margin: 0 0 8px 0; line-height: 140%; }
li { margin-bottom: 5px; line-height: 135%; }
a.cite { color: #1f5fa8; text-decoration: none; font-size: 8pt; }
span.unverified { background-color: #fff1c2; color: #5c4300; }
span.flagword { color: #b42318; font-weight: bold; }
span.det { color: #101828; }
.sources { color: #475467; font-size: 9pt; }
.sources a { color: #1f5fa8; text-decoration: none; }
"""


def summary_html(summary: SummaryView, label_for: Callable[[str], str]) -> str:
    """Sentences with [n] links to `cite:<ref>`, an unverified marker, and the numbered source list."""
    numbers: dict[str, int] = {}
    body: list[str] = []
    for s in summary.sentences:
        cites = []
        for ref in s.citations:
            n = numbers.setdefault(ref, len(numbers) + 1)
            cites.append(f"<a class='cite' href='cite:{escape(ref)}' title='{escape(label_for(ref))}'>"
                         f"<sup>[{n}]</sup></a>")
        text = escape(s.text)
        if s.status == "unverified":
            if s.unsupported:
                for word in sorted(set(s.unsupported), key=len, reverse=True):
                    text = text.replace(escape(word), f"<span class='flagword'>{escape(word)}</span>")
            why = (" not found in the record: " + ", ".join(s.unsupported)) if s.unsupported else ""
            text = (f"<span class='unverified' title='Unverified{escape(why)}'>{text} "
                    f"<b>[unverified{escape(why)}]</b></span>")
        body.append(text + "".join(cites))
    # The synopsis leads as a paragraph; each problem-oriented sentence after it is a bullet, so
    # a clinician can scan the page problem by problem.
    if not body:
        html = "<p>(empty summary)</p>"
    else:
        html = f"<p>{body[0]}</p>"
        if len(body) > 1:
            html += "<ul>" + "".join(f"<li>{b}</li>" for b in body[1:]) + "</ul>"
    if numbers:
        items = "<br>".join(f"[{n}] <a href='cite:{escape(ref)}'>{escape(label_for(ref))}</a>"
                            for ref, n in numbers.items())
        html += f"<hr><p class='sources'><b>Sources in the record</b><br>{items}</p>"
    return html


def summary_plain(summary: SummaryView) -> str:
    return " ".join(s.text for s in summary.sentences)


def source_line(summary: SummaryView, model_name: str = "") -> str:
    unverified = sum(1 for s in summary.sentences if s.status == "unverified")
    if summary.source == "model":
        text = f"Written by the language model{(' ' + model_name) if model_name else ''} from the record's facts; "
        text += (f"{unverified} sentence{'s' if unverified != 1 else ''} could not be verified and "
                 "are highlighted." if unverified else "every sentence was checked against the record.")
    else:
        text = "Deterministic text built from the record (no language model)"
        text += f": {summary.note}." if summary.note else "."
    return text
