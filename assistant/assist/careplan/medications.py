"""The care plan's medication section: the patient's medicines (stop/hold/continue) and the classes guidelines suggest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from assistant.assist.careplan.allergy import AllergyStop
from assistant.assist.careplan.build import Context, med_text
from assistant.assist.careplan.document import Item
from assistant.assist.careplan.eligibility import Rule
from assistant.assist.careplan.statins import statin_label
from assistant.assist.careplan.templates import MedSpec, TemplateMatch
from assistant.clinical.extract.drugs import ingredients_in_text
from assistant.records.domain import Medication


def med_actions(ctx: Context, med: Medication) -> tuple[Rule, ...]:
    """The guideline actions (Stop, Hold) that apply to one active medicine now."""
    if ctx.judge is None:
        return ()
    resolved = next((r for r in ctx.judge.chart.meds if r.ref == med.ref), None)
    return ctx.judge.stops(resolved.keys) if resolved else ()


def course_overdue(ctx: Context, med: Medication) -> int:
    """The limit in days when a medicine never taken long-term (chemotherapy, an antibiotic course)
    started longer ago than that and is still listed active ([[course]]), else 0."""
    if ctx.judge is None or med.start is None:
        return 0
    resolved = next((r for r in ctx.judge.chart.meds if r.ref == med.ref), None)
    keys = resolved.keys if resolved else frozenset()
    text = med_text(med)
    start = med.start.date() if isinstance(med.start, datetime) else med.start
    for names, days in ctx.judge.tables.courses:
        if any(k in keys or (not k.startswith("class:") and k in text) for k in names):
            return days if (ctx.as_of - start).days > days else 0
    return 0


def _label(ctx: Context, med: Medication, roles: list[tuple[TemplateMatch, MedSpec]]) -> str:
    text = med.name or med.code.display or "medication"
    if med.dose_text:
        # Dose instructions often end with their own full stop; the item adds one after the marker.
        text += f", {med.dose_text.rstrip().rstrip('.')}"
    if roles:
        statin = statin_label(med_text(med))
        # The intensity comes from the drug and dose (ACC/AHA 2018 table), never from the
        # template's recommendation ("High-intensity statin" is what CCD asks for, not what this is).
        classes = dict.fromkeys(statin if statin and spec.key == "statin" else spec.drug_class
                                for _, spec in roles)
        titles = dict.fromkeys(m.template.title for m, _ in roles)
        text += f" ({' / '.join(classes)} for {', '.join(titles)})"
        age = ctx.judge.chart.age if ctx.judge else None
        # Over 75, ACC/AHA 2018 finds moderate or high intensity reasonable: no "below" note.
        if statin and not statin.startswith("high") and (age is None or age <= 75) and any(
                spec.key == "statin" and spec.drug_class.lower().startswith("high") for _, spec in roles):
            text += "; below the high intensity the guideline recommends: review dose and tolerance"
    return text


def medication_items(ctx: Context, matches: list[TemplateMatch], goals: list[Item] | None = None,
                     flagged: frozenset[str] = frozenset(),
                     allergic: Mapping[str, AllergyStop] | None = None) -> list[Item]:
    """Current medications (with the plan's condition they serve; those a guideline says to stop
    or hold now first, then those a safety flag cites), then drug classes the guidelines recommend
    that the chart does not show, marked 'consider', for patients who qualify. A class marked
    `only_if_off` is suggested only while that goal is off target or unmeasured. A medicine an
    allergy flag names (`allergic`) is stopped, with the allergy."""
    goal_state = {g.key.removeprefix("goal:"): g.state for g in goals or ()}
    items: list[Item] = []
    covered: set[str] = set()
    for med in ctx.active_meds:
        # A template names ingredients; the medicine may name one by a brand or another spelling
        # (drug_ingredients.csv synonyms: 'Zocor', Synthea's 'Simvistatin'), found as everywhere else.
        text, named = med_text(med), ingredients_in_text(med_text(med))
        roles = [(m, spec) for m in matches for spec in m.template.medications
                 if any(s in text or s in named for s in spec.match)]
        for m, spec in roles:
            covered.add(spec.key)
            covered.add(f"{m.template.id}:{spec.key}")
        actions = med_actions(ctx, med)
        cites, fids, marker = ctx.cite((med.ref,))
        text = _label(ctx, med, roles)
        if allergic and med.ref in allergic:
            stop = allergic[med.ref]
            lead, state = "Stop now", "stop"
            text += f"{marker}: {stop.reason} ({stop.flag.reference})"
            marker = ""
        elif actions:
            verb = actions[0].action
            reasons = "; ".join(dict.fromkeys(ctx.judge.fill(a.text) for a in actions if ctx.judge))
            lead = f"{verb} now" if actions[0].now else verb
            state = actions[0].state or verb.split()[0].lower()
            text += f"{marker}: {reasons} ({'; '.join(dict.fromkeys(a.source for a in actions))})"
            marker = ""
        elif days := course_overdue(ctx, med):
            # Listed active long past any course of this kind: ask, never "continue".
            lead, state = "Status uncertain: confirm", "uncertain"
            text += f"{marker}: a medicine given as a course, listed active for more than {days} days " \
                    "since its start; confirm whether it is still taken and update the list"
            marker = ""
        elif med.ref in flagged:
            lead, state = "Review now (safety flag)", "flagged"
        else:
            lead, state = "Continue or review", "on-record"
        items.append(Item(text=f"{lead}: {text}{marker}.", kind="medication",
                          citations=cites, fact_ids=fids, key=f"med:{med.id}",
                          conditions=tuple(dict.fromkeys(m.template.id for m, _ in roles)),
                          source=roles[0][0].template.source if roles else "", state=state))
    # Medicines to stop or hold first, then flagged ones: they are what the clinician must act on.
    order = {"stop": 0, "hold": 0, "adjust": 1, "intensify": 1, "uncertain": 1, "confirm": 1, "adjusted": 1, "flagged": 1, "keep": 1}
    items.sort(key=lambda i: order.get(i.state, 2))
    seen: dict[str, Item] = {}
    for m in matches:
        for spec in m.template.medications:
            if spec.key in covered or f"{m.template.id}:{spec.key}" in covered:
                continue
            if spec.only_if_off and goal_state.get(spec.only_if_off, "missing") in ("at-target", "unassessed"):
                continue
            ok, text, _ = ctx.allowed(f"medication:{m.template.id}:{spec.key}")
            if not ok:
                continue
            if spec.key in seen:  # same class from another template: name both conditions
                old = seen[spec.key]
                seen[spec.key] = replace(old, conditions=old.conditions + (m.template.id,))
                continue
            seen[spec.key] = _consider(ctx, m, replace(spec, consider=text) if text else spec)
    return items + list(seen.values())


def _consider(ctx: Context, m: TemplateMatch, spec: MedSpec) -> Item:
    text = f"Consider {spec.drug_class}: {spec.consider}"
    refs: tuple[str, ...] = ()
    # A suggested class the patient is allergic to must say so where the suggestion is read.
    allergic = [a for a in ctx.record.active_allergies
                if any(s in f"{a.substance} {a.code.display}".lower() for s in spec.match)]
    if allergic:
        refs = tuple(a.ref for a in allergic)
        text += f" CAUTION: allergy to {allergic[0].substance or allergic[0].code.display} on record."
    cites, fids, marker = ctx.cite(refs)
    return Item(text=text + marker, kind="medication", citations=cites, fact_ids=fids,
                key=f"consider:{spec.key}", conditions=(m.template.id,), source=m.template.source,
                state="consider")
