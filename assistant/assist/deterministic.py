"""Deterministic summary: templates over the fact sheet, used with no model, when it fails, or on request."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .facts import Fact, FactSheet
from .result import DETERMINISTIC_SOURCE, Summary
from .verify import DETERMINISTIC, Sentence
from .vocabulary import ingredients, vocabulary

MAX_SYNOPSIS_PROBLEMS = 6
# Dose-form words end the useful part of an RxNorm name; package prefixes ('NDA020800 0.3 mL',
# '24 hr', '200 actuation') come before the ingredient and say nothing a clinician needs here.
_FORM = re.compile(r"\s+(Oral|Extended|Delayed|Injectable|Metered|Dry|Auto-Injector|Mucosal|Topical|"
                   r"Transdermal|Prefilled|Chewable|Sublingual|Nasal|Inhalation|Injection|Vaginal|Rectal|"
                   r"Ophthalmic|Otic|Disintegrating|Enteric)\b.*$", re.IGNORECASE)
_PREFIX = re.compile(r"^((NDA|ANDA|BLA)\d+\s+)?([\d.]+\s+(actuation|hr|mL|day)\s+)?", re.IGNORECASE)


def _lower(name: str) -> str:
    """'Atrial fibrillation' -> 'atrial fibrillation'; abbreviations (COPD, HFrEF) keep their case."""
    words = name.split()
    return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in words)


def short_med(name: str) -> str:
    """'warfarin sodium 5 mg Oral Tablet' -> 'warfarin sodium 5 mg' (the dose form is left out)."""
    return _FORM.sub("", _PREFIX.sub("", name)).strip() or name


def _sentence(text: str, facts: Iterable[Fact], sheet: FactSheet) -> Sentence:
    ids = tuple(dict.fromkeys(f.id for f in facts))
    return Sentence(text, sheet.refs_for(ids), ids, DETERMINISTIC)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _lab_phrase(f: Fact) -> str:
    d = f.detail
    label = _lower(d["label"])
    notes = [x for x in (d.get("state", ""), d.get("trend", "")) if x]
    return f"{label} {d['value']} on {d['date']}" + (f" ({', '.join(notes)})" if notes else "")


def synopsis(sheet: FactSheet) -> Sentence:
    demo = sheet.section("demographics")
    problems = sorted(sheet.section("problem"), key=lambda f: -f.priority)  # disorders before findings
    allergies = sheet.section("allergy")
    who = demo[0].text.removeprefix("Patient: ") if demo else "Patient"
    who, _, deceased = who.partition("; ")
    text = who[0].upper() + who[1:] + (f" ({deceased})" if deceased else "")
    shown = problems[:MAX_SYNOPSIS_PROBLEMS]
    names = [_lower(f.detail.get("name", "")) for f in shown]
    if len(problems) > len(shown):
        names.append("other active problems (below)")
    text += f" with {_join(names)}" if names else " with no active problems recorded"
    real = [a for a in allergies if a.detail]
    if real and all(_NO_KNOWN.match(a.detail.get("substance", "")) for a in real):
        text += "; no known allergies"
    elif real:
        text += f"; allergies: {allergy_list(real)}"
    elif allergies:
        text += "; no allergies recorded"
    return _sentence(text + ".", [*demo, *shown, *allergies], sheet)


_NO_KNOWN = re.compile(r"^no known\b", re.IGNORECASE)  # SNOMED 716186003 'No known allergy' and kin


def allergy_sentence(sheet: FactSheet) -> Sentence | None:
    """Every active allergy as the record states it: substance, kind, reaction, severity, criticality.
    'No known allergies' only when the record asserts it; no entry at all is not the same thing."""
    allergies = sheet.section("allergy")
    if not allergies:
        return None
    real = [a for a in allergies if a.detail]
    if not real:
        # Nothing to cite but the chart itself: the patient entry stands for 'no entry in it'.
        return _sentence("No allergies recorded.", [*sheet.section("demographics"), *allergies], sheet)
    if all(_NO_KNOWN.match(a.detail.get("substance", "")) for a in real):
        return _sentence("No known allergies (as recorded).", real, sheet)
    items = [a.text.removeprefix("Allergy: ") for a in real if not _NO_KNOWN.match(a.detail.get("substance", ""))]
    label = "Allergy" if len(items) == 1 else "Allergies"
    return _sentence(f"{label}: {'; '.join(items)}.", real, sheet)


def allergy_list(allergies: Iterable[Fact]) -> str:
    return ", ".join(a.detail["substance"].lower() + (f" ({a.detail['reaction'].lower()})" if a.detail["reaction"] else "")
                     for a in allergies)


def _related(problem: Fact, sheet: FactSheet) -> tuple[list[Fact], list[Fact]]:
    """Lab/vital and medication facts that belong to a problem: the analytes and drugs the
    vocabulary lists for its diagnosis, and medications whose order names it as the reason."""
    name = problem.detail.get("name", "")
    dx = vocabulary().diagnoses_in(name)
    analytes = {a for d in dx for a in d.labs}
    drugs = {g for d in dx for g in d.drugs}
    results = [f for f in (*sheet.section("lab"), *sheet.section("vital"))
               if f.detail.get("analyte") in analytes]
    # Abnormal values first, then the rest; at most four so the sentence stays readable.
    results = sorted(results, key=lambda f: (not f.detail.get("state"), -f.priority))[:4]
    meds = [f for f in sheet.section("medication")
            if name in f.detail.get("reasons", ()) or set(ingredients(f.detail.get("name", ""))) & drugs]
    return results, meds


def problem_sentences(sheet: FactSheet, only: set[str] | None = None) -> tuple[list[Sentence], set[str]]:
    """One sentence per problem with its results and medications. Problems with exactly the same
    related facts (e.g. 'Myocardial infarction' and 'History of myocardial infarction') share one."""
    out: list[Sentence] = []
    used: set[str] = set()
    bare: list[Fact] = []
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Fact]] = {}
    related: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[list[Fact], list[Fact]]] = {}
    for p in sheet.section("problem"):
        if only is not None and p.id not in only:
            continue
        results, meds = _related(p, sheet)
        if not results and not meds:
            bare.append(p)
            continue
        key = (tuple(f.id for f in results), tuple(f.id for f in meds))
        groups.setdefault(key, []).append(p)
        related[key] = (results, meds)
    for key, problems in groups.items():
        results, meds = related[key]
        names = [f"{p.detail['name'] if i == 0 else _lower(p.detail['name'])} (since {p.detail['since']})"
                 for i, p in enumerate(problems)]
        clauses = []
        if results:
            clauses.append(_join([_lab_phrase(f) for f in results]))
        if meds:
            clauses.append("taking " + _join([short_med(f.detail["name"]) for f in meds]))
        out.append(_sentence(f"{_join(names)}: {'; '.join(clauses)}.", [*problems, *results, *meds], sheet))
        used.update(f.id for f in (*problems, *results, *meds))
    if bare:
        items = [f"{_lower(p.detail['name'])} (since {p.detail['since']})" for p in bare]
        label = "Other active problems" if out or only is not None else "Active problems"
        out.append(_sentence(f"{label}: {_join(items)}.", bare, sheet))
        used.update(p.id for p in bare)
    return out, used


def other_sentences(sheet: FactSheet, used: set[str]) -> list[Sentence]:
    out: list[Sentence] = []
    meds = [f for f in sheet.section("medication") if f.id not in used]
    if meds:
        label = "Other current medications" if used & {f.id for f in sheet.section("medication")} else "Current medications"
        out.append(_sentence(f"{label}: {_join([short_med(f.detail['name']) for f in meds])}.", meds, sheet))
    abnormal = [f for f in sheet.section("lab") if f.id not in used and f.detail.get("state")]
    if abnormal:
        out.append(_sentence(f"Other abnormal results: {_join([_lab_phrase(f) for f in abnormal])}.",
                             abnormal, sheet))
    vitals = [f for f in sheet.section("vital") if f.id not in used]
    if vitals:
        out.append(_sentence(f"Latest vital signs: {_join([_lab_phrase(f) for f in vitals])}.", vitals, sheet))
    encounters = sheet.section("encounter")
    if encounters:
        last = encounters[0]
        acute = [f for f in encounters[1:] if f.priority >= 58]
        text = "Last encounter " + last.text.removeprefix("Encounter ")
        if acute:
            text += "; also " + "; ".join(f.text.removeprefix("Encounter ") for f in acute)
        out.append(_sentence(text + ".", [last, *acute], sheet))
    notes = sheet.section("note")
    if notes:
        # Every essential line of the latest note (note_lines picked them), none of the older ones.
        latest = [f for f in notes if f.detail.get("header") == notes[0].detail.get("header")]
        body = " ".join(_end(f.detail["line"]) for f in latest)
        out.append(_sentence(f"{latest[0].detail['header']}: {body}", latest, sheet))
    return out


def _end(line: str) -> str:
    return line if line.endswith((".", "!", "?", "...")) else line + "."


def flag_sentence(sheet: FactSheet) -> Sentence | None:
    flags = [f for f in sheet.section("flag") if f.detail.get("severity") in ("critical", "high", "moderate")]
    if not flags:
        return None
    items = [f"{f.detail['title']} ({f.detail['severity']})" for f in flags[:4]]
    more = "; more in the risk review" if len(flags) > 4 else ""
    return _sentence(f"Risk flags: {'; '.join(items)}{more}.", flags[:4], sheet)


def deterministic_summary(sheet: FactSheet, reason: str, timing: dict[str, float] | None = None) -> Summary:
    """The full deterministic summary of a fact sheet (built without a token budget)."""
    sentences: list[Sentence] = []
    allergy = allergy_sentence(sheet)
    if allergy is not None:
        sentences.append(allergy)
    flag = flag_sentence(sheet)
    if flag is not None:
        sentences.append(flag)
    problems, used = problem_sentences(sheet)
    sentences += problems
    sentences += other_sentences(sheet, used)
    first = synopsis(sheet)
    return Summary(sheet.patient_id, DETERMINISTIC_SOURCE, "", reason, first, tuple(sentences),
                   sheet, dict(timing or {}))
