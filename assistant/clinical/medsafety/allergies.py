"""Drug-allergy matches: the same drug, or a class that cross-reacts (allergy_cross_reactivity.csv)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from assistant.clinical.extract import (
    Chart,
    ResolvedMed,
    as_utc,
    class_label,
    ingredients_in_text,
    resolve,
    upper_first,
)
from assistant.clinical.knowledge import (
    KnowledgeError,
    derived_table,
    read_csv,
    read_toml,
    split_list,
)
from assistant.clinical.rules.base import SEVERITIES, Flag, rank
from assistant.records.domain import Allergy

from .common import med_text

KHAN = ("Khan DA et al. Drug allergy: a 2022 practice parameter update. J Allergy Clin Immunol "
        "2022;150:1333-1393")


@dataclass(frozen=True)
class CrossRule:
    group: str
    drug_class: str
    relation: str  # same_class or cross_reactivity
    severity: str
    note: str
    source: str


@derived_table
def allergen_groups() -> tuple[tuple[str, re.Pattern[str], frozenset[str]], ...]:
    out = []
    for row in read_csv("allergen_groups.csv"):
        terms = sorted(split_list(row["terms"]), key=len, reverse=True)
        pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(t.lower()) for t in terms)
                             + r")(?![a-z0-9])")
        out.append((row["group"], pattern, frozenset(split_list(row["snomed"]))))
    return tuple(out)


@derived_table
def cross_rules() -> dict[str, tuple[CrossRule, ...]]:
    from assistant.clinical.extract.drugs import class_labels

    groups = {g for g, _, _ in allergen_groups()}
    out: dict[str, list[CrossRule]] = {}
    for row in read_csv("allergy_cross_reactivity.csv"):
        rule = CrossRule(row["allergen_group"], row["drug_class"], row["relation"], row["severity"],
                         row["note"], row["source"])
        where = f"allergy_cross_reactivity.csv: {rule.group}->{rule.drug_class}"
        if rule.group not in groups:
            raise KnowledgeError(f"{where}: group not in allergen_groups.csv")
        if rule.drug_class not in class_labels():
            raise KnowledgeError(f"{where}: unknown drug class")
        if rule.relation not in ("same_class", "cross_reactivity") or rule.severity not in SEVERITIES:
            raise KnowledgeError(f"{where}: bad relation or severity")
        out.setdefault(rule.group, []).append(rule)
    return {k: tuple(v) for k, v in out.items()}


def groups_of(allergy: Allergy) -> frozenset[str]:
    text = f"{allergy.substance} {allergy.code.display}".lower()
    return frozenset(g for g, pattern, codes in allergen_groups()
                     if allergy.code.code in codes or pattern.search(text))


def is_severe(allergy: Allergy) -> bool:
    return (allergy.criticality == "high" or allergy.severity == "severe"
            or "anaphyla" in allergy.reaction.lower())


def _reaction(allergy: Allergy) -> str:
    parts = [p for p in (allergy.reaction, allergy.severity and f"{allergy.severity} reaction",
                         allergy.criticality and f"criticality {allergy.criticality}") if p]
    return f" ({'; '.join(parts)})" if parts else ""


def _match(allergy: Allergy, med: ResolvedMed) -> tuple[str, str, str, str, str] | None:
    """(severity, allergen key, ingredient, sentence, source) for the worst match, or None."""
    severe = is_severe(allergy)
    same = sorted(ingredients_in_text(allergy.substance) & set(med.ingredients))
    if same:
        return ("critical" if severe else "high", same[0], same[0],
                f"The allergy names {same[0]} itself, which this medicine contains.", KHAN)
    best: tuple[str, str, str, str, str] | None = None
    for group in sorted(groups_of(allergy)):
        for rule in cross_rules().get(group, ()):
            if rule.drug_class not in med.classes:
                continue
            severity = rule.severity
            if severe and (rule.relation == "same_class" or severity == "high"):
                severity = "critical"
            from assistant.clinical.extract import ingredients

            table = ingredients()
            ing = next((i for i in med.ingredients if rule.drug_class in table[i].classes),
                       med.ingredients[0])
            sentence = (f"{upper_first(ing)} is a {class_label(rule.drug_class)}"
                        f"{'' if rule.relation == 'same_class' else ' (cross-reactivity)'}. {rule.note}")
            if best is None or rank(severity) < rank(best[0]):
                best = (severity, group, ing, sentence, rule.source)
    return best


def exposure_flags(chart: Chart) -> list[Flag]:
    """A severe-allergy medicine started recently and already ended: given despite the allergy
    (rules.toml [medication.allergy_exposure]). An active one is the conflict flag below."""
    cfg = read_toml("rules.toml")["medication"]["allergy_exposure"]
    now, active = as_utc(chart.as_of), {m.ref for m in chart.meds}
    out: list[Flag] = []
    for entry in chart.record.medications:
        start = as_utc(entry.start) if entry.start else None
        if entry.ref in active or start is None or not timedelta(0) <= now - start <= timedelta(days=cfg["days"]):
            continue
        if entry.status in ("entered-in-error", "cancelled", "draft"):
            continue
        med = resolve(entry)
        for allergy in (a for a in chart.allergies if is_severe(a)):
            found = _match(allergy, med) if med.ingredients else None
            if found is None:
                continue
            _, key, ing, sentence, _ = found
            text = (f"{med_text(med)} was prescribed on {start.date().isoformat()} although an allergy to "
                    f"{allergy.substance or allergy.code.display}{_reaction(allergy)} is recorded. {sentence} "
                    "The course is no longer active: ask whether it was taken and whether there was a "
                    "reaction, check the allergy record, and report the incident.")
            out.append(Flag(f"allergy-exposure:{key}+{ing}", f"Given despite recorded allergy: {ing} "
                            f"({allergy.substance or key})", cfg["severity"], "allergy",
                            (allergy.ref, med.ref), text, (), cfg["source"]))
            break
    return out


def allergy_flags(chart: Chart) -> list[Flag]:
    out: list[Flag] = exposure_flags(chart)
    for allergy in chart.allergies:
        for med in chart.meds:
            if not med.ingredients:
                continue
            found = _match(allergy, med)
            if found is None:
                continue
            severity, key, ing, sentence, source = found
            recorded = f", recorded {allergy.recorded.date().isoformat()}" if allergy.recorded else ""
            text = (f"Allergy to {allergy.substance or allergy.code.display}{_reaction(allergy)}"
                    f"{recorded}, while {med_text(med)} is active. {sentence}")
            out.append(Flag(f"allergy:{key}+{ing}", f"Allergy: {allergy.substance or key} - {ing} prescribed",
                            severity, "allergy", (allergy.ref, med.ref), text, (), source))
    return out
