"""Page 1 of the clinician's care plan: the plan at a glance, and short sources for the flags table."""

from __future__ import annotations

import re

from reportlab.platypus import Flowable, PageBreak

from assistant.assist.careplan.document import CarePlanDocument, Item
from assistant.clinical.display_names import LOINC, display_name
from assistant.records.domain import Coding

from . import styles as st
from .citations import plain_text

OFF_TARGET = ("above-target", "below-target", "not-at-target")
DUE = ("due", "overdue", "due-soon")
ACT_NOW = {"stop": "Stop", "hold": "Hold", "flagged": "Review (safety flag)"}
SOURCE_CHARS = 70  # the flags table's Source column; the full text is listed once at the end
_CLAUSE = re.compile(r"\s*(?:\(|:|;|(?<! al)\. )")  # "et al. ADA ..." is not the end of a clause


def short_source(source: str) -> str:
    """A flag's source as its first clause ('ElSayed NA et al. ADA Standards of Care in Diabetes
    2024, section 6'), at most SOURCE_CHARS characters."""
    head = _CLAUSE.split(source, maxsplit=1)[0].strip() or source.strip()
    return head if len(head) <= SOURCE_CHARS else head[:SOURCE_CHARS - 1].rstrip() + "…"


def _measure(item: Item) -> str:
    """The short test name of a goal or monitoring item ('eGFR (CKD-EPI 2021)', 'HbA1c')."""
    name = display_name(Coding(LOINC, item.loinc)) if item.loinc else ""
    if name and name != item.loinc:
        return name
    text = plain_text(item.text)
    return re.split(r":| target ", text, maxsplit=1)[0].strip()


def _flag_title(item: Item) -> str:
    # "Address (moderate): Creatinine high: 1.79 mg/dL. Creatinine 1.79 ..." -> "Creatinine high: 1.79 mg/dL"
    text = plain_text(item.text)
    text = text.split(": ", 1)[1] if ": " in text[:30] else text
    return text.split(". ", 1)[0].rstrip(".")


def _medicine(item: Item) -> str:
    text = plain_text(item.text)
    if item.state == "consider":  # "Consider GLP-1 receptor agonist: GLP-1 receptor agonist (or ..."
        return text.split(": ", 1)[0].removeprefix("Consider ")
    return text.split(": ", 1)[-1].split(",", 1)[0].split(" (", 1)[0]


def _brief(text: str) -> str:
    # "< 70 mg/dL and >= 50 % reduction (diabetes with CKD ...)" -> "< 70 mg/dL and >= 50 % reduction"
    return plain_text(text).split(" (", 1)[0].split("; ", 1)[0].strip()


def summary_rows(plan: CarePlanDocument) -> list[tuple[str, str]]:
    """(label, text) lines of the at-a-glance table; empty parts are left out."""
    rows: list[tuple[str, str]] = []
    if plan.conditions:
        rows.append(("Problems", ", ".join(c.title for c in plan.conditions)))
    flags = plan.items("flags")
    if flags:
        rows.append((f"Safety issues ({len(flags)})", "; ".join(_flag_title(i) for i in flags)))
    acts = [f"{ACT_NOW[i.state]}: {_medicine(i)}" for i in plan.items("medications") if i.state in ACT_NOW]
    if acts:
        rows.append(("Medicines to act on", "; ".join(acts)))
    off = [f"{_measure(i)} {_brief(i.latest)}, target {_brief(i.target)}" if i.latest and i.target
           else _measure(i) for i in plan.items("goals") if i.state in OFF_TARGET]
    if off:
        rows.append(("Goals not at target", "; ".join(off)))
    due = [f"{_measure(i)}{' (overdue)' if i.state == 'overdue' else ''}"
           for i in plan.items("monitoring") if i.state in DUE]
    if due:
        rows.append(("Tests due", ", ".join(dict.fromkeys(due))))
    consider = [_medicine(i) for i in plan.items("medications") if i.state == "consider"]
    if consider:
        rows.append(("Consider", ", ".join(dict.fromkeys(consider))))
    follow = plan.items("followup")
    if follow:
        rows.append(("Follow-up", plain_text(follow[0].text)))
    return rows


def summary_page(plan: CarePlanDocument) -> list[Flowable]:
    """The at-a-glance table and a page break, so the detailed sections start on page 2."""
    rows = summary_rows(plan)
    if not rows:
        return []
    table = st.data_table(["", "What the plan says"], [[st.cell(k, "cell_bold"), st.cell(v)] for k, v in rows],
                          [2.2, 7.8])
    return [st.para("Plan at a glance", "h2"), table, PageBreak()]


def flag_sources(plan: CarePlanDocument) -> list[Flowable]:
    """The full published source of each safety issue, once, where the table shows it shortened."""
    full = [s for s in dict.fromkeys(i.source for i in plan.items("flags")) if s and s != short_source(s)]
    if not full:
        return []
    return [*st.heading("Sources of the safety issues"),
            *(st.para(f"{short_source(s)}: {s}", "small") for s in full)]
