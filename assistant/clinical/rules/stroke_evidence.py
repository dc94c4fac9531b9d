"""What the chart says about a stroke beyond its code: acute treatment that shows its type, antithrombotics stopped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from assistant.clinical.extract import Chart, resolve
from assistant.clinical.knowledge import read_csv
from assistant.records.domain import Condition, Medication, Procedure, aware

_NOT_TAKEN = ("cancelled", "entered-in-error", "draft")  # ordered but never given: nothing was stopped


@dataclass(frozen=True)
class Treatment:
    """Acute treatment of the stroke: what it implies, its labels and date, the entries and sources."""

    implies: str  # 'ischaemic'
    labels: tuple[str, ...]  # ('thrombolysis', 'thrombectomy')
    date: str
    refs: tuple[str, ...]
    sources: tuple[str, ...]

    def text(self) -> str:
        """'thrombolysis (alteplase) and thrombectomy'."""
        return " and ".join(self.labels)


def _near(when: datetime | None, event: Condition, days: int) -> bool:
    onset = event.onset
    return onset is not None and when is not None and abs(aware(when) - aware(onset)) <= timedelta(days=days)


def _proc_matches(p: Procedure, match: str, value: str) -> bool:
    if match == "snomed":
        return p.code.code == value
    return match == "word" and value.lower() in (p.code.display or "").lower()


def stroke_treatment(chart: Chart, event: Condition, days: int) -> Treatment | None:
    """Thrombolysis or thrombectomy (stroke_evidence.csv) within `days` of the stroke's onset, or a
    procedure whose recorded reason is the stroke; None when the chart holds none."""
    rows = read_csv("stroke_evidence.csv")
    found: dict[str, tuple[str, str, str, str]] = {}  # ref -> (implies, label, date, source)
    for m in chart.record.medications:
        if m.status in _NOT_TAKEN or not _near(m.start, event, days):
            continue
        resolved = resolve(m)
        drug = f" ({resolved.ingredients[0]})" if resolved.ingredients else ""
        for r in rows:
            if r["kind"] == "medication" and r["match"] == "key" and r["value"] in resolved.keys:
                found.setdefault(m.ref, (r["implies"], r["label"] + drug, _day(m.start), r["source"]))
    name = (event.display or "").lower()
    for p in chart.record.procedures:
        why = bool(name) and name in (p.reason or "").lower()
        if p.status in _NOT_TAKEN or not (why or _near(p.performed_start, event, days)):
            continue
        for r in rows:
            if r["kind"] == "procedure" and _proc_matches(p, r["match"], r["value"]):
                found.setdefault(p.ref, (r["implies"], r["label"], _day(p.performed_start), r["source"]))
    if not found:
        return None
    values = list(found.values())
    return Treatment(values[0][0], tuple(dict.fromkeys(v[1] for v in values)),
                     min(v[2] for v in values), tuple(found), tuple(dict.fromkeys(v[3] for v in values)))


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when is not None else ""


@dataclass(frozen=True)
class Stopped:
    """An antiplatelet or anticoagulant on record that is no longer active."""

    name: str  # 'clopidogrel'
    started: str
    ended: str
    reason: str
    ref: str

    def short(self) -> str:
        """'clopidogrel stopped 2014-03-02, reason not recorded: ask why'."""
        when = f" {self.ended}" if self.ended else ""
        why = f" ({self.reason})" if self.reason else ", reason not recorded: ask why"
        return f"{self.name} stopped{when}{why}"

    def sentence(self) -> str:
        """The stop as the flag explains it, with what to do."""
        started = f" (started {self.started})" if self.started else ""
        when = f"on {self.ended}" if self.ended else "(stop date not recorded)"
        if self.reason:
            return f"{self.name[:1].upper()}{self.name[1:]}{started} was stopped {when}: {self.reason}."
        return (f"{self.name[:1].upper()}{self.name[1:]}{started} was stopped {when} and no reason is "
                "recorded: ask why (bleeding, intolerance, the planned end of a short course?) before "
                "restarting it or choosing another.")


def stopped_antithrombotics(chart: Chart, keys: list[str]) -> tuple[Stopped, ...]:
    """The newest stopped entry of each antiplatelet or anticoagulant, newest first."""
    out: dict[str, Stopped] = {}
    meds = sorted(chart.record.medications, key=_started, reverse=True)
    for m in meds:
        if m.status in _NOT_TAKEN or m.active_at(chart.as_of) or (m.start and aware(m.start) > chart.as_of):
            continue
        r = resolve(m)
        if not any(r.has(k) for k in keys):
            continue
        name = r.ingredients[0] if r.ingredients else (m.name or "an antithrombotic")
        out.setdefault(name, Stopped(name, _day(m.start), _day(m.end), m.status_reason, m.ref))
    return tuple(out.values())


def _started(m: Medication) -> str:
    return m.start.isoformat() if m.start else ""
