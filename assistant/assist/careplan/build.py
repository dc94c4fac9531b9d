"""Deterministic care-plan sections: templates filled with the patient's own values, cited to the chart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from assistant.assist.careplan.document import Item
from assistant.assist.careplan.eligibility import Judge
from assistant.assist.careplan.templates import GoalSpec, TemplateMatch
from assistant.clinical.extract.codes import analyte, analyte_by_loinc
from assistant.clinical.knowledge import read_toml
from assistant.clinical.rules.base import Flag
from assistant.clinical.units import display_unit, unit_key
from assistant.clinical.values import DIASTOLIC, SYSTOLIC, format_number, format_value, with_unit
from assistant.records.domain import Medication, Observation
from assistant.records.record import PatientRecord

_BAD_STATUS = ("entered-in-error", "cancelled")
STATE_WORDS = {"at-target": "at target", "above-target": "above target", "below-target": "below target",
               "not-at-target": "not at target", "missing": "no result on record",
               "unassessed": "not assessed automatically", "overdue": "overdue", "due": "due now",
               "due-soon": "due soon", "up-to-date": "up to date", "too-old": "too old to judge",
               "now": "repeat now"}


@dataclass(frozen=True)
class Context:
    """What every section builder needs: the chart, the date values are judged against, and the
    fact-sheet index (record ref -> fact id) used to add [F7] markers."""

    record: PatientRecord
    as_of: date
    fact_by_ref: Mapping[str, str]
    active_meds: tuple[Medication, ...]
    judge: Judge | None = None
    critical_refs: frozenset[str] = frozenset()  # observations a critical lab flag cites (at/over a critical limit)
    critical_scores: Mapping[str, str] = field(default_factory=dict)  # observation -> critical score flag (NEWS2)
    urgent_refs: frozenset[str] = frozenset()  # observations an urgent template criterion used (same-day, not critical)
    abnormal_refs: frozenset[str] = frozenset()  # observations any flag cites
    flags: tuple[Flag, ...] = ()  # the active flags: a flag whose action is a test makes it due now

    def allowed(self, item: str) -> tuple[bool, str, dict[str, object]]:
        """(draft it?, replacement text, goal fields to replace) from the eligibility rules."""
        if self.judge is None:
            return True, "", {}
        rule = self.judge.decide(item)
        if rule is None:
            return False, "", {}
        if isinstance(rule, bool):
            return True, "", {}
        return True, self.judge.fill(rule.text) if rule.text else "", dict(rule.set)

    def cite(self, refs: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...], str]:
        """(citations, fact ids, text marker) for some record entries."""
        refs = tuple(dict.fromkeys(r for r in refs if r))
        ids = tuple(dict.fromkeys(self.fact_by_ref[r] for r in refs if r in self.fact_by_ref))
        return refs, ids, "".join(f" [{i}]" for i in ids)

    def on_meds(self, names: tuple[str, ...]) -> tuple[Medication, ...]:
        return tuple(m for m in self.active_meds if any(n in med_text(m) for n in names))


def in_acute_care(ctx: Context) -> bool:
    """The patient is in an emergency or inpatient encounter on the plan's date (started, not
    finished; rules.toml [encounters]): the plan then speaks of someone in hospital, not at home."""
    acute = read_toml("rules.toml")["encounters"]
    for e in ctx.record.encounters:
        if e.class_code.upper() not in acute["acute_classes"] or e.start is None or e.status in _BAD_STATUS:
            continue
        start = e.start.date()
        if e.end is not None:
            open_now = start <= ctx.as_of <= e.end.date()
        else:
            open_now = e.status != "finished" and 0 <= (ctx.as_of - start).days <= acute["open_days"]
        if open_now:
            return True
    return False


def med_text(m: Medication) -> str:
    return f"{m.name} {m.code.display}".lower()


def fmt_date(dt: datetime | date | None) -> str:
    if dt is None:
        return "undated"
    return (dt.date() if isinstance(dt, datetime) else dt).isoformat()


def obs_display(o: Observation, codes: tuple[str, ...]) -> str:
    """The value a reader expects: '148/88 mmHg' for a blood-pressure panel, else value and unit
    (or the coded answer, e.g. 'Ex-smoker')."""
    sbp, dbp = o.component(SYSTOLIC), o.component(DIASTOLIC)
    if sbp and dbp and sbp.value is not None and dbp.value is not None:
        return (f"{format_number(sbp.value, sbp.unit, SYSTOLIC)}/"
                f"{format_number(dbp.value, dbp.unit, DIASTOLIC)} mmHg")
    for code in codes:
        v, unit, text = _value(o, code)
        if v is not None:
            return format_value(v, unit, code)
        if text:
            return text
    return ""


def _value(o: Observation, code: str) -> tuple[float | None, str, str]:
    """(value, unit, text) of `code` in an observation, itself or as a component."""
    if o.code.code == code:
        return o.value, o.unit, o.value_text
    c = o.component(code)
    return (c.value, c.unit, c.value_text) if c else (None, "", "")


def latest_value(record: PatientRecord, codes: tuple[str, ...], text_ok: bool = False
                 ) -> tuple[Observation, float | None, str, str, str] | None:
    """Newest observation carrying a value for any of `codes`: (obs, value, unit, text, code)."""
    for o in record.observations_for(*codes):
        if o.status in _BAD_STATUS:
            continue
        for code in codes:
            v, unit, text = _value(o, code)
            if v is not None or (text_ok and text):
                return o, v, unit, text, code
    return None


DEFAULT_WINDOW_DAYS = 365  # a measure loinc_map.csv does not list (pain score, UACR) keeps a year


def window_days(codes: tuple[str, ...]) -> int:
    """The validity window of the measure (loinc_map.csv window_days)."""
    by_loinc = analyte_by_loinc()
    name = next((by_loinc[c] for c in codes if c in by_loinc), None)
    if name is None:
        return DEFAULT_WINDOW_DAYS
    a = analyte(name)
    # Bedside vitals windows (1 day from the newest vitals set) serve acute scores, not plan goals.
    return a.window_days if a.anchor == "as_of" else DEFAULT_WINDOW_DAYS


def too_old(ctx: Context, when: datetime | date | None, codes: tuple[str, ...]) -> int | None:
    """The window in days when a value dated `when` is beyond its measure's validity window."""
    days = window_days(codes)
    if when is None:
        return None
    d = when.date() if isinstance(when, datetime) else when
    return days if (ctx.as_of - d).days > days else None


def convert(goal: GoalSpec, v: float, unit: str) -> float | None:
    """`v` in the goal's unit, or None when the units differ and no factor is known."""
    # An annotation alone ({score}) is no unit: nothing to convert.
    if not display_unit(goal.unit) or not display_unit(unit) or unit_key(goal.unit) == unit_key(unit):
        return v
    for name, factor in goal.convert:
        if unit_key(name) == unit_key(unit):
            return v * factor
    return None


def _meets(goal: GoalSpec, v: float, limit: float | None = None) -> str:
    lim = goal.value if limit is None else limit
    if goal.op == "between" and goal.low is not None and goal.high is not None:
        return "below-target" if v < goal.low else "above-target" if v > goal.high else "at-target"
    if lim is None:
        return "unassessed"
    ok = {"<": v < lim, "<=": v <= lim, ">": v > lim, ">=": v >= lim}.get(goal.op)
    if ok is None:
        return "unassessed"
    return "at-target" if ok else ("above-target" if goal.op in ("<", "<=") else "below-target")


def _assess(ctx: Context, goal: GoalSpec) -> tuple[str, str, tuple[str, ...]]:
    """(latest text, state, cited refs) for one goal."""
    rec = ctx.record
    if goal.parts:  # several numbers read together, e.g. 142/88 mmHg
        found = [(code, lim, latest_value(rec, (code,))) for code, lim in goal.parts]
        if any(f is None for _, _, f in found):
            return "", "missing", ()
        states, values, refs, when = [], [], [], None
        for code, lim, f in found:
            assert f is not None
            o, v, unit, _, _ = f
            vv = convert(goal, v, unit) if v is not None else None
            values.append(format_number(v, unit, code) if v is not None else "?")
            states.append(_meets(goal, vv, lim) if vv is not None else "unassessed")
            refs.append(o.ref)
            when = when or o.when
        bad = [s for s in states if s not in ("at-target", "unassessed")]
        state = bad[0] if bad else ("unassessed" if "unassessed" in states else "at-target")
        shown = f"{with_unit('/'.join(values), display_unit(goal.unit))} on {fmt_date(when)}"
        return _dated(ctx, goal, shown, state, when, tuple(refs))
    if goal.op == "text":
        f = latest_value(rec, goal.codes, text_ok=True)
        if f is None:
            return "", "missing", ()
        o, _, _, text, _ = f
        ok = any(s in text.lower() for s in goal.ok)
        return _dated(ctx, goal, f"{text} on {fmt_date(o.when)}", "at-target" if ok else "not-at-target",
                      o.when, (o.ref,))
    f = latest_value(rec, goal.codes)
    if f is None:
        return "", "missing", ()
    o, v, unit, _, code = f
    assert v is not None
    shown = f"{format_value(v, unit or goal.unit, code)} on {fmt_date(o.when)}"
    vv = convert(goal, v, unit)
    if goal.op in ("loss%", "stable"):
        return _trend(ctx, goal, o, v, unit, shown)
    if vv is None or not goal.op:
        return shown, "unassessed", (o.ref,)
    return _dated(ctx, goal, shown, _meets(goal, vv), o.when, (o.ref,))


def _dated(ctx: Context, goal: GoalSpec, shown: str, state: str, when: datetime | None,
           refs: tuple[str, ...]) -> tuple[str, str, tuple[str, ...]]:
    """A value beyond its measure's validity window is never judged at (or off) target."""
    days = too_old(ctx, when, goal.codes)
    if days is None:
        return shown, state, refs
    return f"{shown}, older than {days} days", "too-old", refs


def _trend(ctx: Context, goal: GoalSpec, last: Observation, v: float, unit: str, shown: str
           ) -> tuple[str, str, tuple[str, ...]]:
    """Weight goals judged against an earlier value: the first on record (loss%), or one within
    the last 7 days (stable: a gain of more than `value` kg in days is decompensation)."""
    series = [o for o in ctx.record.observations_for(*goal.codes)
              if o.status not in _BAD_STATUS and o.value is not None and o.ref != last.ref and o.when]
    if not series or last.when is None:
        return shown, "unassessed", (last.ref,)
    if goal.op == "loss%":
        base = series[-1]  # oldest
        assert base.value is not None
        pct = (base.value - v) / base.value * 100 if base.value else 0.0
        since = format_value(base.value, base.unit or unit, base.code.code)
        text = f"{shown} ({-pct:+.1f} % since {since} on {fmt_date(base.when)})"
        state = "at-target" if goal.value is not None and pct >= goal.value else "not-at-target"
        return text, state, (last.ref, base.ref)
    recent = [o for o in series if o.when and timedelta(0) < last.when - o.when <= timedelta(days=7)]
    if not recent:
        return shown, "unassessed", (last.ref,)
    prev = recent[-1]
    assert prev.value is not None
    change = v - prev.value
    state = "above-target" if goal.value is not None and change > goal.value else "at-target"
    return (f"{shown} ({with_unit(f'{change:+.1f}', display_unit(unit))} since {fmt_date(prev.when)})", state,
            (last.ref, prev.ref))


def chosen_goals(ctx: Context, matches: list[TemplateMatch]) -> dict[str, tuple[GoalSpec, list[TemplateMatch]]]:
    """Goal key -> (the spec that applies to this patient, the templates that set it). The
    highest-priority template's target wins; eligibility rules may drop or individualise it."""
    chosen: dict[str, tuple[GoalSpec, list[TemplateMatch]]] = {}
    for m in matches:
        for g in m.template.goals:
            if g.only_with_meds and not ctx.on_meds(g.only_with_meds):
                continue
            ok, _, fields = ctx.allowed(f"goal:{m.template.id}:{g.key}")
            if not ok:
                continue
            if fields:
                g = replace(g, **{k: (float(v) if k == "value" else v) for k, v in fields.items()})  # type: ignore[arg-type]
            chosen.setdefault(g.key, (g, []))[1].append(m)
    return chosen


def goal_items(ctx: Context, matches: list[TemplateMatch]) -> list[Item]:
    """One item per measure; the highest-priority template's target wins, the others are named."""
    chosen = chosen_goals(ctx, matches)
    items = []
    for key, (g, ms) in chosen.items():
        latest, state, refs = _assess(ctx, g) if g.op else ("", "unassessed", ())
        refs = refs + (ctx.on_meds(g.only_with_meds)[0].ref,) if g.only_with_meds else refs
        cites, fids, marker = ctx.cite(refs)
        text = f"{g.measure} target {g.target}"
        if latest and state == "too-old":
            text += f"; latest {latest}{marker}: too old to judge, measure it now"
        elif latest:
            text += f"; latest {latest}{marker} ({STATE_WORDS[state]})"
        elif g.op:
            text += "; no result on record: measure it"
        if g.note:
            text += f". {g.note}"
        items.append(Item(text=text, kind="goal", citations=cites, fact_ids=fids, target=g.target,
                          latest=latest, key=f"goal:{key}", conditions=tuple(m.template.id for m in ms),
                          source=ms[0].template.source, loinc=g.codes[0] if g.codes else "",
                          state=state))
    return items
