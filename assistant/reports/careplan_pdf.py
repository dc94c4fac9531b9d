"""The care-plan PDF: sections as tables or prose, citations as endnotes, signature or DRAFT."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from assistant.assist.careplan.document import SECTION_TITLES, CarePlanDocument, Item, Section
from assistant.assist.careplan.review import (
    drop_unchecked_from_patient,
    dropped_note,
    has_model_text,
    with_current_notes,
)
from assistant.clinical.values import observation_value
from assistant.records.record import PatientRecord

from . import styles as st
from .bounded import bounded
from .careplan_summary import flag_sources, short_source, summary_page
from .citations import Endnotes, plain_text, text_with_marks
from .fonts import markup
from .layout import Banner, Letterhead, ReportInfo, build_pdf

# First column heading per section; other columns appear only when some item fills them.
TEXT_HEADINGS = {"problems": "Problem", "flags": "Safety issue", "goals": "Goal",
                 "interventions": "Intervention", "medications": "Medication",
                 "monitoring": "Test or measure", "followup": "Follow-up"}
PROSE_SECTIONS = ("rationale", "patient")
# (item field, heading, relative width)
OPTIONAL_COLUMNS = (("since", "Since", 1.35), ("target", "Target", 1.5), ("latest", "Latest", 2.0),
                    ("interval", "How often", 1.45), ("state", "Assessment", 1.35),
                    ("basis", "For", 1.9))
STATE_LABELS = {"at-target": ("At target", "#067647"), "above-target": ("Above target", "#b54708"),
                "below-target": ("Below target", "#b54708"),
                "not-at-target": ("Not at target", "#b54708"), "missing": ("No result", "#52606d"),
                "unassessed": ("Not assessed", "#52606d"), "due": ("Due now", "#b54708"),
                "due-soon": ("Due soon", "#b54708"), "overdue": ("Overdue", "#b42318"),
                "up-to-date": ("Up to date", "#067647"), "on-record": ("Current", "#1f2933"),
                "consider": ("Consider", "#1d4e89"), "no-template": ("No template", "#52606d"),
                "urgent": ("Urgent", "#b42318"), "critical": ("Critical", "#b42318"),
                "high": ("High", "#dc6803"), "moderate": ("Moderate", "#a16207"),
                "info": ("Info", "#2563eb")}


@dataclass(frozen=True)
class Signature:
    """Who signed the plan and when (the store's signed_by account shown by display name)."""

    name: str
    role: str = ""
    signed_at: str = ""  # ISO 8601 from the store


def _latest_from_record(item: Item, record: PatientRecord | None) -> str:
    # The drafter normally fills `latest`; for an edited or older plan, look the value up by LOINC.
    if item.latest or not item.loinc or record is None:
        return item.latest
    o = record.latest(item.loinc)
    if o is None:
        return ""
    value = observation_value(o)
    return f"{value} on {st.fmt_date(o.effective)}" if value else ""


def _since(item: Item, record: PatientRecord | None) -> str:
    for ref in item.citations:
        e = record.entry(ref) if record is not None else None
        if e is not None and e.resource_type == "Condition" and e.when:
            return st.fmt_date(e.when)
    return ""


def _item_markup(item: Item, notes: Endnotes) -> str:
    text = text_with_marks(plain_text(item.text), item.citations, notes)
    if item.status == "unverified":
        # The verifier's doubts go to paper too: the reader must see which words lack support.
        issues = "; ".join(item.issues) or "a statement the record does not support"
        text = (f"<font color='#b54708'><b>⚠ UNVERIFIED</b></font> {text}<br/>"
                f"<font size='7.5' color='#b54708'>Not found in the record: {markup(issues)}</font>")
    return text


def _state(item: Item) -> str:
    # States the reader can act on; internal ones (e.g. "template") are not printed.
    if item.state not in STATE_LABELS:
        return ""
    label, colour = STATE_LABELS[item.state]
    return f"<font color='{colour}'>{markup(label)}</font>"


def _basis(item: Item, condition_titles: dict[str, str]) -> str:
    """The conditions an item serves (their guidelines are listed once, under Guidelines followed);
    an item without one (a flag) shows its own source."""
    titles = [condition_titles[c] for c in item.conditions if c in condition_titles]
    return ", ".join(dict.fromkeys(titles)) or short_source(item.source)


def _section_table(section: Section, record: PatientRecord | None, notes: Endnotes,
                   condition_titles: dict[str, str]) -> Flowable:
    # Plain strings (the table keeps them plain when they fit on a line); only the state is markup.
    values: dict[str, list[Any]] = {name: [] for name, _h, _w in OPTIONAL_COLUMNS}
    for item in section.items:
        values["since"].append(_since(item, record) if section.key == "problems" else "")
        values["target"].append(item.target)
        values["latest"].append(plain_text(_latest_from_record(item, record)))
        values["interval"].append(item.interval)
        state = _state(item)
        values["state"].append(st.para(state, "cell", raw=True) if state else "")
        # Problems name their guideline in the text already.
        values["basis"].append("" if section.key == "problems" else _basis(item, condition_titles))
    # A column only when it adds something: a target, interval, value or condition the item's own text already
    # states is printed once, and the text column gets the width back.
    texts = [plain_text(i.text) for i in section.items]
    columns = [c for c in OPTIONAL_COLUMNS
               if any(v and (c[0] not in ("target", "interval", "latest", "basis") or v not in t)
                      for v, t in zip(values[c[0]], texts, strict=True))]
    # Flags have no condition: their column holds the published source instead.
    names = {"basis": "Source"} if section.key == "flags" else {}
    header = [TEXT_HEADINGS.get(section.key, "Item"), *(names.get(n, h) for n, h, _w in columns)]
    fractions = [max(3.2, 10.5 - sum(w for _n, _h, w in columns)), *(w for _n, _h, w in columns)]
    rows = []
    for n, item in enumerate(section.items):
        row: list[Flowable | str] = [st.para(_item_markup(item, notes), "cell", raw=True)]
        row += [values[name][n] for name, _h, _w in columns]
        rows.append(row)
    return st.data_table(header, rows, fractions)


def _prose(section: Section, notes: Endnotes) -> list[Flowable]:
    style = "patient" if section.key == "patient" else "body"
    return [st.para(_item_markup(item, notes), style, raw=True) for item in section.items]


def _patient_box(flowables: list[Flowable]) -> Flowable:
    # The patient's part stands apart (boxed) so it can be read, or cut out, on its own.
    box = Table([[bounded(f)] for f in flowables], colWidths=[st.CONTENT_W])
    box.setStyle(TableStyle([st.TABLE_FONT, ("BOX", (0, 0), (-1, -1), 0.8, st.ACCENT),
                             ("BACKGROUND", (0, 0), (-1, -1), st.BANNER_FILL),
                             ("LEFTPADDING", (0, 0), (-1, -1), 9), ("RIGHTPADDING", (0, 0), (-1, -1), 9),
                             ("TOPPADDING", (0, 0), (0, 0), 7), ("BOTTOMPADDING", (0, -1), (-1, -1), 7)]))
    return box


def _about(plan: CarePlanDocument) -> list[Flowable]:
    bits = []
    if plan.created:
        bits.append(f"Drafted {st.fmt_date(plan.created)}")
    if plan.as_of:
        bits.append(f"values as of {st.fmt_date(plan.as_of)}")
    # From the content as printed, not as drafted: a plan whose model sentences were all deleted
    # or rewritten holds no model text any more.
    sources = ["the record", "guideline templates"]
    if has_model_text(plan):
        sources.append(f"language model {plan.model or ''}".rstrip())
    if any(i.status == "edited" for i in plan.items()):  # the clinician's own words
        sources.append("the clinician")
    bits.append("text: from " + ", ".join(sources[:-1]) + " and " + sources[-1])
    out: list[Flowable] = [st.para(" · ".join(bits), "small")]
    out += [st.para(w, "note") for w in with_current_notes(plan).warnings]
    return out


def _guidelines(plan: CarePlanDocument) -> list[Flowable]:
    if not plan.conditions:
        return []
    rows = [[c.title, c.guideline + (f" ({c.year})" if c.year else ""),
             st.cell(c.citation, "cell_muted")] for c in plan.conditions]
    return [*st.heading("Guidelines followed"),
            st.data_table(["Condition", "Guideline", "Reference"], rows, [2.4, 3, 4.6])]


def signature_block(status: str, signature: Signature | None) -> Flowable:
    if status != "draft" and signature is not None:
        rows = [["Signed by", signature.name], ["Role", signature.role or ""],
                ["Signed", st.fmt_datetime(signature.signed_at)]]
        data = [[st.cell(k, "cell_bold"), bounded(st.cell(v))] for k, v in rows]
        data.append([st.cell("", "cell"), st.cell("Signed electronically in Clinician Assistant; the "
                                                  "signed version cannot be changed.", "cell_muted")])
        fill, edge = st.BANNER_FILL, st.ACCENT
    else:
        data = [[st.para("<b>DRAFT: not signed.</b> This care plan has not been reviewed and signed "
                         "by a clinician. Do not act on it until it is signed.", "cell", raw=True), ""]]
        fill, edge = st.ALERT_FILL, st.ALERT
    table = Table(data, colWidths=[32 * mm, st.CONTENT_W - 32 * mm])
    table.setStyle(TableStyle([st.TABLE_FONT, ("BOX", (0, 0), (-1, -1), 0.8, edge), ("BACKGROUND", (0, 0), (-1, -1), fill),
                               *([("SPAN", (0, 0), (1, 0))] if len(data) == 1 else []),
                               ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                               ("LEFTPADDING", (0, 0), (-1, -1), 7)]))
    return KeepTogether([st.para("Clinician sign-off", "h2"), table])


def _section_part(section: Section, record: PatientRecord, notes: Endnotes,
                  titles: dict[str, str]) -> list[Flowable]:
    if not section.items:
        return [st.para("Nothing recorded.", "small")]
    return [_section_table(section, record, notes, titles)]


def careplan_story(plan: CarePlanDocument, record: PatientRecord, status: str = "draft",
                   signature: Signature | None = None) -> list[Flowable]:
    """The flowables of a care plan (public so tests and other documents can reuse them)."""
    notes = Endnotes(record)
    titles = {c.concept: c.title for c in plan.conditions}
    story: list[Flowable] = []
    if plan.title and plan.title != "Care plan":
        story.append(st.para(plan.title, "title"))
    # The patient's part holds no unchecked model text, whatever the stored plan holds (plans
    # drafted before this rule); the notes say how many were left out.
    plan, dropped = drop_unchecked_from_patient(plan)
    if dropped:
        plan = replace(plan, warnings=plan.warnings + (dropped_note(dropped),))
    story += _about(plan)
    story += st.guarded("Plan at a glance", lambda: summary_page(plan))
    for section in plan.sections:
        title = section.title or SECTION_TITLES.get(section.key, section.key)
        if section.key in PROSE_SECTIONS:
            body = _prose(section, notes)
            if section.key == "patient" and body:
                story += [CondPageBreak(70 * mm), st.para(title, "h2"), _patient_box(body)]
            else:
                story += [*st.heading(title), *body]
            continue
        story += st.heading(title)
        story += st.guarded(title, partial(_section_part, section, record, notes, titles))
    story += st.guarded("Guidelines followed", lambda: _guidelines(plan))
    story += st.guarded("Sources of the safety issues", lambda: flag_sources(plan))
    story += [Spacer(1, 4), signature_block(status, signature)]
    story += st.guarded("Citations", notes.flowables)
    return story


def status_line(status: str, version: int | None) -> str:
    v = f"Version {version} · " if version is not None else ""
    return v + {"draft": "DRAFT, not signed", "signed": "Signed",
                "superseded": "Superseded by a newer version"}.get(status, status)


def render_careplan(plan: CarePlanDocument, record: PatientRecord, *, document_id: str = "",
                    version: int | None = None, status: str = "draft",
                    signature: Signature | None = None, letterhead: Letterhead | None = None,
                    generated_at: datetime | None = None,
                    cancel: Callable[[], bool] | None = None) -> bytes:
    """The care plan as PDF bytes. A plan that was never signed gets the DRAFT watermark."""
    signed = status != "draft" and signature is not None
    info = ReportInfo(
        # A fixed short title: the plan's own title (its diagnoses) is printed in the body, but is
        # kept out of the metadata, the page headers and the print queue.
        title="Care plan", banner=Banner.from_record(record),
        letterhead=letterhead if letterhead is not None else Letterhead.from_settings(),
        subject="Patient care plan" + (" (signed)" if signed else " (draft)"),
        author=signature.name if signed and signature else "",
        document_id=document_id, version=version, status_line=status_line(status, version),
        generated_at=generated_at or datetime.now().astimezone(), watermark="" if signed else "DRAFT",
        knowledge_version=plan.knowledge_version)
    return build_pdf(careplan_story(plan, record, status, signature), info, cancel=cancel)
