"""The care plan's monitoring lines: one per test, due by the last value, the plan's own decisions and its flags."""

from __future__ import annotations

import re
from datetime import date, timedelta

from assistant.assist.careplan.build import (
    _BAD_STATUS,
    STATE_WORDS,
    Context,
    in_acute_care,
    obs_display,
    too_old,
)
from assistant.assist.careplan.document import Item
from assistant.assist.careplan.monitor_merge import kdigo_interval, merge_covered
from assistant.assist.careplan.monitor_rules import FlagTest, decision_due, flag_tests, floor
from assistant.assist.careplan.templates import MonitorSpec, TemplateMatch
from assistant.clinical.display_names import observation_name
from assistant.clinical.extract.codes import analyte_by_loinc
from assistant.clinical.reference_ranges import in_table_unit, lab_ranges, select_range
from assistant.clinical.rules.base import Flag
from assistant.records.domain import Observation


def _add_months(d: date, months: float) -> date:
    return d + timedelta(days=round(months * 30.44))


ABNORMAL_MONTHS = 1.0  # an abnormal last value is repeated within a month at the latest


def _out_of_range(ctx: Context, o: Observation) -> str:
    """Where the value lies: against the lab's own range, else the range the flags read
    (lab_reference_ranges.csv, INR 2-3 on warfarin), so both say the same."""
    low, high = o.reference_low, o.reference_high
    name = analyte_by_loinc().get(o.code.code)
    if low is None and high is None and name and ctx.judge is not None and in_table_unit(name, o.unit):
        r = select_range(ctx.judge.chart, lab_ranges().get(name, ()))
        low, high = (r.low, r.high) if r else (None, None)
    if o.value is not None and high is not None and o.value > high:
        return "above range"
    if o.value is not None and low is not None and o.value < low:
        return "below range"
    return "out of range"


def _due(ctx: Context, spec: MonitorSpec, found: Observation, last: date,
         at_target: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(state, text) of when a test is next due: the last value decides. Critical: now, today;
    abnormal (a flag cites it, and the plan's own goal does not call it at target): within a
    month (never sooner than the test can change); beyond its validity window: overdue. A medicine
    decision of this plan that schedules the test comes first: one decision per test, the plan's."""
    decided = decision_due(ctx, spec)
    if decided is not None:
        return decided
    if found.ref in ctx.critical_refs:
        return "now", f"critical value: repeat today, not at the routine interval ({spec.interval})"
    if found.ref in ctx.critical_scores:
        # The value feeds a critical score; it need not be critical itself (SpO2 88 % in COPD).
        return "now", f"part of a critical {ctx.critical_scores[found.ref]}: reassess today"
    if found.ref in ctx.urgent_refs:
        # Same-day action without a critical value: say where the value lies, never "critical".
        return "now", f"{_out_of_range(ctx, found)}: repeat today, not at the routine interval ({spec.interval})"
    if spec.now_if is not None and ctx.judge is not None and ctx.judge.holds(spec.now_if):
        soon = _add_months(last, spec.now_months)
        if spec.now_months and soon >= ctx.as_of:  # a value days old is repeated after the change it guides
            return "due-soon", f"{spec.now_text}: next due {soon.isoformat()}, not at the routine interval"
        return "now", f"{spec.now_text}: now, not at the routine interval"
    days = too_old(ctx, last, spec.loinc)
    if days is not None:
        return "overdue", f"overdue (last on {last.isoformat()}, older than {days} days)"
    if spec.months <= 0:
        return "up-to-date", "done"
    months = spec.months
    # A value a score flag cites (SpO2 88 % in NEWS2) that this plan's goal judges at target (COPD
    # 88-92 %) is not "abnormal" here: the monitoring line must not contradict the goal line.
    abnormal = found.ref in ctx.abnormal_refs and found.ref not in at_target
    if abnormal:
        months = min(months, ABNORMAL_MONTHS if spec.abnormal_months is None else spec.abnormal_months)
    months, least = floor(spec, months)
    due = _add_months(last, months)
    state = ("overdue" if due < ctx.as_of else
             "due-soon" if due <= ctx.as_of + timedelta(days=31) or abnormal else "up-to-date")
    why = "abnormal last value: " if abnormal else ""
    # Raised to the shortest interval the test allows: say why, not "due soon" months ahead.
    return state, f"{why}next due {due.isoformat()} ({least if least and state != 'overdue' else STATE_WORDS[state]})"


def monitoring_items(ctx: Context, matches: list[TemplateMatch], goals: list[Item] | None = None) -> list[Item]:
    """One item per test; when templates disagree the shortest interval wins (the stricter). `goals`:
    the plan's goal items, whose at-target values are never called abnormal here."""
    at_target = frozenset(r for g in goals or () if g.state == "at-target" for r in g.citations)
    chosen: dict[str, tuple[MonitorSpec, list[TemplateMatch]]] = {}
    for m in matches:
        for spec in m.template.monitoring:
            if spec.only_with_meds and not ctx.on_meds(spec.only_with_meds):
                continue
            spec = kdigo_interval(ctx.judge.chart if ctx.judge is not None else None, spec)
            if spec.key in chosen:
                old, ms = chosen[spec.key]
                ms.append(m)
                if 0 < spec.months < old.months or old.months == 0 < spec.months:
                    chosen[spec.key] = (spec, ms)
            else:
                chosen[spec.key] = (spec, [m])
    # One line per test: a test other lines already schedule joins them (the stricter interval wins).
    chosen = merge_covered(chosen)
    asked = _asked(ctx, chosen)
    acute = in_acute_care(ctx)
    items = []
    for key, (spec, ms) in chosen.items():
        flagged, flag = asked.get(key, (None, None))
        found = _newest(ctx, spec, flag.evidence if flag else ())
        refs: tuple[str, ...] = ()
        if found is None or found.when is None:
            state, last = "due", ""
            why = f" ({flagged.text})" if flagged else ""
            text = f"{spec.test}: {spec.interval}. No result on record{why}: due now."
        elif flagged is not None:
            refs, last = (found.ref,), _last(ctx, spec, found)
            state, text = "due", f"{spec.test}: {spec.interval}. Last {last}; {flagged.text}: due now."
        else:
            last_date = found.when.date()
            refs = (found.ref,)
            last = _last(ctx, spec, found)
            state, due_text = _due(ctx, spec, found, last_date, at_target)
            text = f"{spec.test}: {spec.interval}. Last {last}; {due_text}."
        if acute and flagged is None and state in ("due", "overdue") and not any(m.template.episode for m in ms):
            # In emergency or inpatient care a chronic problem's routine test waits for recovery
            # (reader 17c: DXA "due now" in resus); the episode's tests and those a flag asks for stay.
            state = "due-soon"
            text = text.rstrip(".").removesuffix(": due now") + ": after recovery (the patient is in emergency or inpatient care now)."
        cites, fids, _ = ctx.cite(refs)
        items.append(Item(text=text, kind="monitoring", citations=cites, fact_ids=fids,
                          interval=spec.interval, latest=last, key=f"monitor:{key}",
                          conditions=tuple(m.template.id for m in ms),
                          source=ms[0].template.source if ms else (flagged.source if flagged else ""),
                          loinc=spec.loinc[0], state=state))
    return items


def _newest(ctx: Context, spec: MonitorSpec, cited: tuple[str, ...] = ()) -> Observation | None:
    """The newest result of the test; for a panel, of several on that day the code listed first (a
    lipid panel lists LDL first: the value its goal is about, not the same sample's total cholesterol).
    A line a flag asks for shows the newest result the flag cites (the creatinine, not the chart's eGFR)."""
    found = [o for o in ctx.record.observations_for(*spec.loinc) if o.status not in _BAD_STATUS]
    if any(o.ref in cited for o in found):
        return next(o for o in found if o.ref in cited)
    if not found or found[0].when is None or "panel" not in spec.test.lower():
        return found[0] if found else None
    first = found[0].when.date()
    same = [o for o in found if o.when is not None and o.when.date() == first]
    return min(same, key=lambda o: spec.loinc.index(o.code.code) if o.code.code in spec.loinc else len(spec.loinc))


def _last(ctx: Context, spec: MonitorSpec, found: Observation) -> str:
    """'Creatinine 1.79 mg/dL on 2026-11-09 [F19]': the value, named when the line is for several."""
    assert found.when is not None
    _, _, marker = ctx.cite((found.ref,))
    value = obs_display(found, spec.loinc)
    if value and "panel" in spec.test.lower():
        # A panel: name the value shown, the one the goal is about (LDL, not total cholesterol).
        value = f"{observation_name(found)} {value}"
    elif value and " and " in spec.test:
        # A combined test ("potassium and creatinine"): say which one was last measured.
        analyte = re.split(r" ?[\[/]", found.name)[0]
        value = f"{analyte} {value}"
    day = found.when.date().isoformat()
    return f"{value} on {day}{marker}" if value else f"{day}{marker}"


def _asked(ctx: Context, chosen: dict[str, tuple[MonitorSpec, list[TemplateMatch]]]
           ) -> dict[str, tuple[FlagTest, Flag]]:
    """Monitoring key -> the flag test that makes it due now. A test the flag asks for that no line
    schedules becomes a line of its own (`chosen` gains it)."""
    asked: dict[str, tuple[FlagTest, Flag]] = {}
    for t, f in flag_tests(ctx.flags):
        keys = [k for k, (s, _) in chosen.items() if set(s.loinc) & set(t.loinc)]
        if not keys:
            key = "flag:" + re.sub(r"[^a-z0-9]+", "-", t.test.lower()).strip("-")
            chosen[key] = (MonitorSpec(key, t.test, t.loinc, "now, as a flag asks", 0), [])
            keys = [key]
        for k in keys:
            asked.setdefault(k, (t, f))
    return asked
