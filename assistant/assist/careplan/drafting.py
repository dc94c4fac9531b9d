"""Care-plan drafting: templates, chart values and flags into a plan document (nothing is stored)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from assistant.assist.careplan import allergy
from assistant.assist.careplan.build import Context, goal_items
from assistant.assist.careplan.document import (
    SECTION_TITLES,
    CarePlanDocument,
    ConditionCoverage,
    Item,
    Section,
)
from assistant.assist.careplan.fhir import to_fhir_careplan
from assistant.assist.careplan.medications import med_actions, medication_items
from assistant.assist.careplan.monitoring import monitoring_items
from assistant.assist.careplan.problems import current_problems, judge_for, refuse_deceased
from assistant.assist.careplan.review import dropped_note, is_unchecked, with_current_notes
from assistant.assist.careplan.sections import (
    deterministic_rationale,
    flag_items,
    followup_items,
    intervention_items,
    patient_items,
    problem_items,
)
from assistant.assist.careplan.templates import TemplateMatch
from assistant.assist.fact_lines import ordered_flags
from assistant.clinical.extract.chart import fmt
from assistant.clinical.knowledge import knowledge_version
from assistant.records.record import PatientRecord

log = logging.getLogger(__name__)
Cancel = threading.Event | Callable[[], bool] | None

__all__ = ["CarePlanDocument", "ConditionCoverage", "Item", "Section", "draft_careplan", "to_fhir_careplan"]


def _as_of(as_of: date | datetime | None, risk: Any | None) -> datetime:
    """The date due tests and flags are judged against: the given one, else the one the risk
    report used (so the plan and its flags agree), else now. A plan is for going forward: a chart
    last updated years ago has its monitoring overdue, as the flags say."""
    as_of = as_of or getattr(risk, "as_of", None)
    if isinstance(as_of, datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    if isinstance(as_of, date):
        return datetime(as_of.year, as_of.month, as_of.day, 23, 59, tzinfo=UTC)
    return datetime.now(UTC)


def _fact_sheet(record: PatientRecord, risk: Any | None, as_of: datetime) -> Any:
    from assistant.assist.facts import build_fact_sheet

    return build_fact_sheet(record, risk, as_of=as_of)


def _fact_index(sheet: Any | None) -> dict[str, str]:
    """Record ref -> the fact id to cite for it: the fact the entry is the first evidence of,
    else the first fact that mentions it."""
    index: dict[str, str] = {}
    if sheet is None:
        return index
    for f in sheet.lines:
        if f.refs:
            index.setdefault(f.refs[0], f.id)
    for f in sheet.lines:
        for r in f.refs:
            index.setdefault(r, f.id)
    return index


def _coverage(matches: list[TemplateMatch]) -> tuple[ConditionCoverage, ...]:
    return tuple(ConditionCoverage(m.template.id, m.template.title, m.template.guideline,
                                   m.template.year, m.template.citation, m.refs) for m in matches)


def _flagged_refs(flags: list[Item], acted: frozenset[str]) -> frozenset[str]:
    """Medicines a flag asks to review: not from an information flag ('within the limit: no change
    needed'), nor the partner of a medicine the plan already stops or holds (stopping naproxen
    resolves clopidogrel + naproxen; the antiplatelet stays)."""
    return frozenset(r for f in flags if f.state != "info" and not acted.intersection(f.citations)
                     for r in f.citations)


def _acted(ctx: Context) -> frozenset[str]:
    """The medicines a guideline says to stop or hold now."""
    return frozenset(m.ref for m in ctx.active_meds
                     if any(a.action in ("Stop", "Hold") for a in med_actions(ctx, m)))


def _score_texts(risk: Any | None) -> dict[str, str]:
    """Calculator id -> 'CURB-65 ... 2 points: group 2, ...' for the scores the record computes."""
    out = {}
    for s in getattr(risk, "scores", ()) or ():
        r = getattr(s, "result", None)
        if r is not None:
            out[s.calculator_id] = f"{s.title} {fmt(r.value)} {r.unit}: {r.interpretation}".strip()
    return out


def _section(key: str, items: list[Item]) -> Section:
    return Section(key, SECTION_TITLES[key], tuple(items))


def _cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())


def draft_careplan(record: PatientRecord, risk: Any | None = None, engine: Any | None = None, *,
                   use_model: bool = True, cancel: Cancel = None,
                   on_text: Callable[[str], None] | None = None,
                   as_of: date | datetime | None = None,
                   keep_unchecked: bool = False) -> CarePlanDocument:
    """Draft a plan: templates for the active conditions filled with the chart's values, an item
    per active flag, and a rationale and patient section (model-written and verified when an
    engine is given and `use_model`, deterministic otherwise). Unchecked model sentences are left
    out of the patient section unless `keep_unchecked`. Nothing is stored."""
    refuse_deceased(record)
    when = _as_of(as_of, risk)
    warnings: list[str] = []
    if risk is None:
        # Imported here, not with this module: that keeps the CLI's start-up short.
        from assistant.clinical.flags import evaluate

        risk = evaluate(record, as_of=when)
    sheet = _fact_sheet(record, risk, when)
    current = current_problems(record, when)
    judge, matches = judge_for(record, when, current, frozenset(f.id for f in getattr(risk, "flags", ())),
                               _score_texts(risk))
    flagged = ordered_flags(risk)
    ctx = Context(record, when.date(), _fact_index(sheet), record.active_medications_at(when), judge,
                  critical_refs=frozenset(r for f in flagged if f.severity == "critical" and f.id.startswith("lab:")
                                          for r in f.evidence),
                  critical_scores={r: f.title for f in flagged if f.severity == "critical"
                                   and not f.id.startswith("lab:") for r in f.evidence},
                  urgent_refs=frozenset(r for m in matches if m.template.urgent and judge.holds(m.template.urgent)
                                        for r in judge.urgent_refs(m.template.urgent)),
                  abnormal_refs=frozenset(r for f in flagged for r in f.evidence), flags=tuple(flagged))

    flags = flag_items(ctx, risk)
    goals = goal_items(ctx, matches)
    monitoring = monitoring_items(ctx, matches, goals)
    followup = followup_items(ctx, matches, flags)
    titles = [f.title or f.id for f in flagged]
    rationale = deterministic_rationale(matches, goals, flags, titles, monitoring)
    patient = patient_items(ctx, matches, goals, flags, followup)
    allergic = allergy.allergy_stops(ctx, flagged)
    if allergic:  # "do not take X" right after the lines saying the team will be in touch
        names = {m.ref: m.ingredients[0] for m in judge.chart.meds if m.ingredients}
        at = next((n + 1 for n, i in reversed(list(enumerate(patient)))
                   if i.key in ("patient:about", "patient:today", "patient:safety")), 0)
        patient[at:at] = allergy.patient_items(allergic, names)
    sections = {
        "problems": problem_items(ctx, matches, current), "flags": flags, "goals": goals,
        "interventions": intervention_items(ctx, matches),
        "medications": medication_items(ctx, matches, goals, _flagged_refs(flags, _acted(ctx)), allergic)
        + allergy.alternative_items(ctx, allergic),
        "monitoring": monitoring, "followup": followup, "rationale": rationale, "patient": patient,
    }
    source, model_name = "deterministic", ""
    dropped: list[Item] = []
    if engine is not None and use_model and not _cancelled(cancel):
        from assistant.assist.careplan.text import write_prose

        prose = write_prose(engine, sheet, sections, cancel=cancel, on_text=on_text)
        if prose.rationale or prose.patient:
            source, model_name = "model", prose.model
            # Only checked model sentences are drafted (issue 13): the others are left out with a
            # note saying how many, unless `keep_unchecked` keeps them marked in place for the
            # clinician to delete or rewrite. The deterministic text stays where none survives.
            reasons = [i for i in prose.rationale if keep_unchecked or not is_unchecked(i)]
            dropped += [i for i in prose.rationale if i not in reasons]
            if len(reasons) < len(prose.rationale):
                warnings.append(dropped_note(len(prose.rationale) - len(reasons), "rationale"))
            # The model adds prose on top of the record-built rationale; it never replaces it.
            sections["rationale"] = rationale + reasons
            # The model's plain-language summary leads; the deterministic goals and education stay.
            shown = [i for i in prose.patient if keep_unchecked or not is_unchecked(i)]
            dropped += [i for i in prose.patient if i not in shown]
            if len(shown) < len(prose.patient):
                warnings.append(dropped_note(len(prose.patient) - len(shown)))
            sections["patient"] = (shown + [i for i in patient if i.key != "patient:about"]
                                   if shown else patient)
        warnings += prose.warnings
    elif use_model and engine is None:
        warnings.append("no language model: rationale and patient section are deterministic text")
    title = "Care plan" + (f": {', '.join(m.template.title for m in matches)}" if matches else "")
    return with_current_notes(CarePlanDocument(
        patient_id=record.patient.id, title=title,
        created=datetime.now(UTC).isoformat(timespec="seconds"), source=source, model=model_name,
        sections=tuple(_section(k, v) for k, v in sections.items() if k in SECTION_TITLES),
        conditions=_coverage(matches), as_of=when.date().isoformat(), warnings=tuple(warnings),
        dropped=tuple(dropped), knowledge_version=getattr(risk, "knowledge_version", "") or knowledge_version()))
