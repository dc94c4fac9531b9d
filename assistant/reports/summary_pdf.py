"""The summary PDF: cited sentences with numbered endnotes, the flags table, and how it was generated."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from reportlab.platypus import Flowable

from assistant.assist.result import dropped_line, model_heading
from assistant.clinical.flags import RiskReport
from assistant.clinical.rules.base import Flag, rank
from assistant.records.record import PatientRecord

from . import styles as st
from .citations import Endnotes, plain_text, text_with_marks
from .fonts import clip, markup
from .layout import Banner, Letterhead, ReportInfo, build_pdf

FLAG_TEXT_CHARS = 400  # per text in a flag's cell (title, explanation, each piece of evidence)

if TYPE_CHECKING:
    from assistant.assist.result import Summary
    from assistant.assist.verify import Sentence


def _sentence(s: Sentence, notes: Endnotes) -> Flowable:
    # Any [F7] fact-sheet marks left in the text give way to the PDF's own endnote numbers.
    text = text_with_marks(plain_text(s.text), [r for r in s.citations if r], notes)
    if s.status == "unverified":
        unsupported = list(s.unsupported)
        detail = ("Not found in the record: " + "; ".join(unsupported)) if unsupported else \
            "The verifier could not match this sentence to the record."
        text = (f"<font color='#b54708'><b>⚠ UNVERIFIED</b></font> {text}<br/>"
                f"<font size='7.5' color='#b54708'>{markup(detail)}</font>")
    return st.para(text, "bullet", raw=True)


def _flags_table(flags: Sequence[Flag], notes: Endnotes) -> list[Flowable]:
    out: list[Flowable] = st.heading("Risk flags")
    if not flags:
        return out + [st.para("No risk flags were raised from the record.", "small")]
    rows = []
    for f in sorted(flags, key=lambda f: rank(f.severity)):
        colour = st.SEVERITY_COLOR.get(f.severity)
        hexcol = colour.hexval()[2:] if colour is not None else "1f2933"
        severity = st.para(f"<font color='#{hexcol}'><b>{markup(f.severity.upper())}</b></font>", "cell",
                           raw=True)
        # Three texts share one cell, which cannot break over a page: each is cut well short of a page.
        what = f"<b>{markup(clip(f.title, FLAG_TEXT_CHARS))}</b>"
        if f.explanation:
            what += f"<br/>{markup(clip(f.explanation, FLAG_TEXT_CHARS))}"
        if f.missing:
            what += f"<br/><font color='#52606d'>Missing inputs: {markup(', '.join(f.missing))}</font>"
        evidence = "<br/>".join(
            f"[{notes.number(r)}] {markup(clip(notes.describe(r)[2], FLAG_TEXT_CHARS))}"
            for r in f.evidence) or "none cited"
        rows.append([severity, st.para(what, "cell", raw=True), st.para(evidence, "cell", raw=True),
                     st.cell(f.reference, "cell_muted")])
    return out + [st.data_table(["Severity", "Flag", "Evidence", "Reference"], rows,
                                [1.55, 3.9, 2.9, 2.2])]


def _all_sentences(summary: Summary) -> list[Sentence]:
    """The synopsis (when there is one) followed by the other sentences."""
    return list(summary.all_sentences)


def _timing(timing: Mapping[str, float] | None) -> str:
    """'total 3.20 s, first token 0.85 s, 212 tokens at 14.1 tokens/s' from the summary's timing."""
    if not isinstance(timing, dict):
        return ""
    t = {k: float(v) for k, v in timing.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    parts = [f"total {t['total_s']:.2f} s"] if "total_s" in t else []
    if t.get("ttft_s"):
        parts.append(f"first token {t['ttft_s']:.2f} s")
    if t.get("new_tokens"):
        rate = f" at {t['tokens_per_s']:.1f} tokens/s" if t.get("tokens_per_s") else ""
        parts.append(f"{t['new_tokens']:.0f} tokens{rate}")
    return ", ".join(parts)


def generation_details(summary: Summary) -> list[list[str]]:
    """Rows of the 'how this was made' table: model pack name and version, or deterministic."""
    source, model = summary.source or "deterministic", summary.model
    rows = [["Text", summary.how_made() if source == "model" and model
             else "from the record (no language model)"]]
    if summary.reason and source != "model":
        rows.append(["Why deterministic", summary.reason])
    timing = _timing(summary.timing)
    if timing:
        rows.append(["Timing", timing])
    sentences = _all_sentences(summary)
    unverified = sum(1 for s in sentences if s.status == "unverified")
    rows.append(["Sentences", f"{len(sentences)}, of which {unverified} unverified"])
    dropped = len(summary.dropped)
    if dropped:
        rows.append(["Left out", f"{dropped} model sentence(s) not supported by the record, by the site's setting"])
    if summary.cancelled:
        rows.append(["Stopped", "generation was stopped: only sentences finished before are shown"])
    return rows


def summary_story(summary: Summary, risk: RiskReport | None,
                  record: PatientRecord) -> list[Flowable]:
    notes = Endnotes(record)
    story: list[Flowable] = [st.para("Summary", "h2")]
    sentences = _all_sentences(summary)
    # Truthful labels: what was built from the record, then what the model wrote (checked against the
    # entries each sentence cites, or marked where it could not be), then what was left out.
    is_model = summary.source == "model"
    record_built = [s for s in sentences if not is_model or s.status == "deterministic"]
    written = [s for s in sentences if is_model and s.status != "deterministic"]
    if record_built:
        story.append(st.para("<b>From the record</b>", "small", raw=True))
        story += st.guarded("Summary", lambda: [_sentence(s, notes) for s in record_built])
    if is_model:
        model = summary.model
        story.append(st.para(f"<b>{markup(model_heading(model))}</b>", "small", raw=True))
        story += [_sentence(s, notes) for s in written] or [st.para("No model sentence passed the check.", "small")]
    dropped = len(summary.dropped)
    if dropped:
        story.append(st.para(markup(dropped_line(dropped, "left out by the site's setting; "
                                                          "they can be shown in the app")), "small", raw=True))
    if not sentences:
        story.append(st.para("No summary text.", "small"))
    story += st.guarded("Risk flags", lambda: _flags_table(risk.flags if risk is not None else (), notes))
    story += st.guarded("How this summary was generated", lambda: [
        *st.heading("How this summary was generated"),
        st.data_table(["Item", "Detail"], generation_details(summary), [2, 8])])
    story += st.guarded("Citations", lambda: notes.flowables("Citations"))
    return story


def render_summary(summary: Summary, risk: RiskReport | None, record: PatientRecord, *,
                   letterhead: Letterhead | None = None, document_id: str = "",
                   generated_at: datetime | None = None,
                   cancel: Callable[[], bool] | None = None) -> bytes:
    """The summary and flags as PDF bytes (never a draft: no watermark, no signature)."""
    # Only what is on the page: a model sentence checked against its entries, or none at all.
    checked = any(s.status == "verified" for s in summary.model_sentences)
    status_line = ("From the record, with model sentences checked against the entries they cite" if checked
                   else "From the record" + ("" if summary.source == "model" else " (no language model)"))
    info = ReportInfo(
        title="Patient summary", banner=Banner.from_record(record),
        letterhead=letterhead if letterhead is not None else Letterhead.from_settings(),
        subject="Cited patient summary and risk flags", document_id=document_id,
        status_line=status_line, knowledge_version=getattr(risk, "knowledge_version", ""),
        generated_at=generated_at or datetime.now().astimezone())
    return build_pdf(summary_story(summary, risk, record), info, cancel=cancel)
