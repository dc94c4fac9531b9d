"""Deterministic care-plan sections that need no measurement: problems, flags, interventions, follow-up,
the rationale and the patient's plain-language section when no model writes them."""

from __future__ import annotations

from assistant.assist.careplan.build import (
    STATE_WORDS,
    Context,
    chosen_goals,
    fmt_date,
    in_acute_care,
)
from assistant.assist.careplan.document import Item
from assistant.assist.careplan.templates import GoalSpec, TemplateMatch, unmet_text
from assistant.assist.fact_lines import ordered_flags
from assistant.clinical.flags import RiskReport
from assistant.records.domain import Condition

VERBS = {"critical": "Resolve now", "high": "Resolve", "moderate": "Address", "low": "Review", "info": "Review"}


def problem_items(ctx: Context, matches: list[TemplateMatch], current: tuple[Condition, ...]) -> list[Item]:
    """One item per template (its conditions, the findings folded into it, or the value that
    triggered an acute one), then the other current problems without a template."""
    items = []
    covered: set[str] = set()
    for m in matches:
        t = m.template
        covered.update(m.refs)
        covered.update(c.ref for c in m.folded)
        names = ", ".join(dict.fromkeys(c.display for c in m.conditions)) or m.triggered
        if m.triggered and m.conditions:
            names += f"; now {m.triggered}"
        onset = min((c.when for c in m.conditions if c.when), default=None)
        cites, fids, marker = ctx.cite(m.refs + tuple(c.ref for c in m.folded))
        since = f", since {fmt_date(onset)}" if onset else ""
        also = (f"; also recorded: {', '.join(dict.fromkeys(c.display for c in m.folded))}"
                if m.folded else "")
        items.append(Item(text=f"{t.title} ({names}{since}{also}){marker}. Plan follows {t.source}.",
                          kind="problem", citations=cites, fact_ids=fids, key=f"problem:{t.id}",
                          conditions=(t.id,), source=t.source, state="template"))
    for c in current:
        if c.ref in covered:
            continue
        cites, fids, marker = ctx.cite((c.ref,))
        unmet = unmet_text(ctx.judge, c) if ctx.judge is not None else ""
        if unmet:
            items.append(Item(text=f"{unmet}{marker}", kind="problem", citations=cites, fact_ids=fids,
                              key=f"problem:{c.id}", state="not-confirmed"))
            continue
        items.append(Item(text=f"{c.display}{marker}: no care-plan template; add plan items if needed.",
                          kind="problem", citations=cites, fact_ids=fids, key=f"problem:{c.id}",
                          state="no-template"))
    return items


def flag_items(ctx: Context, risk: RiskReport | None) -> list[Item]:
    """One item per active flag: what to resolve, its evidence and its published source."""
    items = []
    for f in ordered_flags(risk):
        title = f.title or f.id
        explanation = " ".join(f.explanation.split())
        cites, fids, marker = ctx.cite(f.evidence)
        text = f"{VERBS[f.severity]} ({f.severity}): {title}{marker}."
        if explanation:
            text += f" {explanation.rstrip('.')}."
        if f.missing:
            text += f" Missing inputs: {', '.join(f.missing)}."
        items.append(Item(text=text, kind="flag", citations=cites, fact_ids=fids, key=f"flag:{f.id}",
                          source=f.reference, state=f.severity))
    return items


def intervention_items(ctx: Context, matches: list[TemplateMatch]) -> list[Item]:
    """Each template's interventions for a patient who qualifies (careplan_eligibility.toml)."""
    items = []
    for m in matches:
        for key, text in m.template.interventions:
            ok, instead, _ = ctx.allowed(f"intervention:{m.template.id}:{key}")
            if ok:
                items.append(Item(text=f"{m.template.title}: {instead or text}", kind="intervention",
                                  key=f"intervention:{m.template.id}:{key}", conditions=(m.template.id,),
                                  source=m.template.source, citations=m.refs))
    return items


def followup_items(ctx: Context, matches: list[TemplateMatch], flags: list[Item]) -> list[Item]:
    items: list[Item] = []
    severities = {f.state for f in flags}
    # In an emergency or inpatient encounter now, the same-day actions are the treating team's;
    # "contact the patient" would read as if the patient were at home (reader 17: Doris in resus).
    acute = in_acute_care(ctx)
    who = "Treating team {when} (the patient is in emergency or inpatient care)" if acute else "Contact the patient {when}"
    for m in matches:  # an acute problem at its guideline's same-day level (potassium >= 6.0 ...)
        t = m.template
        if t.urgent is not None and ctx.judge is not None and ctx.judge.holds(t.urgent):
            items.append(Item(text=f"{who.format(when='today')}: {t.title.lower()} needs {t.urgent_text}.",
                              kind="followup", citations=m.refs, key=f"followup:today:{t.id}",
                              interval="today", conditions=(t.id,), source=t.source, state="urgent"))
    if severities & {"critical", "high"}:
        urgent = "critical" in severities or bool(items)
        when = "today" if urgent else "within 1 week"
        refs = tuple(r for f in flags if f.state in ("critical", "high") for r in f.citations)
        cites, fids, _ = ctx.cite(refs)
        level = "critical" if "critical" in severities else "urgent" if urgent else "high-severity"
        after = "; after discharge, review them with the patient" if acute else ""
        items.append(Item(text=f"{who.format(when=when)}: resolve the {level} safety issue(s) above{after}."
                          if acute else f"Contact the patient {when} to resolve the {level} safety issue(s) above.",
                          kind="followup", citations=cites, fact_ids=fids, key="followup:safety",
                          interval="today" if urgent else "1 week", state="urgent"))
    if matches:
        # The shortest interval any active item demands: a template's sooner review while its
        # condition holds (COPD 4-6 weeks after an exacerbation) counts before its routine one.
        due = [(_interval(ctx, m), m) for m in matches]
        (months, interval, why), first = min(due, key=lambda d: (d[0][0], d[1].template.priority))
        t = first.template
        items.append(Item(text=f"Next routine review in {interval} (the shortest interval "
                               f"among the conditions: {t.title}{why}).", kind="followup",
                          key="followup:next", interval=interval, conditions=(t.id,),
                          source=t.source))
        for m in matches:
            items.append(Item(text=f"{m.template.title}: {m.template.followup_text}", kind="followup",
                              key=f"followup:{m.template.id}", interval=m.template.followup_interval,
                              conditions=(m.template.id,), source=m.template.source))
    return items


def _interval(ctx: Context, m: TemplateMatch) -> tuple[float, str, str]:
    """(months, interval, why) of a template's next review for this patient now."""
    t = m.template
    if t.soon is not None and ctx.judge is not None and ctx.judge.holds(t.soon) and t.soon_months < t.followup_months:
        return t.soon_months, t.soon_interval, f", {t.followup_text.split(';')[0].lower()}"
    return t.followup_months, t.followup_interval, ""


def deterministic_rationale(matches: list[TemplateMatch], goals: list[Item], flags: list[Item],
                            flag_titles: list[str], monitoring: list[Item]) -> list[Item]:
    items = []
    measures = {f"goal:{g.key}": g.measure for m in matches for g in m.template.goals}
    tests = {f"monitor:{s.key}": s.test for m in matches for s in m.template.monitoring}
    if matches:
        refs = tuple(r for m in matches for r in m.refs)
        names = "; ".join(f"{m.template.title} ({m.template.source})" for m in matches)
        items.append(Item(text=f"The plan follows current guidelines for: {names}.", kind="rationale",
                          citations=refs, key="rationale:scope"))
    if flags:
        titles = "; ".join(flag_titles[:3]) + ("; ..." if len(flag_titles) > 3 else "")
        items.append(Item(text=f"Safety first: {len(flags)} active flag(s) to resolve ({titles}).",
                          kind="rationale", citations=tuple(r for f in flags for r in f.citations),
                          fact_ids=tuple(i for f in flags for i in f.fact_ids), key="rationale:flags"))
    off = [g for g in goals if g.state in ("above-target", "below-target", "not-at-target")]
    for g in off:
        measure = measures.get(g.key, "A goal")
        items.append(Item(text=f"{measure} is {STATE_WORDS[g.state]}: latest {g.latest}, target {g.target}.",
                          kind="rationale", citations=g.citations, fact_ids=g.fact_ids,
                          key=f"rationale:{g.key}"))
    late = [m for m in monitoring if m.state in ("overdue", "due")]
    if late:
        names = ", ".join(tests.get(m.key, m.text.split(":")[0]) for m in late)
        items.append(Item(text=f"Tests due or overdue: {names}.", kind="rationale",
                          citations=tuple(r for m in late for r in m.citations), key="rationale:due"))
    if not items:
        items.append(Item(text="No condition with a care-plan template is active on the chart; "
                               "write the plan by hand.", kind="rationale", key="rationale:none"))
    return items


def _n(v: float | None, decimals: int = 0) -> str:
    return "" if v is None else f"{v:.{decimals}f}"


def _decimals(*values: float | None) -> int:
    # 7.0 % reads as the guideline writes it; 3.5-5.0 keeps one decimal on both ends.
    return 1 if any(v is not None and v != int(v) for v in values) else 0


def plain_target(g: GoalSpec) -> str:
    unit = f" {g.unit}" if g.unit and not g.unit.startswith("{") else ""
    if g.parts:
        return f"below {'/'.join(f'{v:g}' for _, v in g.parts)}{unit}"
    if g.op == "between":
        d = 1 if max(abs(g.low or 0), abs(g.high or 0)) < 10 else _decimals(g.low, g.high)
        return f"between {_n(g.low, d)} and {_n(g.high, d)}{unit}"
    if g.op == "text":
        return "no smoking or tobacco"
    if g.op == "loss%":
        return f"lose at least {g.value:g} % of your weight"
    if g.op == "stable":
        return f"a steady weight (tell us about a gain of more than {g.value:g} kg in 3 days)"
    words = {"<": "below", "<=": "at or below", ">": "above", ">=": "at least"}
    if g.op in words and g.value is not None:
        d = 1 if g.unit == "%" and abs(g.value) < 20 else _decimals(g.value)
        return f"{words[g.op]} {_n(g.value, d)}{unit}"
    return g.target


def patient_items(ctx: Context, matches: list[TemplateMatch], goals: list[Item],
                  flags: list[Item], followup: list[Item]) -> list[Item]:
    """The patient's section in plain words: what the plan is about, goals, what to do, when to come back."""
    items: list[Item] = []
    if matches:
        names = ", ".join(m.template.plain for m in matches)
        items.append(Item(text=f"This plan is about your {names}.", kind="text", key="patient:about",
                          citations=tuple(r for m in matches for r in m.refs)))
    if any(f.key.startswith("followup:today") or f.interval == "today" for f in followup):
        why = tuple(r for f in followup if f.interval == "today" for r in f.citations)
        # Name what it is about: a result, or (an allergy to) a medicine.
        about = "a test result" if not why or any(r.startswith("Observation/") for r in why) else "one of your medicines"
        text = (f"Your care team here is dealing with {about} that needs action now." if in_acute_care(ctx)
                else f"Your care team will contact you today about {about} that needs action now.")
        items.append(Item(text=text, kind="text", key="patient:today", citations=why))
    if flags:
        items.append(Item(text="Your care team found something in your medicines or test results that "
                               "needs sorting out soon. They will talk to you about it.", kind="text",
                          key="patient:safety", citations=tuple(r for f in flags for r in f.citations)))
    specs = {f"goal:{k}": g for k, (g, _) in chosen_goals(ctx, matches).items()}
    for item in goals:
        spec = specs.get(item.key)
        if spec is None or not spec.patient:
            continue
        text = f"Your goal for your {spec.plain}: {plain_target(spec)}."
        if item.latest and spec.op not in ("text",):
            # "98.1 kg on 2026-10-27 (+1.8 % since ...)": the patient needs the value and the date.
            text += f" Your last result was {item.latest.split(' (')[0]}."
        items.append(Item(text=text, kind="goal", key=f"patient:{item.key}", citations=item.citations,
                          fact_ids=item.fact_ids, target=item.target, latest=item.latest))
    seen: set[str] = set()
    for m in matches:
        for n, text in enumerate(m.template.education):
            ok, instead, _ = ctx.allowed(f"education:{m.template.id}:{n}")
            if not ok:
                continue
            text = instead or text
            if text not in seen:
                seen.add(text)
                items.append(Item(text=text, kind="education", key=f"education:{m.template.id}:{n}",
                                  conditions=(m.template.id,), source=m.template.source))
    nxt = next((f for f in followup if f.key == "followup:next"), None)
    if nxt is not None:
        text = (f"Your next check-up: in {nxt.interval}. Bring your medicines and any home readings."
                if not in_acute_care(ctx) else
                f"Once you are home, your next check-up will be in about {nxt.interval.removeprefix('about ')}; "
                "the team looking after you will arrange it.")
        items.append(Item(text=text, kind="followup", key="patient:followup",
                          interval=nxt.interval))
    return items
