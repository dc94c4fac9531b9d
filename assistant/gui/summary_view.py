"""The cited summary as HTML: numbered citations linking to entries, unverified sentences marked (no Qt)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from .services import SentenceView, SummaryView

SUMMARY_CSS = """
p { margin: 0 0 8px 0; line-height: 140%; }
li { margin-bottom: 5px; line-height: 135%; }
a.cite { color: #1f5fa8; text-decoration: none; font-size: 8pt; }
span.unverified { background-color: #fff1c2; color: #5c4300; }
span.flagword { color: #b42318; font-weight: bold; }
span.det { color: #101828; }
p.label { color: #475467; font-size: 9pt; font-weight: bold; margin: 6px 0 2px 0; }
.sources { color: #475467; font-size: 9pt; }
.sources a { color: #1f5fa8; text-decoration: none; }
"""


_FROM_RECORD, _UNCHECKED = "From the record", "Not supported by the record — not checked"


def _cited(s: SentenceView, numbers: dict[str, int], label_for: Callable[[str], str]) -> str:
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
    return text + "".join(cites)


def _bullets(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{b}</li>" for b in items) + "</ul>" if items else ""


def model_heading(summary: SummaryView) -> str:
    name = f" ({summary.model})" if summary.model else ""
    return f"Written by the language model{name}; each sentence checked against the entries it cites"


def summary_html(summary: SummaryView, label_for: Callable[[str], str], show_dropped: bool = False) -> str:
    """Under truthful headings: the record-built sentences, then the model's (marked when unchecked),
    then a line counting the model sentences left out, with a `show:dropped` link (or, with
    `show_dropped`, those sentences labelled as not supported); [n] links to `cite:<ref>` and the
    numbered source list."""
    numbers: dict[str, int] = {}
    record = [_cited(s, numbers, label_for) for s in summary.sentences if s.status == "deterministic"]
    model = [_cited(s, numbers, label_for) for s in summary.sentences if s.status != "deterministic"]
    html = ""
    if record:
        # The synopsis leads as a paragraph; each problem-oriented sentence after it is a bullet, so
        # a clinician can scan the page problem by problem.
        html += f"<p class='label'>{_FROM_RECORD}</p><p>{record[0]}</p>{_bullets(record[1:])}"
    if model or summary.source == "model":
        html += f"<p class='label'>{escape(model_heading(summary))}</p>"
        html += _bullets(model) if model else "<p class='sources'>(no model sentence passed the check)</p>"
    if summary.dropped:
        n = len(summary.dropped)
        count = f"{n} model sentence{'s' if n != 1 else ''} not shown: not supported by the record."
        if show_dropped:
            hidden = [_cited(SentenceView(s.text, s.citations, "unverified", s.unsupported), numbers, label_for)
                      for s in summary.dropped]
            html += (f"<p class='sources'>{count} <a href='show:dropped'>Hide them</a></p>"
                     f"<p class='label'>{_UNCHECKED}</p>{_bullets(hidden)}")
        else:
            html += f"<p class='sources'>{count} <a href='show:dropped'>Show them</a></p>"
    if not html:
        html = "<p>(empty summary)</p>"
    if numbers:
        items = "<br>".join(f"[{n}] <a href='cite:{escape(ref)}'>{escape(label_for(ref))}</a>"
                            for ref, n in numbers.items())
        html += f"<hr><p class='sources'><b>Sources in the record</b><br>{items}</p>"
    return html


def summary_plain(summary: SummaryView) -> str:
    return " ".join(s.text for s in summary.sentences)


def source_line(summary: SummaryView, model_name: str = "") -> str:
    """One line on how the text was made; it never claims a check that did not happen."""
    if summary.source != "model":
        text = "Built from the record (no language model)"
        return text + (f": {summary.note}." if summary.note else ".")
    name = model_name or summary.model
    model = f"the language model{(' ' + name) if name else ''}"
    checked = sum(1 for s in summary.sentences if s.status == "verified")
    unverified = sum(1 for s in summary.sentences if s.status == "unverified")
    parts = ["From the record"]
    if checked:
        parts.append(f"{_count(checked, 'sentence')} written by {model}, each checked against the "
                     "entries it cites")
    if unverified:
        parts.append(f"{_count(unverified, 'model sentence')} could not be checked: "
                     f"{'they are' if unverified != 1 else 'it is'} highlighted")
    if summary.dropped:
        parts.append(f"{len(summary.dropped)} left out as not supported by the record")
    if not (checked or unverified or summary.dropped):
        parts.append(f"{model} added nothing to it")
    elif not (checked or unverified):
        # Said plainly: nothing the model wrote is shown (the tiny default model rarely survives).
        parts.append(f"nothing written by {model} is shown")
    return "; ".join(parts) + "."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def stored_line(summary: SummaryView, saved_at: str) -> str:
    """When and by what a stored summary was made, shown instead of a new generation."""
    try:
        when = datetime.fromisoformat(saved_at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        when = saved_at
    by = (f"by {summary.model or 'the language model'}" if summary.source == "model"
          else "from the record (no language model)")
    return f"Generated {when} {by}; the record has not changed since."


CHANGED_LINE = "The record has changed since this summary was made: Regenerate to include the change."
