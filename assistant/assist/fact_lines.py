"""The fact-sheet lines of each chart section: text, the entries behind it, and its priority (0-100)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from assistant.clinical.flags import RiskReport
from assistant.clinical.rules.base import Flag, rank
from assistant.clinical.units import display_unit
from assistant.clinical.values import format_number, with_unit
from assistant.records.domain import Observation
from assistant.records.record import PatientRecord

from .labranges import abnormal, critical, reference_range
from .vocabulary import LabSpec, clean_display, semantic_tag, tidy_med_name, vocabulary

# section, text, refs, priority, and optionally a dict of structured parts for the deterministic summary
Line = tuple[Any, ...]

# Priorities: what must survive the tightest budget comes first. Who the patient is, what they
# must not be given, what they have and take, then what is abnormal, then context.
P_DEMOGRAPHICS = 100
P_ALLERGY = 95
P_FLAG = {"critical": 94, "high": 90, "moderate": 76, "low": 56, "info": 46}
P_PROBLEM = 86
P_PROBLEM_FINDING = 78  # '(finding)' / '(situation)' entries such as 'History of ...'
P_MEDICATION = 82
P_LAB_CRITICAL = 88
P_LAB_ABNORMAL = 70  # + importance (0-9)
P_LAB_ABNORMAL_OLD = 44
P_LAB_RECENT = 50  # + importance // 2
P_LAB_OLD = 30
P_VITAL = 60
P_VITAL_ABNORMAL = 68
P_VITAL_OLD = 38
P_SOCIAL = 42
P_ENCOUNTER_ACUTE = 58  # emergency or inpatient within a year
P_ENCOUNTER = 40
P_PROCEDURE = 48
P_PROCEDURE_OLD = 32
RECENT = timedelta(days=365)

_SEX = {"male": "man", "female": "woman"}


def day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "undated"


def demographics(record: PatientRecord, anchor: datetime) -> list[Line]:
    p = record.patient
    age = p.age_years(p.deceased_date.date() if p.deceased_date else None)
    who = _SEX.get(p.sex, "person")
    text = f"Patient: {age}-year-old {who}" if age is not None else f"Patient: {who}, age unknown"
    if p.deceased:
        text += f"; deceased {day(p.deceased_date)}" if p.deceased_date else "; deceased"
    return [("demographics", text, (p.ref,), P_DEMOGRAPHICS, {"age": age, "sex": who, "deceased": p.deceased})]


def allergies(record: PatientRecord) -> list[Line]:
    active = record.active_allergies
    nka = record.no_known_allergies
    if nka is not None:  # a statement in the record, cited like any entry; not the same as no entry
        when = f" (recorded {day(nka.recorded)})" if nka.recorded else ""
        return [("allergy", f"Allergies: no known allergies{when}", (nka.ref,), P_ALLERGY,
                 {"substance": "No known allergies", "reaction": "", "criticality": ""})]
    if not active:
        return [("allergy", "Allergies: none recorded", (), P_ALLERGY)]
    out: list[Line] = []
    for a in active:
        details = [x for x in (a.reaction, a.severity and f"{a.severity} reaction") if x]
        if a.criticality in ("high", "low"):  # 'unable-to-assess' or none: nothing to say
            details.append(f"{a.criticality} criticality")
        kind = "intolerance" if a.allergy_type == "intolerance" else "allergy"
        text = f"Allergy: {clean_display(a.substance) or 'unnamed substance'}"
        text += f" ({kind}; {', '.join(details)})" if details else f" ({kind})"
        out.append(("allergy", text, (a.ref,), P_ALLERGY + (1 if a.criticality == "high" else 0),
                    {"substance": clean_display(a.substance), "reaction": a.reaction,
                     "criticality": a.criticality}))
    return out


def problems(record: PatientRecord) -> list[Line]:
    out: list[Line] = []
    seen: dict[str, int] = {}
    for c in record.active_conditions:
        name = clean_display(c.display)
        key = name.lower()
        if key in seen:  # the same problem recorded twice: one line, both entries cited
            i = seen[key]
            s, t, refs, p, d = out[i]
            out[i] = (s, t, (*refs, c.ref), p, d)
            continue
        seen[key] = len(out)
        tag = semantic_tag(c.display)
        prio = P_PROBLEM_FINDING if tag in ("finding", "situation") else P_PROBLEM
        out.append(("problem", f"Active problem: {name} (since {day(c.onset or c.recorded)})",
                    (c.ref,), prio, {"name": name, "since": day(c.onset or c.recorded)}))
    return out


def medications(record: PatientRecord, as_of: datetime | None = None) -> list[Line]:
    out: list[Line] = []
    seen: dict[str, int] = {}
    # active at the sheet's date, by the records' one rule (status and end date), as the flags see it
    active = record.active_medications if as_of is None else record.active_medications_at(as_of)
    for m in active:
        name = tidy_med_name(m.name or m.code.display or "unnamed medication")
        key = name.lower()
        if key in seen:
            i = seen[key]
            s, t, refs, p, d = out[i]
            out[i] = (s, t, (*refs, m.ref), p, d)
            continue
        seen[key] = len(out)
        # The sig usually says route and frequency already; repeating them costs tokens.
        sig = clip(m.dose_text.strip().rstrip("."), 140) if m.dose_text.strip() else ""
        parts = [sig] if sig else [x for x in (m.route, m.frequency) if x]
        text = f"Medication: {name}" + (f"; {'; '.join(parts)}" if parts else "")
        text += f" (since {day(m.start)}"
        reasons = [clean_display(c.display) for r in m.reason_refs
                   if (c := record.entry(r)) is not None and hasattr(c, "display")]
        text += f"; for {', '.join(dict.fromkeys(reasons))})" if reasons else ")"
        out.append(("medication", text, (m.ref,), P_MEDICATION,
                    {"name": name, "reasons": tuple(dict.fromkeys(reasons)), "start": day(m.start)}))
    return out


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut at a word to at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."


def _value(o: Observation, spec: LabSpec, code: str) -> float | None:
    if o.code.code == code and o.value is not None:
        return o.value
    comp = o.component(code)
    return comp.value if comp else None


def _unit_of(o: Observation, code: str) -> str:
    """The unit of `code`'s value in an observation (itself or a component)."""
    if o.code.code == code:
        return o.unit
    comp = o.component(code)
    return comp.unit if comp else ""


def vitals(by_code: dict[str, list[Observation]], anchor: datetime) -> list[Line]:
    out: list[Line] = []
    for spec in vocabulary().vitals:
        if spec.analyte == "bp":
            line = _blood_pressure(by_code, spec, anchor)
            if line:
                out.append(line)
            continue
        found = [(o, v, code) for code in spec.loinc for o in by_code.get(code, ())
                 if (v := _value(o, spec, code)) is not None]
        if not found or (spec.analyte == "sbp" and any(
                c in by_code for c in ("85354-9", "55284-4"))):
            continue
        o, v, code = max(found, key=lambda ovc: ovc[0].when or datetime.min.replace(tzinfo=anchor.tzinfo))
        unit = _unit_of(o, code) or spec.unit
        value = with_unit(format_number(v, unit, code), display_unit(unit))
        text = f"{spec.label} {value} ({day(o.when)})"
        prio = _vital_priority(spec.analyte, v, o.when, anchor)
        out.append(("vital", text, (o.ref,), prio, {"analyte": spec.analyte, "label": spec.label,
                                                     "value": value, "date": day(o.when), "state": ""}))
    return out


def _vital_priority(analyte: str, v: float, when: datetime | None, anchor: datetime) -> int:
    if when is None or anchor - when > RECENT:
        return P_VITAL_OLD
    # Bedside red-flag thresholds (NEWS2 score-3 bands, RCP 2017) make a vital sign stand out.
    bad = {"heart_rate": v <= 40 or v >= 131, "respiratory_rate": v <= 8 or v >= 25,
           "spo2": v <= 91, "temperature": v <= 35.0 or v >= 39.1, "sbp": v <= 90 or v >= 220}
    return P_VITAL_ABNORMAL if bad.get(analyte) else P_VITAL


def _blood_pressure(by_code: dict[str, list[Observation]], spec: LabSpec, anchor: datetime) -> Line | None:
    for code in spec.loinc:
        for o in by_code.get(code, ()):
            s, d = o.component("8480-6"), o.component("8462-4")
            if s and d and s.value is not None and d.value is not None:
                value = _pressure(s.value, d.value)
                text = f"Blood pressure {value} ({day(o.when)})"
                prio = _vital_priority("sbp", s.value, o.when, anchor)
                if prio == P_VITAL and (s.value >= 160 or d.value >= 100):
                    prio = P_VITAL_ABNORMAL  # stage 2 hypertension range (ACC/AHA 2017)
                return ("vital", text, (o.ref,), prio + 1,
                        {"analyte": "bp", "label": "Blood pressure", "date": day(o.when), "state": "",
                         "value": value})
    return None


def _pressure(sbp: float, dbp: float) -> str:
    return f"{format_number(sbp, 'mmHg', '8480-6')}/{format_number(dbp, 'mmHg', '8462-4')} mmHg"


def labs(record: PatientRecord, by_code: dict[str, list[Observation]], anchor: datetime) -> list[Line]:
    out: list[tuple[int, Line]] = []
    for spec in vocabulary().labs:
        found = {o.ref: (o, v, code) for code in spec.loinc for o in by_code.get(code, ())
                 if (v := _value(o, spec, code)) is not None}
        series = sorted(found.values(), key=lambda ovc: ovc[0].when or datetime.min.replace(tzinfo=anchor.tzinfo),
                        reverse=True)
        if not series:
            continue
        latest, value, code = series[0]
        unit = display_unit(latest.unit)
        if unit.lower() in (spec.label.lower(), "ratio", "1"):
            unit = ""  # 'INR 3.8', not 'INR 3.8 INR'
        shown = with_unit(format_number(value, latest.unit, code), unit)
        text = f"{spec.label} {shown} ({day(latest.when)})"
        rng = reference_range(spec, latest, record.patient.sex)
        state = abnormal(value, rng, latest.interpretation)
        if state:
            text += f", {state}"
            if rng:
                text += f" ({_range_text(rng, latest.unit, code)})"
        earlier = series[1:3]
        if earlier:
            text += "; earlier " + ", ".join(f"{format_number(v, o.unit, c)} ({day(o.when)})" for o, v, c in earlier)
            text += f"; {_trend([v for _, v, _ in series[:3]])}"
        recent = latest.when is not None and anchor - latest.when <= RECENT
        if critical(spec.analyte, value, latest, record.patient.sex):
            prio = P_LAB_CRITICAL
        elif state:
            prio = P_LAB_ABNORMAL + spec.importance if recent else P_LAB_ABNORMAL_OLD + spec.importance // 3
        else:
            prio = P_LAB_RECENT + spec.importance // 2 if recent else P_LAB_OLD + spec.importance // 3
        refs = (latest.ref, *(o.ref for o, _, _ in earlier))
        detail = {"analyte": spec.analyte, "label": spec.label, "date": day(latest.when), "state": state,
                  "value": shown,
                  "trend": _trend([v for _, v, _ in series[:3]]) if earlier else ""}
        out.append((spec.importance, ("lab", text, refs, prio, detail)))
    # Abnormal first, then by clinical importance: the order a reader scans labs in.
    out.sort(key=lambda il: (-il[1][3], -il[0]))
    return [line for _, line in out]


def _range_text(rng: tuple[float | None, float | None], unit: str, code: str) -> str:
    low, high = rng
    if low is not None and high is not None:
        return f"normal {format_number(low, unit, code)}-{format_number(high, unit, code)}"
    if high is not None:
        return f"normal <= {format_number(high, unit, code)}"
    return f"normal >= {format_number(low or 0, unit, code)}"


def _trend(newest_first: list[float]) -> str:
    first, last = newest_first[-1], newest_first[0]
    change = (last - first) / abs(first) if first else 0.0
    if abs(change) < 0.05:
        return "stable"
    return "rising" if change > 0 else "falling"


def social(by_code: dict[str, list[Observation]], anchor: datetime) -> list[Line]:
    found = by_code.get("72166-2", [])
    if not found or not found[0].value_text:
        return []
    o = found[0]
    return [("social", f"Smoking status: {o.value_text} ({day(o.when)})", (o.ref,), P_SOCIAL)]


_CLASS = {"AMB": "ambulatory", "EMER": "emergency", "IMP": "inpatient", "ACUTE": "inpatient",
          "OBSENC": "observation", "HH": "home health", "VR": "virtual", "SS": "short stay"}


def encounters(record: PatientRecord, anchor: datetime, limit: int = 5) -> list[Line]:
    out: list[Line] = []
    for n, e in enumerate(record.encounters[:limit]):
        kind = clean_display(e.type.display) or "visit"
        text = f"Encounter {day(e.start)}: {kind}"
        if e.class_code:
            text += f" ({_CLASS.get(e.class_code, e.class_code.lower())})"
        if e.reason:
            text += f" for {clean_display(e.reason)}"
        acute = e.class_code in ("EMER", "IMP", "ACUTE") and e.start is not None and anchor - e.start <= RECENT
        prio = P_ENCOUNTER_ACUTE if acute else P_ENCOUNTER - n
        out.append(("encounter", text, (e.ref,), prio))
    return out


# Administrative or screening procedures that say nothing about the patient's condition.
_ROUTINE = re.compile(r"documentation of|medication reconciliation|assessment of|screening for|"
                      r"(questionnaire|screening)\b|health risks education|depression screening", re.IGNORECASE)


def procedures(record: PatientRecord, anchor: datetime, limit: int = 5) -> list[Line]:
    out: list[Line] = []
    seen: set[str] = set()
    for p in record.procedures:
        name = clean_display(p.code.display)
        if not name or _ROUTINE.search(name) or name.lower() in seen:
            continue
        seen.add(name.lower())
        text = f"Procedure {day(p.performed_start)}: {name}"
        if p.reason:
            text += f" for {clean_display(p.reason)}"
        recent = p.performed_start is not None and anchor - p.performed_start <= RECENT
        out.append(("procedure", text, (p.ref,), (P_PROCEDURE if recent else P_PROCEDURE_OLD) - len(out)))
        if len(out) >= limit:
            break
    return out


def ordered_flags(risk: RiskReport | None) -> list[Flag]:
    """The report's flags, most severe first (the engine orders them so; the stable sort keeps it)."""
    return sorted(risk.flags, key=lambda f: rank(f.severity)) if risk is not None else []


def flags(risk: RiskReport | None) -> list[Line]:
    out: list[Line] = []
    for n, f in enumerate(ordered_flags(risk)):
        text = f"Risk flag ({f.severity}): {f.title}"
        explanation = " ".join(f.explanation.split())
        if explanation:
            text += f": {explanation if len(explanation) <= 200 else explanation[:197].rsplit(' ', 1)[0] + '...'}"
        out.append(("flag", text, f.evidence, P_FLAG[f.severity] - min(n, 5),
                    {"title": f.title, "severity": f.severity}))
    return out
