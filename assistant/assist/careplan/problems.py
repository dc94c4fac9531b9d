"""Which problems a care plan addresses: current ones (not past pregnancy events), findings folded into their problem, no plan after death."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from assistant.assist.careplan.eligibility import Judge, code_matches, tables
from assistant.assist.careplan.templates import TemplateMatch, match_templates
from assistant.clinical.extract.chart import Chart
from assistant.errors import BadInputError
from assistant.records.domain import Condition
from assistant.records.record import PatientRecord


class DeceasedPatientError(BadInputError):
    """No care plan is drafted for a patient recorded as deceased."""


def refuse_deceased(record: PatientRecord) -> None:
    p = record.patient
    if p.deceased or p.deceased_date is not None:
        on = f" on {p.deceased_date.date().isoformat()}" if p.deceased_date else ""
        raise DeceasedPatientError(f"This patient is recorded as deceased{on}: no care plan is drafted. "
                                   "Correct the record first if this is wrong.")


def current_problems(record: PatientRecord, when: datetime) -> tuple[Condition, ...]:
    """Active conditions without the pregnancy-episode events whose episode is long over (a 1979
    miscarriage) or old acute episodes (a 1992 overdose): careplan_eligibility.toml [episodic], [acute]."""
    t = tables()
    chart = Chart(record, when)
    episodic = {c.ref for concept in t.episodic_concepts for c in chart.conditions(concept)}
    out = []
    for c in record.active_conditions:
        if c.onset and c.onset > when:
            continue
        if c.ref in episodic or code_matches(c, t.episodic_codes):
            start = c.when
            if start is None or when - start > timedelta(days=t.episodic_days):
                continue
        # An injury, overdose, dental problem or acute infection the source never closed ([acute]).
        if code_matches(c, t.acute_codes) and (c.when is None or when - c.when > timedelta(days=t.acute_days)):
            continue
        out.append(c)
    return tuple(out)


def _fold(matches: list[TemplateMatch], current: tuple[Condition, ...], chart: Chart) -> list[TemplateMatch]:
    """Findings that describe a matched problem (prediabetes and hyperglycaemia under diabetes,
    'Body mass index 30+' under obesity) join it instead of standing as problems of their own."""
    ids = {m.template.id for m in matches}
    out = []
    for m in matches:
        extra: list[Condition] = []
        for into, codes, concepts in tables().folds:
            if into != m.template.id or into not in ids:
                continue
            in_concepts = {c.ref for k in concepts for c in chart.conditions(k)}
            extra += [c for c in current if c.ref not in m.refs
                      and (code_matches(c, codes) or c.ref in in_concepts)]
        out.append(replace(m, folded=tuple(dict.fromkeys(extra))) if extra else m)
    return out


def judge_for(record: PatientRecord, when: datetime, current: tuple[Condition, ...],
              flags: frozenset[str] = frozenset(),
              scores: Mapping[str, str] | None = None) -> tuple[Judge, list[TemplateMatch]]:
    """The templates that apply now and the judge of every recommendation's eligibility: it knows
    the plan's problems, which of the patient's medicines a guideline says to stop or hold, and the
    computed scores a line may quote ({score:curb65})."""
    chart = Chart(record, when)
    matches = _fold(match_templates(record, judge=Judge(chart), conditions=current), current, chart)
    problems = frozenset(m.template.id for m in matches)
    first = Judge(chart, problems, flags=flags)
    stopped = frozenset(r.item.removeprefix("medicine:") for med in chart.meds for r in first.stops(med.keys)
                        if r.action in ("Stop", "Hold"))
    return Judge(chart, problems, stopped, flags, dict(scores or {})), matches
