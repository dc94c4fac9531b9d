"""When a monitoring line is due by the plan's own decisions and flags (resources/knowledge/monitoring_rules.toml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from assistant.assist.careplan.note_events import event_time
from assistant.clinical.extract.chart import as_utc
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_toml

if TYPE_CHECKING:
    from assistant.assist.careplan.build import Context
    from assistant.assist.careplan.templates import MonitorSpec
    from assistant.clinical.rules.base import Flag

TABLE = "monitoring_rules.toml"
_WEEK_WORDS = ("week", "weeks", "wk")


@dataclass(frozen=True)
class AfterDecision:
    """A medicine decision of the plan (its line's state) that schedules tests."""

    state: str
    medicine: str  # ingredient or class:NAME
    monitors: tuple[str, ...]
    text: str
    source: str
    weeks_min: float = 0.0
    weeks_max: float = 0.0
    event: str = ""  # a [[note_event]]: the change the chart already records
    days: int = 0  # after the event, when no note plans an interval
    planned: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class MinInterval:
    monitors: tuple[str, ...]
    months: float
    text: str
    source: str


@dataclass(frozen=True)
class FlagTest:
    """A flag whose action is a test: that test is due now."""

    flags: tuple[str, ...]  # id prefixes
    says: tuple[str, ...]  # words of the flag's text, all required when given
    test: str
    loinc: tuple[str, ...]
    text: str
    source: str

    def asked_by(self, flag: Flag) -> bool:
        said = f"{flag.title} {flag.explanation} {' '.join(flag.points)}".lower()
        return any(flag.id.startswith(p) for p in self.flags) and all(w in said for w in self.says)


@dataclass(frozen=True)
class Rules:
    after: tuple[AfterDecision, ...]
    floors: tuple[MinInterval, ...]
    flag_tests: tuple[FlagTest, ...]


def _need(raw: dict[str, object], *keys: str) -> None:
    missing = [k for k in keys if not raw.get(k)]
    if missing:
        raise KnowledgeError(f"{TABLE}: a row lacks {', '.join(missing)}: {raw}")


@derived_table
def rules() -> Rules:
    data = read_toml(TABLE)
    after, floors, tests = [], [], []
    for r in data.get("after_decision", ()):
        _need(r, "state", "medicine", "monitors", "text", "source")
        if not (r.get("weeks_max") or r.get("event")):
            raise KnowledgeError(f"{TABLE}: after_decision {r['state']} needs weeks_max or an event")
        after.append(AfterDecision(r["state"], r["medicine"], tuple(r["monitors"]), r["text"], r["source"],
                                   float(r.get("weeks_min", 0)), float(r.get("weeks_max", 0)),
                                   r.get("event", ""), int(r.get("days", 0)),
                                   tuple(re.compile(p, re.IGNORECASE) for p in r.get("planned", ()))))
    for r in data.get("min_interval", ()):
        _need(r, "monitors", "months", "text", "source")
        floors.append(MinInterval(tuple(r["monitors"]), float(r["months"]), r["text"], r["source"]))
    for r in data.get("flag_test", ()):
        _need(r, "flags", "test", "loinc", "text", "source")
        tests.append(FlagTest(tuple(r["flags"]), tuple(w.lower() for w in r.get("says", ())), r["test"],
                              tuple(r["loinc"]), r["text"], r["source"]))
    return Rules(tuple(after), tuple(floors), tuple(tests))


def _states(ctx: Context) -> list[tuple[str, frozenset[str]]]:
    """(state, medicine keys) of every active medicine the plan decides on (Intensify, Dose already
    changed...), as its medicine line says: the first action that holds."""
    if ctx.judge is None:
        return []
    active = {m.ref for m in ctx.active_meds}
    out = []
    for m in ctx.judge.chart.meds:
        if m.ref not in active:
            continue
        acts = ctx.judge.stops(m.keys)
        if acts:
            out.append((acts[0].state or acts[0].action.split()[0].lower(), m.keys))
    return out


def _planned_days(ctx: Context, rule: AfterDecision, since: datetime) -> int | None:
    """The interval a note written at or after the change plans ('repeat INR in 12 days')."""
    for n in ctx.record.notes:
        if n.date is None or n.status == "entered-in-error" or as_utc(n.date) < since - timedelta(days=1):
            continue
        for p in rule.planned:
            found = p.search(f"{n.title}\n{n.text}")
            if found:
                count = int(found.group(1))
                return count * 7 if found.group(2).lower() in _WEEK_WORDS else count
    return None


def decision_due(ctx: Context, spec: MonitorSpec) -> tuple[str, str] | None:
    """(state, text) when a medicine decision of this plan schedules the test, else None."""
    for st, keys in _states(ctx):
        for rule in rules().after:
            if rule.state != st or rule.medicine not in keys or spec.key not in rule.monitors:
                continue
            if not rule.event:
                start = ctx.as_of + timedelta(weeks=rule.weeks_min)
                end = ctx.as_of + timedelta(weeks=rule.weeks_max)
                # The range's end goes inside the brackets: the editor rewrites "next due DATE (...)" whole.
                return "due-soon", f"{rule.text}: next due {start.isoformat()} (due soon; by {end.isoformat()} at the latest)"
            if ctx.judge is None:
                continue
            when = event_time(ctx.judge.chart, rule.event)
            if when is None:
                continue
            planned = _planned_days(ctx, rule, when)
            days = rule.days if planned is None else planned
            due = when.date() + timedelta(days=days)
            why = f"{days} days after the change, as a note plans" if planned is not None else \
                f"{days} days after the change"
            state = "overdue" if due < ctx.as_of else "due-soon"
            text = rule.text.format(date=when.date().isoformat())
            return state, f"{text}: next due {due.isoformat()} ({why}; {'overdue' if state == 'overdue' else 'due soon'})"
    return None


def floor(spec: MonitorSpec, months: float) -> tuple[float, str]:
    """The interval raised to the shortest the test allows, and why ('' when unchanged)."""
    for f in rules().floors:
        if spec.key in f.monitors and months < f.months:
            return f.months, f.text
    return months, ""


def flag_tests(flags: tuple[Flag, ...]) -> list[tuple[FlagTest, Flag]]:
    """The tests the active flags ask for now, each once, with the first flag asking for it."""
    out: dict[str, tuple[FlagTest, Flag]] = {}
    for f in flags:
        if f.severity == "info":
            continue
        for t in rules().flag_tests:
            if t.asked_by(f):
                out.setdefault(t.test, (t, f))
    return list(out.values())

