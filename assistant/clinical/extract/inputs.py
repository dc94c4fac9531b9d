"""Fill a calculator's inputs from a chart, recording the entry behind each value and what is missing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from assistant.clinical.calculators import Calculator, get
from assistant.clinical.calculators.base import round_half_up
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv
from assistant.records.record import PatientRecord

from .chart import Chart, fmt
from .codes import analyte, analytes, check_concept, concept_names, parse_terms
from .drugs import check_drug_key, key_label

KINDS = ("demographic", "measure", "any", "smoking", "consciousness", "oxygen", "labile_inr")
CURRENT_SMOKER = ("current", "every day", "some day", "heavy tobacco smoker", "light tobacco smoker")
NOT_SMOKER = ("never", "former", "ex-smoker", "non-smoker", "nonsmoker")


def smoking_status(text: str) -> str:
    """never, former, current or unknown, from a smoking-status answer (SNOMED display or free text).
    The not-smoking words are tested first: "non-smoker" must not read as a smoker."""
    text = text.lower()
    if "never" in text:
        return "never"
    if any(w in text for w in NOT_SMOKER):
        return "former"
    return "current" if any(w in text for w in CURRENT_SMOKER) else "unknown"


_ACVPU = ("unresponsive", "pain", "voice", "confusion", "alert")  # most severe word wins


@dataclass(frozen=True)
class InputRule:
    calculator: str
    input: str
    kind: str
    key: str
    window_days: int | None
    anchor: str | None
    absent: str  # 'missing', 'false' or 'assume:VALUE'
    source: str


@derived_table
def input_rules() -> dict[tuple[str, str], InputRule]:
    out: dict[tuple[str, str], InputRule] = {}
    for row in read_csv("calculator_inputs.csv"):
        where = f"calculator_inputs.csv: {row['calculator']}.{row['input']}"
        if row["kind"] not in KINDS:
            raise KnowledgeError(f"{where}: unknown kind {row['kind']!r}")
        absent = row["absent"] or "missing"
        if absent not in ("missing", "false") and not absent.startswith("assume:"):
            raise KnowledgeError(f"{where}: absent must be missing, false or assume:VALUE")
        rule = InputRule(row["calculator"], row["input"], row["kind"], row["key"],
                         int(row["window_days"]) if row["window_days"] else None,
                         row["anchor"] or None, absent, row["source"])
        _check_rule(rule, where)
        out[(rule.calculator, rule.input)] = rule
    return out


def _check_rule(rule: InputRule, where: str) -> None:
    if rule.kind == "measure":
        analyte(rule.key)
    elif rule.kind == "any":
        for term in parse_terms(rule.key):
            kind, _, rest = term.partition(":")
            if kind == "condition":
                check_concept(rest, where)
            elif kind == "med":
                check_drug_key(rest, where)
            elif kind == "lab":
                _parse_lab_term(rest, where)
            else:
                raise KnowledgeError(f"{where}: unknown term {term!r}")


def _parse_lab_term(term: str, where: str = "") -> tuple[str, str, float]:
    for op in (">=", "<=", ">", "<"):
        name, sep, value = term.partition(op)
        if sep:
            analyte(name.strip())
            return name.strip(), op, float(value)
    raise KnowledgeError(f"{where}: lab term {term!r} needs an operator (>, >=, <, <=)")


def compare(value: float, op: str, limit: float) -> bool:
    return {">": value > limit, ">=": value >= limit, "<": value < limit, "<=": value <= limit}[op]


def rule_for(calc_id: str, name: str) -> InputRule | None:
    rules = input_rules()
    rule = rules.get((calc_id, name)) or rules.get(("*", name))
    if rule:
        return rule
    if name in analytes():  # an input named like an analyte reads that analyte
        return InputRule(calc_id, name, "measure", name, None, None, "missing", analyte(name).source)
    if name in concept_names():  # an input named like a concept is true when it is active
        return InputRule(calc_id, name, "any", f"condition:{name}", None, None, "false",
                         "condition_map.csv")
    return None


@dataclass(frozen=True)
class Extraction:
    """Calculator inputs read from a record: `values` can be passed to `compute()` when complete."""

    calculator_id: str
    values: Mapping[str, Any]
    sources: Mapping[str, str]  # input -> entry ref it came from
    missing: tuple[str, ...]  # required inputs the record does not supply
    unassessed: tuple[str, ...] = ()  # optional inputs the record cannot supply (defaults used)
    assumed: Mapping[str, str] = field(default_factory=dict)  # input -> what was assumed and why
    details: Mapping[str, str] = field(default_factory=dict)  # input -> plain text of the value
    anchor: datetime | None = None  # the vitals set bedside inputs were taken from

    @property
    def complete(self) -> bool:
        return not self.missing

    def evidence(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.sources.values()))

    def to_dict(self) -> dict[str, Any]:
        return {"calculator": self.calculator_id, "values": dict(self.values),
                "sources": dict(self.sources), "missing": list(self.missing),
                "unassessed": list(self.unassessed), "assumed": dict(self.assumed),
                "details": dict(self.details),
                "anchor": self.anchor.isoformat() if self.anchor else None}


def extract_inputs(record: PatientRecord, calc_id: str, as_of: datetime | None = None) -> Extraction:
    """Fill calculator `calc_id`'s inputs from `record` as of `as_of` (default now, UTC)."""
    return extract_from_chart(Chart(record, as_of), calc_id)


def extract_from_chart(chart: Chart, calc_id: str) -> Extraction:
    calc = get(calc_id)
    rules = {i.name: rule_for(calc_id, i.name) for i in calc.inputs}
    anchor = _vitals_anchor(chart, rules.values())
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    details: dict[str, str] = {}
    assumed: dict[str, str] = {}
    missing: list[str] = []
    unassessed: list[str] = []
    for inp in calc.inputs:
        rule = rules[inp.name]
        got = _read(chart, rule, anchor) if rule else None
        partial = False
        if got is not None:
            value, ref, text, partial = got
        if got is None or value is None:
            if rule is not None and rule.absent == "false":
                values[inp.name] = False
                if partial:
                    unassessed.append(inp.name)
            elif rule is not None and rule.absent.startswith("assume:"):
                raw = rule.absent[len("assume:"):]
                values[inp.name] = {"false": False, "true": True}.get(raw, raw)
                assumed[inp.name] = f"{raw} (not recorded; {rule.source})"
            elif inp.required:
                missing.append(inp.name)
            else:
                unassessed.append(inp.name)
            continue
        if inp.kind == "integer":
            # charted as whole numbers, as the score's bands expect (SpO2 96.4 -> 96)
            value = (round_half_up(value[0]), value[1]) if isinstance(value, tuple) else round_half_up(value)
        values[inp.name] = value
        if ref:
            sources[inp.name] = ref
        details[inp.name] = text
    return Extraction(calc_id, values, sources, tuple(missing), tuple(unassessed), assumed, details,
                      anchor)


def _vitals_anchor(chart: Chart, rules: Any) -> datetime | None:
    names: list[str] = []
    for r in rules:
        if r is None:
            continue
        keys = r.key.split() if r.kind in ("oxygen",) else [r.key]
        if r.kind == "consciousness":
            keys = ["consciousness", "gcs"]
        for k in keys:
            if k in analytes() and (r.anchor or analyte(k).anchor) == "vitals":
                names.append(k)
    return chart.newest_time(names) if names else None


def _window(rule: InputRule, name: str, chart: Chart, anchor: datetime | None) -> tuple[int, Any]:
    days = rule.window_days or analyte(name).window_days
    where = rule.anchor or analyte(name).anchor
    return days, (anchor if where == "vitals" and anchor else chart.as_of)


def _read(chart: Chart, rule: InputRule, anchor: datetime | None) -> tuple[Any, str, str, bool] | None:
    """(value, source ref, text, partial) or None; partial: some lab term had no result at all."""
    if rule.kind == "demographic":
        return _demographic(chart, rule.key)
    if rule.kind == "measure":
        days, end = _window(rule, rule.key, chart, anchor)
        m = chart.latest(rule.key, days, end)
        if m is None:
            return None
        value: Any = (m.value, m.unit) if m.unit else m.value
        return value, m.ref, f"{analyte(rule.key).display.lower()} {m.text()}", False
    if rule.kind == "any":
        return _any(chart, rule, anchor)
    if rule.kind == "smoking":
        days, end = _window(rule, rule.key, chart, anchor)
        o = chart.latest_text(rule.key, days, end)
        if o is None:
            return None
        status = smoking_status(o.value_text)
        if status == "unknown":
            return None
        date = o.effective.date().isoformat() if o.effective else ""
        return status == "current", o.ref, f"smoking status '{o.value_text}' on {date}", False
    if rule.kind == "consciousness":
        return _consciousness(chart, rule, anchor)
    if rule.kind == "labile_inr":
        return _labile_inr(chart, rule)
    return _oxygen(chart, rule, anchor)


def _demographic(chart: Chart, key: str) -> tuple[Any, str, str, bool] | None:
    ref = chart.patient.ref
    if key == "age":
        age = chart.age
        return (age, ref, f"age {age}", False) if age is not None else None
    if key == "sex":
        sex = chart.sex
        return (sex, ref, f"sex {sex}", False) if sex else None
    return None  # race and anything else the record model does not hold


def _any(chart: Chart, rule: InputRule, anchor: datetime | None) -> tuple[Any, str, str, bool]:
    partial = False
    lab_false: tuple[str, str] | None = None
    for term in parse_terms(rule.key):
        kind, _, rest = term.partition(":")
        if kind == "condition":
            found = chart.conditions(rest)
            if found:
                c = found[0]
                since = f" since {c.onset.date().isoformat()}" if c.onset else ""
                return True, c.ref, f"{c.display}{since}", False
        elif kind == "med":
            meds = chart.meds_with(rest)
            if meds:
                return True, meds[0].ref, f"{meds[0].label} ({key_label(rest)})", False
        else:
            name, op, limit = _parse_lab_term(rest)
            days, end = _window(rule, name, chart, anchor)
            m = chart.latest(name, days, end)
            if m is None:
                partial = True
            elif compare(m.value, op, limit):
                return True, m.ref, f"{analyte(name).display.lower()} {m.text()} ({op} {fmt(limit)})", False
            elif lab_false is None:
                lab_false = (m.ref, f"{analyte(name).display.lower()} {m.text()}")
    if lab_false and not partial:
        return False, lab_false[0], lab_false[1], False
    return None, "", "", partial


def _consciousness(chart: Chart, rule: InputRule, anchor: datetime | None) -> tuple[Any, str, str, bool] | None:
    days, end = _window(rule, "consciousness", chart, anchor)
    level, ref, text = None, "", ""
    o = chart.latest_text("consciousness", days, end)
    if o is not None and o.value_text:
        words = o.value_text.lower()
        level = next((w for w in _ACVPU if w in words), None)
        ref, text = o.ref, f"level of consciousness '{o.value_text}'"
    if level is None:
        gcs = chart.latest("gcs", days, end)
        if gcs is not None:
            level = "alert" if gcs.value >= 15 else "confusion"
            ref, text = gcs.ref, f"GCS {fmt(gcs.value)}"
    if level is None:
        # New confusion is often charted as a diagnosis at triage rather than as an ACVPU score;
        # it counts when dated within the vitals window (either side of the vitals set).
        span = timedelta(days=days)
        for c in chart.conditions("acute_confusion"):
            if c.onset is not None and abs(c.onset - end) <= span:
                level, ref = "confusion", c.ref
                text = f"{c.display} on {c.onset.date().isoformat()}"
                break
    if level is None:
        return None
    if rule.key == "altered":
        return level != "alert", ref, text, False
    return level, ref, text, False


def _oxygen(chart: Chart, rule: InputRule, anchor: datetime | None) -> tuple[Any, str, str, bool] | None:
    seen: tuple[str, str] | None = None
    for name in rule.key.split():
        days, end = _window(rule, name, chart, anchor)
        m = chart.latest(name, days, end)
        if m is None:
            continue
        on = m.value > (21 if name == "fio2" else 0)
        text = f"{analyte(name).display.lower()} {m.text()}"
        if on:
            return True, m.ref, text, False
        seen = seen or (m.ref, text)
    return (False, seen[0], seen[1], False) if seen else None


def _labile_inr(chart: Chart, rule: InputRule) -> tuple[Any, str, str, bool] | None:
    """Share of INRs in range as a stand-in for time in therapeutic range (VKA patients only)."""
    from assistant.clinical.reference_ranges import lab_ranges, select_range

    name, _, percent = rule.key.partition(":")
    vka = [r for r in lab_ranges().get(name, ()) if r.context.startswith("med:")]
    if not vka or not chart.meds_with(vka[0].context[4:]):
        return None
    r = select_range(chart, lab_ranges()[name])
    if r is None or r.low is None or r.high is None:
        return None
    values = chart.measurements(name, chart.window_start(name, rule.window_days))
    if len(values) < 2:
        return None, "", "", True  # too few results to judge stability
    inside = sum(r.low <= m.value <= r.high for m in values)
    share = 100 * inside / len(values)
    out_of_range = next((m for m in values if not r.low <= m.value <= r.high), values[0])
    text = (f"{inside} of {len(values)} INRs in {fmt(r.low)}-{fmt(r.high)} over "
            f"{rule.window_days} days ({fmt(round(share))}%)")
    return share < float(percent or 60), out_of_range.ref, text, False


def describe_missing(calc: Calculator, extraction: Extraction) -> tuple[str, ...]:
    """Missing, unassessed and assumed inputs as short phrases for a flag's `missing` list."""
    out = [f"{i.description} ({i.name})" for i in calc.inputs if i.name in extraction.missing]
    out += [f"{i.description} ({i.name}): not in the record; "
            + (f"the default ({i.default}) was used" if i.default not in (None, False)
               else "the score counts it as absent")
            for i in calc.inputs if i.name in extraction.unassessed]
    out += [f"{calc.input(name).description} ({name}): assumed {note}"
            for name, note in extraction.assumed.items()]
    return tuple(out)
