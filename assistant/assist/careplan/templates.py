"""Care-plan templates (one TOML file per condition in resources/knowledge/careplans) and matching them to a chart."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.assist.careplan.eligibility import Criteria, Judge, parse_criteria
from assistant.clinical.extract.chart import fmt
from assistant.clinical.knowledge import KnowledgeError, knowledge_dir, read_csv
from assistant.records.domain import ICD10, SNOMED, Condition, Encounter
from assistant.records.record import PatientRecord

TEMPLATE_DIR = "careplans"
_REQ_FIELDS = frozenset({"source", "analyte", "text", "old", "below", "below_text", "below_days"})
GOAL_OPS = ("<", "<=", ">", ">=", "between", "text", "loss%", "stable", "")
ICD10_SYSTEMS = (ICD10, "http://hl7.org/fhir/sid/icd-10")


@dataclass(frozen=True)
class GoalSpec:
    """A measurable goal. `loinc` codes are alternatives for one measure; `parts` pair a code with
    an upper/lower limit for measures with several numbers (blood pressure: systolic, diastolic)."""

    key: str
    measure: str
    plain: str
    target: str
    op: str = ""
    loinc: tuple[str, ...] = ()
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""
    parts: tuple[tuple[str, float], ...] = ()
    convert: tuple[tuple[str, float], ...] = ()  # (observed unit, factor to the goal's unit)
    ok: tuple[str, ...] = ()  # op "text": substrings of an acceptable coded answer
    note: str = ""
    only_with_meds: tuple[str, ...] = ()  # shown only when an active medication name contains one
    patient: bool = True  # also a line in the patient's section (a screening score is not a patient's goal)

    @property
    def codes(self) -> tuple[str, ...]:
        return self.loinc or tuple(code for code, _ in self.parts)


@dataclass(frozen=True)
class MonitorSpec:
    key: str
    test: str
    loinc: tuple[str, ...]
    interval: str
    months: float  # 0: once (baseline) only
    only_with_meds: tuple[str, ...] = ()
    abnormal_months: float | None = None  # after an abnormal value (INR: weekly while adjusting)
    now_if: Criteria | None = None  # the chart calls for it now (congestion: daily weights)
    now_text: str = ""
    kdigo_risk: bool = False  # how often: the KDIGO heat map for the patient's GFR and albuminuria
    now_months: float = 0.0  # while `now_if` holds: this long after the last value (NT-proBNP), 0: now


@dataclass(frozen=True)
class MedSpec:
    key: str
    drug_class: str
    match: tuple[str, ...]  # lower-case substrings of a medication name
    consider: str
    only_if_off: str = ""  # suggest only while this goal key is off target (add-on therapy)


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    plain: str
    priority: int  # lower comes first, and wins when two templates set a goal on the same measure
    guideline: str
    year: int
    citation: str
    snomed: frozenset[str]
    icd10: tuple[str, ...]  # prefixes, without dots
    concept: str  # concept in the shared condition_map.csv whose codes also match, or ""
    superseded_by: tuple[str, ...]
    goals: tuple[GoalSpec, ...]
    interventions: tuple[tuple[str, str], ...]  # (key, text)
    medications: tuple[MedSpec, ...]
    monitoring: tuple[MonitorSpec, ...]
    education: tuple[str, ...]
    followup_interval: str
    followup_months: float
    followup_text: str
    # A sooner review while `soon` holds (COPD: 4-6 weeks after an exacerbation).
    soon: Criteria | None = None
    soon_interval: str = ""
    soon_months: float = 0.0
    # Acute problems (hyperkalaemia, AKI, hypoglycaemia) also apply when the chart shows them now
    # without a coded condition; `urgent` values call for same-day action.
    trigger: Criteria | None = None
    urgent: Criteria | None = None
    urgent_text: str = ""
    # A chronic template that applies only while the chart confirms the problem now (anaemia: Hb
    # low now); otherwise one problem line, `unmet` with {value} = the latest value of `analyte`.
    requires: Criteria | None = None
    requires_analyte: str = ""
    unmet: str = ""
    unmet_old: str = ""
    # Every value of `requires_analyte` ever recorded below this: the coded problem is not borne out.
    unmet_below: float | None = None
    unmet_below_text: str = ""
    unmet_below_days: int = 1825
    # The template is an acute episode's (pneumonia, AKI...): its tests belong to the episode; other
    # templates' routine tests wait for recovery while the patient is in acute care.
    episode: bool = False

    @property
    def source(self) -> str:
        return f"{self.guideline} {self.year}"


@dataclass(frozen=True)
class TemplateMatch:
    template: Template
    conditions: tuple[Condition, ...]  # the active conditions that matched, newest first
    triggered: str = ""  # why an acute template applies without a coded condition ('potassium 6.1 ...')
    folded: tuple[Condition, ...] = ()  # findings that describe this problem (BMI 30+, prediabetes)
    evidence: tuple[str, ...] = ()  # the recorded events a trigger matched (overdoses, with their dates)

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(c.ref for c in self.conditions) + self.evidence


def templates_dir() -> Path:
    return knowledge_dir() / TEMPLATE_DIR


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def _strs(v: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in (v or ()))


_SOON_FIELDS = frozenset({"interval", "months", "source"})


def _monitor(path: Path, m: dict[str, Any]) -> MonitorSpec:
    now = m.get("now_if")
    return MonitorSpec(m["key"], m["test"], _strs(m["loinc"]), m["interval"], float(m["months"]),
                       tuple(s.lower() for s in m.get("only_with_meds", ())),
                       _num(m.get("abnormal_months")),
                       parse_criteria(now, f"{path}: monitoring {m['key']} now_if", frozenset({"text", "source", "months"}))
                       if now else None, now.get("text", "") if now else "", bool(m.get("kdigo_risk", False)),
                       float(now.get("months", 0)) if now else 0.0)


def _parse(path: Path, d: dict[str, Any]) -> Template:
    """Build a Template, naming the file and field in the error when something is missing."""
    try:
        g, codes, fu = d["guideline"], d["codes"], d["followup"]
        goals = []
        for raw in d.get("goals", ()):
            goal = GoalSpec(
                key=raw["key"], measure=raw["measure"], plain=raw.get("plain", raw["measure"]),
                target=raw["target"], op=raw.get("op", ""), loinc=_strs(raw.get("loinc")),
                value=_num(raw.get("value")), low=_num(raw.get("low")), high=_num(raw.get("high")),
                unit=raw.get("unit", ""),
                parts=tuple((p["loinc"], float(p["value"])) for p in raw.get("parts", ())),
                convert=tuple((u, float(f)) for u, f in raw.get("convert", {}).items()),
                ok=tuple(s.lower() for s in raw.get("ok", ())), note=raw.get("note", ""),
                only_with_meds=tuple(s.lower() for s in raw.get("only_with_meds", ())),
                patient=bool(raw.get("patient", True)))
            if goal.op not in GOAL_OPS:
                raise KnowledgeError(f"{path}: goal {goal.key!r} has unknown op {goal.op!r}")
            if goal.op and not goal.codes:
                raise KnowledgeError(f"{path}: goal {goal.key!r} has an op but no LOINC code")
            goals.append(goal)
        return Template(
            id=d["id"], title=d["title"], plain=d.get("plain", d["title"]),
            priority=int(d.get("priority", 50)), guideline=g["short"], year=int(g["year"]),
            citation=g["citation"], snomed=frozenset(_strs(codes.get("snomed"))),
            icd10=tuple(c.replace(".", "").upper() for c in _strs(codes.get("icd10"))),
            concept=codes.get("concept", ""), superseded_by=_strs(codes.get("superseded_by")),
            goals=tuple(goals),
            interventions=tuple((i["key"], i["text"]) for i in d.get("interventions", ())),
            medications=tuple(MedSpec(m["key"], m["drug_class"], tuple(s.lower() for s in m["match"]),
                                      m["consider"], m.get("only_if_off", ""))
                              for m in d.get("medications", ())),
            monitoring=tuple(_monitor(path, m) for m in d.get("monitoring", ())),
            education=tuple(e["text"] for e in d.get("education", ())),
            followup_interval=fu["interval"], followup_months=float(fu["months"]),
            followup_text=fu["text"],
            soon=parse_criteria(fu["soon"], f"{path}: followup.soon", _SOON_FIELDS) if "soon" in fu else None,
            soon_interval=fu.get("soon", {}).get("interval", ""),
            soon_months=float(fu.get("soon", {}).get("months", 0)),
            trigger=parse_criteria(d["trigger"], f"{path}: trigger") if "trigger" in d else None,
            urgent=parse_criteria(d["urgent"], f"{path}: urgent", frozenset({"text"})) if "urgent" in d else None,
            urgent_text=d.get("urgent", {}).get("text", ""),
            requires=parse_criteria(d["requires"], f"{path}: requires", _REQ_FIELDS) if "requires" in d else None,
            requires_analyte=d.get("requires", {}).get("analyte", ""),
            unmet=d.get("requires", {}).get("text", ""), unmet_old=d.get("requires", {}).get("old", ""),
            unmet_below=_num(d.get("requires", {}).get("below")),
            unmet_below_text=d.get("requires", {}).get("below_text", ""),
            unmet_below_days=int(d.get("requires", {}).get("below_days", 1825)),
            episode=bool(d.get("episode", False)))
    except KeyError as e:
        raise KnowledgeError(f"care-plan template {path} lacks {e.args[0]!r}") from None


@lru_cache(maxsize=4)
def _load(folder: str) -> tuple[Template, ...]:
    out = []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise KnowledgeError(f"care-plan template {path} is not valid TOML: {e}") from None
        out.append(_parse(path, data))
    if not out:
        raise KnowledgeError(f"no care-plan templates in {folder}; reinstall the application")
    ids = [t.id for t in out]
    if len(set(ids)) != len(ids):
        raise KnowledgeError(f"duplicate care-plan template ids in {folder}")
    return tuple(sorted(out, key=lambda t: (t.priority, t.id)))


def load_templates() -> tuple[Template, ...]:
    """Every template, in priority order (cached per folder)."""
    return _load(str(templates_dir()))


def template(template_id: str) -> Template:
    for t in load_templates():
        if t.id == template_id:
            return t
    raise KeyError(template_id)


def _concept_codes() -> dict[str, tuple[set[str], list[str]]]:
    """Shared condition_map.csv as concept -> (SNOMED codes, ICD-10 prefixes), following
    'concept' rows, so templates and the risk rules agree on what counts as e.g. CKD."""
    direct: dict[str, tuple[set[str], list[str], list[str]]] = {}
    try:
        rows = read_csv("condition_map.csv")
    except KnowledgeError:
        return {}  # the templates' own codes still work without the shared table
    for r in rows:
        snomed, icd, includes = direct.setdefault(r["concept"], (set(), [], []))
        if r["system"] == "snomed":
            snomed.add(r["code"])
        elif r["system"] == "icd10":
            icd.append(r["code"].replace(".", "").upper())
        elif r["system"] == "concept":
            includes.append(r["code"])
    out: dict[str, tuple[set[str], list[str]]] = {}
    for name in direct:
        snomed_all: set[str] = set()
        icd_all: list[str] = []
        stack, seen = [name], set()
        while stack:
            c = stack.pop()
            if c in seen or c not in direct:
                continue
            seen.add(c)
            s, i, inc = direct[c]
            snomed_all |= s
            icd_all += i
            stack += inc
        out[name] = (snomed_all, icd_all)
    return out


def condition_matches(t: Template, cond: Condition, shared: dict[str, tuple[set[str], list[str]]]) -> bool:
    snomed, icd = set(t.snomed), list(t.icd10)
    if t.concept and t.concept in shared:
        snomed |= shared[t.concept][0]
        icd += shared[t.concept][1]
    for coding in (cond.code, *cond.codes):
        if coding.system == SNOMED and coding.code in snomed:
            return True
        if coding.system in ICD10_SYSTEMS:
            code = coding.code.replace(".", "").upper()
            if any(code.startswith(p) for p in icd):
                return True
    return False


def match_templates(record: PatientRecord, templates: tuple[Template, ...] | None = None, *,
                    judge: Judge | None = None,
                    conditions: tuple[Condition, ...] | None = None) -> list[TemplateMatch]:
    """Templates whose condition is active in the chart (`conditions`, default the active ones),
    in priority order, and with a `judge` the acute templates whose trigger holds now. A template
    listing `superseded_by` is dropped when one of those matched too (prediabetes under diabetes)."""
    shared = _concept_codes()
    found: list[TemplateMatch] = []
    active = record.active_conditions if conditions is None else conditions
    for t in templates or load_templates():
        conds = tuple(c for c in active if condition_matches(t, c, shared))
        why = ""
        events: tuple[Condition | Encounter, ...] = ()
        if t.trigger is not None and judge is not None and judge.holds(t.trigger):
            events = tuple(dict.fromkeys(e for c in (t.trigger, *t.trigger.any) for e in judge.recorded(c)))
            why = "; ".join(judge.value_text(lab.analyte) for c in (t.trigger, *t.trigger.any)
                            for lab in c.labs if judge.value_text(lab.analyte))
            if events:  # the recorded events name the problem themselves, a current one included
                why, conds = event_text(events), ()
            why = why or "the chart shows it now"
        if conds and not why and t.requires is not None and judge is not None and not judge.holds(t.requires):
            continue  # coded, but not confirmed by the chart now: see unmet_text
        if conds or why:
            found.append(TemplateMatch(t, conds, why, evidence=tuple(e.ref for e in events)))
    ids = {m.template.id for m in found}
    return [m for m in found if not ids.intersection(m.template.superseded_by)]


def event_text(events: tuple[Condition | Encounter, ...]) -> str:
    """'Drug overdose on 2018-11-06, 2020-06-27 and 2020-10-10 (emergency visits)', one clause per kind."""
    by_name: dict[str, list[str]] = {}
    for e in events:
        name = e.display if isinstance(e, Condition) else e.reason
        day = e.when.date().isoformat() if e.when else "an undated entry"
        by_name.setdefault(name[:1].upper() + name[1:], []).append(day)
    parts = []
    for name, days in by_name.items():
        days = list(dict.fromkeys(days))
        parts.append(f"{name} on {', '.join(days[:-1])} and {days[-1]}" if len(days) > 1 else f"{name} on {days[0]}")
    return "; ".join(parts)


def _all_below(judge: Judge, t: Template, newest: datetime | None) -> str:
    """The date since which every value (over `below_days` up to the newest) is below the
    template's `below` limit, or '' (a value that rounds to the limit counts as reaching it)."""
    if t.unmet_below is None or not t.unmet_below_text or newest is None:
        return ""
    every = judge.chart.measurements(t.requires_analyte, newest - timedelta(days=t.unmet_below_days), newest)
    if len(every) < 2 or any(round(m.value, 1) >= t.unmet_below for m in every):
        return ""
    return every[-1].when.date().isoformat()


def unmet_text(judge: Judge, cond: Condition) -> str:
    """The problem line for a coded condition whose template the chart does not confirm now
    ('Anaemia on the problem list, but haemoglobin 15.6 g/dL on ... is normal'), or ''."""
    shared = _concept_codes()
    for t in load_templates():
        if t.requires is None or not condition_matches(t, cond, shared) or judge.holds(t.requires):
            continue
        now = judge.chart.latest(t.requires_analyte)
        last = now or judge.chart.latest(t.requires_analyte, 100 * 366)
        value = f"{fmt(last.value)} {last.unit} on {last.when.date().isoformat()}" if last else "none recorded"
        below = _all_below(judge, t, last.when if last else None)
        if below:
            return t.unmet_below_text.replace("{value}", value).replace("{since}", below)
        return (t.unmet if now else t.unmet_old).replace("{value}", value)
    return ""
