"""Medicines to avoid in older adults by age and co-medication (AGS Beers 2023, older_adults.csv)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.clinical.extract import Chart, ResolvedMed, key_label, upper_first
from assistant.clinical.extract.drugs import check_drug_key
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv
from assistant.clinical.rules.base import SEVERITIES, Flag, rank

from .common import med_text


@dataclass(frozen=True)
class OlderAdultRow:
    drug: str  # ingredient or class:NAME
    min_age: int
    with_keys: tuple[str, ...]  # another active medicine matching one of these; () = age alone
    severity: str
    issue: str
    management: str
    source: str


@derived_table
def older_adult_rules() -> tuple[OlderAdultRow, ...]:
    out = []
    for n, row in enumerate(read_csv("older_adults.csv"), start=1):
        where = f"older_adults.csv row {n}"
        if row["severity"] not in SEVERITIES[:3]:
            raise KnowledgeError(f"{where}: severity must be critical, high or moderate")
        if not row["min_age"].isdigit():
            raise KnowledgeError(f"{where}: min_age must be a whole number of years")
        keys = tuple(check_drug_key(k, where) for k in row["with"].split())
        out.append(OlderAdultRow(check_drug_key(row["drug"], where), int(row["min_age"]), keys,
                                 row["severity"], row["issue"], row["management"], row["source"]))
    return tuple(out)


def _ingredient(med: ResolvedMed, key: str) -> str:
    """The med's ingredient that `key` names (its first one for a class key)."""
    if not key.startswith("class:"):
        return key
    from assistant.clinical.extract import ingredients

    table = ingredients()
    return next((i for i in med.ingredients if i in table and key[6:] in table[i].classes),
                med.ingredients[0] if med.ingredients else key_label(key))


def _applies(row: OlderAdultRow, age: int, med: ResolvedMed) -> bool:
    return age >= row.min_age and med.has(row.drug)


def pair_modifier(chart: Chart, first: ResolvedMed, second: ResolvedMed) -> OlderAdultRow | None:
    """The most severe co-medication row for this interacting pair in an older adult, or None: the
    interaction flag then carries it (one flag for the pair, at the more severe level)."""
    age = chart.age
    if age is None:
        return None
    found = [r for r in older_adult_rules() if r.with_keys for m, p in ((first, second), (second, first))
             if _applies(r, age, m) and any(p.has(k) for k in r.with_keys)]
    return min(found, key=lambda r: rank(r.severity)) if found else None


def older_adult_flags(chart: Chart) -> list[Flag]:
    from .interactions import find

    age = chart.age
    if age is None:
        return []
    out = []
    for med in chart.meds:
        best: tuple[OlderAdultRow, list[ResolvedMed]] | None = None
        covered = False
        for row in older_adult_rules():
            if not _applies(row, age, med):
                continue
            partners = [m for m in chart.meds if m.ref != med.ref and any(m.has(k) for k in row.with_keys)]
            if row.with_keys and not partners:
                continue
            # A partner with an interaction row: that flag names the pair and carries this advice.
            covered = covered or any(find(med, p) for p in partners)
            partners = [p for p in partners if not find(med, p)]
            if row.with_keys and not partners:
                continue
            if best is None or rank(row.severity) < rank(best[0].severity):
                best = (row, partners)
        if best is None or (covered and not best[0].with_keys):
            continue  # the interaction flag already says to stop this medicine at this age
        row, partners = best
        name = _ingredient(med, row.drug)
        with_text = ", ".join(_ingredient(p, next(k for k in row.with_keys if p.has(k))) for p in partners)
        title = (f"{upper_first(name)} at age {age}" + (f" with {with_text}" if partners else "")
                 + ": avoid (AGS Beers 2023)")
        text = (f"{med_text(med)} is active in a patient aged {age}"
                + (f", with {', '.join(med_text(p) for p in partners)}" if partners else "")
                + f". {row.issue} {row.management}")
        out.append(Flag(f"older-adult:{name}", title, row.severity, "medication",
                        (med.ref, *(p.ref for p in partners)), text, (), row.source))
    return out
