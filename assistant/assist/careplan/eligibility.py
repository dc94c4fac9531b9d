"""Whom each care-plan recommendation applies to (resources/knowledge/careplan_eligibility.toml), judged on the chart now."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from assistant.assist.careplan.note_events import event_time
from assistant.assist.careplan.statins import statin_intensity
from assistant.clinical.extract.chart import Chart, Measurement, as_utc, fmt
from assistant.clinical.extract.inputs import smoking_status
from assistant.clinical.knowledge import KnowledgeError, read_toml
from assistant.clinical.rules.currency import newest_entry
from assistant.clinical.rules.kidney_course import Course, course
from assistant.records.domain import ICD10, SNOMED, Condition, Encounter

ELIGIBILITY = "careplan_eligibility.toml"
ICD10_SYSTEMS = (ICD10, "http://hl7.org/fhir/sid/icd-10")
OPS = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}
# With `baseline_days`: the newest value against the lowest in the days before it (KDIGO AKI):
# "x>=" compares the ratio, "+>=" the absolute rise.
RISE_OPS = ("x>=", "+>=")
_PLACEHOLDER = re.compile(r"\{(class:[a-z0-9_]+)\}")
_DATE = re.compile(r"\{date:([a-z0-9_]+)\}")  # when a [[note_event]] was recorded
_SCORE = re.compile(r"\{score:([a-z0-9_]+)\}")  # a calculator's result on this chart, or nothing


@dataclass(frozen=True)
class LabTest:
    """A value measured now: the newest within `days` (default: the analyte's window in loinc_map.csv)."""

    analyte: str
    op: str
    value: float
    days: int | None = None
    baseline_days: int | None = None


@dataclass(frozen=True)
class Criteria:
    """Every field set must hold; `any` holds when one of its sets holds; `none` when none does."""

    age_min: float | None = None
    age_max: float | None = None
    sex: str = ""
    labs: tuple[LabTest, ...] = ()
    meds_any: tuple[str, ...] = ()   # ingredient or 'class:NAME' (drug_class_info.csv)
    meds_all: tuple[str, ...] = ()
    meds_none: tuple[str, ...] = ()
    concepts_any: tuple[str, ...] = ()  # condition_map.csv concepts, active
    concepts_none: tuple[str, ...] = ()
    codes_any: tuple[str, ...] = ()  # 'snomed:CODE' or 'icd10:PREFIX', any condition ever recorded
    within_days: int | None = None  # codes_any / encounters_any only count an entry within these days
    encounters_any: tuple[str, ...] = ()  # words in the reason of an encounter (an overdose seen in the ED)
    # within_days counted back from as_of, or from the chart's newest entry ("newest_entry"): a chart
    # with nothing newer cannot show whether a recorded event is really in the past.
    window_end: str = ""
    meds_days_min: int | None = None  # a meds_any medicine started at least this many days ago
    problems_any: tuple[str, ...] = ()  # template ids in this plan (acute ones included)
    problems_none: tuple[str, ...] = ()
    stop_any: tuple[str, ...] = ()  # a medicine action (stop/hold) applies to this key
    stop_none: tuple[str, ...] = ()
    frail: bool | None = None
    chronic_min: int | None = None
    chronic_max: int | None = None
    smoking: tuple[str, ...] = ()  # the newest smoking status (72166-2): current, former, never, unknown
    statin: tuple[str, ...] = ()  # the patient's highest statin intensity (ACC/AHA 2018): high, moderate, low, none
    flags_any: tuple[str, ...] = ()  # a flag with one of these ids is raised (clinical/flags.py)
    notes_any: tuple[str, ...] = ()  # a [[note_event]] recorded after its result (note_events.py)
    ckd_progression: bool | None = None  # eGFR meets KDIGO progression (clinical/rules/kidney_course.py)
    any: tuple[Criteria, ...] = ()
    none: tuple[Criteria, ...] = ()


@dataclass(frozen=True)
class Rule:
    item: str
    source: str
    when: Criteria
    text: str = ""
    action: str = ""  # for 'medicine:' items: Stop, Hold...
    now: bool = True  # the medicine line reads "<action> now"; false: "<action>" alone
    state: str = ""  # the medicine item's state; default: the action's first word, lower case
    set: tuple[tuple[str, Any], ...] = ()  # goal fields replaced when this rule holds


@dataclass(frozen=True)
class Tables:
    rules: tuple[Rule, ...]
    frail_concepts: tuple[str, ...]
    frail_codes: tuple[str, ...]
    chronic_concepts: tuple[str, ...]
    episodic_codes: tuple[str, ...]
    episodic_concepts: tuple[str, ...]
    episodic_days: int
    folds: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # (template id, codes, concepts)
    acute_codes: tuple[str, ...] = ()  # injuries, overdoses, dental, infections: history after acute_days
    acute_days: int = 0
    courses: tuple[tuple[tuple[str, ...], int], ...] = ()  # (medicines never taken long-term, max days)


_CRITERIA_KEYS = set(Criteria.__dataclass_fields__)


def parse_criteria(d: dict[str, Any], where: str, extra: frozenset[str] = frozenset()) -> Criteria:
    """Criteria from a TOML table; `where` names the file and entry in errors."""
    unknown = set(d) - _CRITERIA_KEYS - extra
    if unknown:
        raise KnowledgeError(f"{where}: unknown fields {sorted(unknown)}")
    labs = []
    for lab in d.get("labs", ()):
        if lab["op"] not in OPS and lab["op"] not in RISE_OPS:
            raise KnowledgeError(f"{where}: unknown op {lab['op']!r}")
        if (lab["op"] in RISE_OPS) != ("baseline_days" in lab):
            raise KnowledgeError(f"{where}: ops {RISE_OPS} go with baseline_days, and only they")
        labs.append(LabTest(lab["analyte"], lab["op"], float(lab["value"]), lab.get("days"),
                            lab.get("baseline_days")))
    kw: dict[str, Any] = {k: tuple(d[k]) for k in _CRITERIA_KEYS if k in d and isinstance(d[k], list)
                          and k not in ("labs", "any", "none")}
    if d.get("window_end", "") not in ("", "newest_entry"):
        raise KnowledgeError(f"{where}: window_end is 'newest_entry' or absent")
    for k in ("age_min", "age_max", "chronic_min", "chronic_max", "frail", "sex", "within_days", "window_end",
              "meds_days_min", "ckd_progression"):
        if k in d:
            kw[k] = d[k]
    return Criteria(labs=tuple(labs), any=tuple(parse_criteria(x, where) for x in d.get("any", ())),
                    none=tuple(parse_criteria(x, where) for x in d.get("none", ())), **kw)


_RULE_FIELDS = frozenset({"item", "source", "text", "action", "set", "now", "state"})


def tables() -> Tables:
    data = read_toml(ELIGIBILITY)
    rules = []
    for n, raw in enumerate(data.get("rule", ())):
        where = f"{ELIGIBILITY}: rule {n + 1} ({raw.get('item', '?')})"
        if not raw.get("item") or not raw.get("source"):
            raise KnowledgeError(f"{where} needs an item and its source")
        rules.append(Rule(raw["item"], raw["source"], parse_criteria(raw, where, _RULE_FIELDS), raw.get("text", ""),
                          raw.get("action", ""), set=tuple(raw.get("set", {}).items()),
                          now=bool(raw.get("now", True)), state=raw.get("state", "")))
    fr, ch, ep = data["frailty"], data["chronic"], data["episodic"]
    folds = tuple((f["into"], tuple(f.get("codes", ())), tuple(f.get("concepts", ())))
                  for f in data.get("fold", ()))
    ac = data["acute"]
    courses = tuple((tuple(c["keys"]), int(c["max_days"])) for c in data.get("course", ()))
    return Tables(tuple(rules), tuple(fr["concepts"]), tuple(fr["codes"]), tuple(ch["concepts"]),
                  tuple(ep["codes"]), tuple(ep["concepts"]), int(ep["max_days"]), folds,
                  tuple(ac["codes"]), int(ac["max_days"]), courses)


def code_matches(cond: Condition, codes: tuple[str, ...]) -> bool:
    for coding in (cond.code, *cond.codes):
        for spec in codes:
            system, _, code = spec.partition(":")
            if system == "snomed" and coding.system == SNOMED and coding.code == code:
                return True
            if system == "icd10" and coding.system in ICD10_SYSTEMS and \
                    coding.code.replace(".", "").upper().startswith(code.replace(".", "").upper()):
                return True
    return False


@dataclass
class Judge:
    """Criteria judged on one chart at its as_of; `problems` are the plan's template ids."""

    chart: Chart
    problems: frozenset[str] = frozenset()
    stopped: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()  # ids of the flags raised for this chart
    scores: Mapping[str, str] = field(default_factory=dict)  # calculator id -> its result as text
    used: dict[str, Measurement] = field(default_factory=dict)
    events: dict[str, datetime | None] = field(default_factory=dict)

    @cached_property
    def tables(self) -> Tables:
        return tables()

    def stops(self, med_keys: frozenset[str]) -> tuple[Rule, ...]:
        """Every 'medicine:KEY' action that holds for a medicine with these keys."""
        return tuple(r for r in self.tables.rules if r.item.startswith("medicine:")
                     and r.item[9:] in med_keys and self.holds(r.when))

    @cached_property
    def frail(self) -> bool:
        t = self.tables
        return any(self.chart.has(c) for c in t.frail_concepts) or any(
            code_matches(c, t.frail_codes) for c in self.chart.record.active_conditions)

    @cached_property
    def kidney_course(self) -> Course | None:
        """The eGFR course when it meets KDIGO progression, else None."""
        found = course(self.chart)
        return found if found is not None and found.progression else None

    @cached_property
    def chronic(self) -> int:
        return sum(self.chart.has(c) for c in self.tables.chronic_concepts)

    def lab(self, test: LabTest) -> bool:
        m = self.chart.egfr() if test.analyte == "egfr" and test.days is None else \
            self.chart.latest(test.analyte, test.days)
        if m is None:
            return False  # not measured now: eligibility is never assumed
        if test.baseline_days is not None:
            before = [b.value for b in self.chart.measurements(
                test.analyte, m.when - timedelta(days=test.baseline_days), m.when) if b.ref != m.ref]
            if not before or min(before) <= 0:
                return False
            base = min(before)
            change = m.value / base if test.op == "x>=" else m.value - base
            ok = change >= test.value
        else:
            ok = OPS[test.op](float(m.value), test.value)
        if ok:
            self.used[test.analyte] = m
        return ok

    @cached_property
    def smoking(self) -> str:
        """current, former, never or unknown, from the newest smoking status on record (any age)."""
        o = self.chart.latest_text("smoking_status", 100 * 366)
        return smoking_status(o.value_text) if o else "unknown"

    @cached_property
    def statin(self) -> str:
        """The highest intensity among the patient's active statins (ACC/AHA 2018 table), or 'none'."""
        found = [statin_intensity(m.label) for m in self.chart.meds_with("class:statin")]
        levels = [f[1] for f in found if f is not None and f[1]]
        return next((lv for lv in ("high", "moderate", "low") if lv in levels), "none" if not found else "low")

    @cached_property
    def newest(self) -> datetime:
        """The newest dated entry on or before as_of (as_of itself for an empty chart)."""
        entry = newest_entry(self.chart)
        return as_utc(entry.when) if entry is not None and entry.when is not None else as_utc(self.chart.as_of)

    def recent(self, when: datetime | None, c: Criteria) -> bool:
        """`when` on or before as_of and, with within_days, inside the window (see window_end)."""
        if when is not None and as_utc(when) > as_utc(self.chart.as_of):
            return False
        if c.within_days is None:
            return True
        end = self.newest if c.window_end == "newest_entry" else as_utc(self.chart.as_of)
        return when is not None and end - as_utc(when) <= timedelta(days=c.within_days)

    def recorded(self, c: Criteria) -> tuple[Condition | Encounter, ...]:
        """The conditions (codes_any) and encounters (encounters_any) a criteria set matches, oldest first."""
        rec = self.chart.record
        # A refuted or mistaken entry is no event (a resolved one is: it happened).
        found: list[Condition | Encounter] = [x for x in rec.conditions if c.codes_any and code_matches(x, c.codes_any)
                                              and x.verification_status not in ("refuted", "entered-in-error")
                                              and self.recent(x.when, c)]
        words = tuple(w.lower() for w in c.encounters_any)
        found += [e for e in rec.encounters if words and any(w in e.reason.lower() for w in words)
                  and self.recent(e.when, c)]
        return tuple(sorted(found, key=lambda x: (as_utc(x.when) if x.when else self.newest, x.id)))

    def on(self, key: str, days: int | None = None) -> bool:
        meds = self.chart.meds_with(key)
        if days is None:
            return bool(meds)
        start = timedelta(days=days)
        return any(m.med.start is not None and as_utc(self.chart.as_of) - as_utc(m.med.start) >= start for m in meds)

    def holds(self, c: Criteria) -> bool:
        ch, age = self.chart, self.chart.age
        if c.age_min is not None and (age is None or age < c.age_min):
            return False
        if c.age_max is not None and (age is None or age > c.age_max):
            return False
        if c.sex and ch.sex != c.sex:
            return False
        if c.frail is not None and self.frail != c.frail:
            return False
        if c.chronic_min is not None and self.chronic < c.chronic_min:
            return False
        if c.chronic_max is not None and self.chronic > c.chronic_max:
            return False
        if c.smoking and self.smoking not in c.smoking:
            return False
        if c.statin and self.statin not in c.statin:
            return False
        if c.ckd_progression is not None and (self.kidney_course is not None) != c.ckd_progression:
            return False
        checks = (
            not c.meds_any or any(self.on(k, c.meds_days_min) for k in c.meds_any),
            all(self.on(k) for k in c.meds_all),
            not any(self.on(k) for k in c.meds_none),
            not c.concepts_any or any(ch.has(k) for k in c.concepts_any),
            not any(ch.has(k) for k in c.concepts_none),
            not (c.codes_any or c.encounters_any) or bool(self.recorded(c)),
            not c.problems_any or bool(self.problems.intersection(c.problems_any)),
            not self.problems.intersection(c.problems_none),
            not c.stop_any or bool(self.stopped.intersection(c.stop_any)),
            not c.flags_any or bool(self.flags.intersection(c.flags_any)),
            not c.notes_any or any(self.event(k) is not None for k in c.notes_any),
            not self.stopped.intersection(c.stop_none),
        )
        if not all(checks):
            return False
        if not all(self.lab(t) for t in c.labs):
            return False
        if c.any and not any(self.holds(x) for x in c.any):
            return False
        return not any(self.holds(x) for x in c.none)

    def event(self, key: str) -> datetime | None:
        if key not in self.events:
            self.events[key] = event_time(self.chart, key)
        return self.events[key]

    def rules_for(self, item: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.tables.rules if r.item == item)

    def decide(self, item: str) -> Rule | None | bool:
        """True: no rule governs the item; a Rule: the first that holds; None: none holds (drop it)."""
        rules = self.rules_for(item)
        if not rules:
            return True
        return next((r for r in rules if self.holds(r.when)), None)

    def fill(self, text: str) -> str:
        """'{class:antiplatelet}' -> the patient's own medicine(s) of that class, e.g. 'clopidogrel'."""
        def names(m: re.Match[str]) -> str:
            found = [ing for med in self.chart.meds_with(m.group(1)) for ing in med.ingredients[:1]]
            return " and ".join(dict.fromkeys(found))

        def when(m: re.Match[str]) -> str:
            at = self.event(m.group(1))
            return at.date().isoformat() if at else "a date not on record"
        def score(m: re.Match[str]) -> str:
            found = self.scores.get(m.group(1))
            return f" (computed from the record: {found})" if found else ""
        text = _SCORE.sub(score, text)
        if "{ckd_progression}" in text and self.kidney_course is not None:
            text = text.replace("{ckd_progression}", self.kidney_course.describe())
        return _DATE.sub(when, _PLACEHOLDER.sub(names, text))

    def value_text(self, analyte: str) -> str:
        m = self.used.get(analyte)
        return f"{fmt(m.value)} {m.unit} on {m.date}".replace("  ", " ") if m else ""

    def urgent_refs(self, c: Criteria) -> tuple[str, ...]:
        """The record entries behind the lab values a criteria set was judged on (after `holds`)."""
        names = [lab.analyte for x in (c, *c.any) for lab in x.labs]
        return tuple(self.used[n].ref for n in dict.fromkeys(names) if n in self.used)
