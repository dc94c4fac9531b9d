"""Drug-drug interactions between active medications, from the curated table interactions.csv."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from assistant.clinical.extract import Chart, ResolvedMed, key_label
from assistant.clinical.extract.doses import daily_dose_mg, over_limit, parse_limit
from assistant.clinical.extract.drugs import check_drug_key
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv
from assistant.clinical.rules.base import SEVERITIES, Flag, rank

from .common import med_text
from .older_adults import pair_modifier


@dataclass(frozen=True)
class Interaction:
    a: str  # ingredient or class:NAME
    b: str
    severity: str
    mechanism: str
    management: str
    source: str
    dose_limit: tuple[str, float] | None = None  # (ingredient, mg a day) the row applies above


@derived_table
def interaction_index() -> dict[frozenset[str], tuple[Interaction, ...]]:
    """Rows keyed by the unordered pair of keys; a same-class row (a == b) has a one-key set."""
    out: dict[frozenset[str], list[Interaction]] = {}
    for n, row in enumerate(read_csv("interactions.csv"), start=1):
        where = f"interactions.csv row {n}"
        if row["severity"] not in SEVERITIES[:3]:
            raise KnowledgeError(f"{where}: severity must be critical, high or moderate")
        limit = parse_limit(row.get("dose_limit", ""), where)
        if limit is not None:
            check_drug_key(limit[0], where)
        ix = Interaction(check_drug_key(row["a"], where), check_drug_key(row["b"], where),
                         row["severity"], row["mechanism"], row["management"], row["source"], limit)
        out.setdefault(frozenset((ix.a, ix.b)), []).append(ix)
    return {k: tuple(v) for k, v in out.items()}


def _members(med: ResolvedMed, key: str) -> list[str]:
    """The med's ingredients that `key` (an ingredient or class:NAME) refers to."""
    if key.startswith("class:"):
        from assistant.clinical.extract import ingredients

        table = ingredients()
        return [i for i in med.ingredients if i in table and key[6:] in table[i].classes]
    return [key] if key in med.ingredients else []


def find(m1: ResolvedMed, m2: ResolvedMed) -> list[tuple[Interaction, str, str]]:
    """Interactions between two meds as (row, ingredient of m1's side, ingredient of m2's side)."""
    index = interaction_index()
    hits: dict[frozenset[str], tuple[Interaction, str, str]] = {}
    for k1 in m1.keys:
        for k2 in m2.keys:
            for ix in index.get(frozenset((k1, k2)), ()):
                # orient the row: its `a` may match either medication
                if m1.has(ix.a) and m2.has(ix.b):
                    pairs = [(i, j) for i in _members(m1, ix.a) for j in _members(m2, ix.b)]
                elif m2.has(ix.a) and m1.has(ix.b):
                    pairs = [(j, i) for j in _members(m2, ix.a) for i in _members(m1, ix.b)]
                else:
                    continue
                row = ix
                for a_ing, b_ing in pairs:
                    if a_ing == b_ing:
                        continue  # the same ingredient twice is duplicate therapy, not an interaction
                    if row.a == row.b:  # a same-class row has no order: keep ids stable
                        a_ing, b_ing = sorted((a_ing, b_ing))
                    pair = frozenset((a_ing, b_ing))  # two rows may name the pair either way round
                    old = hits.get(pair)
                    if old is None or rank(row.severity) < rank(old[0].severity):
                        hits[pair] = (row, a_ing, b_ing)
    return list(hits.values())


def ddi_flags(chart: Chart) -> list[Flag]:
    out: list[Flag] = []
    seen: set[str] = set()
    for m1, m2 in combinations(chart.meds, 2):
        if m1.med.code.code and m1.med.code.code == m2.med.code.code:
            continue  # the same product twice (a renewal): not an interaction
        for row, a_ing, b_ing in find(m1, m2):
            first, second = (m1, m2) if a_ing in m1.ingredients else (m2, m1)
            if row.dose_limit is not None and f"ddi:{a_ing}+{b_ing}" in seen:
                continue  # a dose-limited pair is judged once, on the total of every product
            why = ""
            if row.a.startswith("class:") or row.b.startswith("class:"):
                why = f" ({key_label(row.a)} with {key_label(row.b)})"
            text = (f"{med_text(first)} and {med_text(second)} are both active{why}. "
                    f"{row.mechanism} {row.management}")
            severity, title = row.severity, f"Interaction: {a_ing} + {b_ing}"
            refs: tuple[str, ...] = (first.ref, second.ref)
            if row.dose_limit is not None:
                seen.add(f"ddi:{a_ing}+{b_ing}")
                same = _products(chart, row.dose_limit[0], (first, second))
                severity, title, text = _dose_aware(row, same, severity, title, text)
                refs = tuple(dict.fromkeys((*refs, *(m.ref for m in same))))
            source = row.source
            older = pair_modifier(chart, first, second)
            if older is not None and rank(older.severity) <= rank(severity):
                # AGS Beers: the same pair in an older adult is the more severe problem.
                severity, source = older.severity, f"{row.source}; {older.source}"
                title += f" at age {chart.age} (AGS Beers 2023)"
                text += f" At age {chart.age}: {older.issue} {older.management}"
            out.append(Flag(f"ddi:{a_ing}+{b_ing}", title, severity,
                            "medication", refs, text, (), source))
    return out


def _products(chart: Chart, ing: str, pair: tuple[ResolvedMed, ResolvedMed]) -> tuple[ResolvedMed, ...]:
    """Every distinct active product of `ing` (simvastatin 20 mg and 10 mg both listed), the
    pair's own first: a labelled daily limit applies to their total."""
    found = [m for m in (*pair, *chart.meds) if ing in m.ingredients]
    out: dict[str, ResolvedMed] = {}
    for m in found:
        out.setdefault(m.med.code.code or m.label, m)
    return tuple(out.values())


def _dose_aware(row: Interaction, meds: tuple[ResolvedMed, ...], severity: str, title: str,
                text: str) -> tuple[str, str, str]:
    """A row with a labelled dose limit applies above it, to the total daily dose of every active
    product of the ingredient; at or below it the pair is an info note."""
    assert row.dose_limit is not None
    ing, limit = row.dose_limit
    if not meds:
        return severity, title, text
    if len(meds) > 1:
        doses = [daily_dose_mg(m) for m in meds]
        if any(d is None for d in doses):
            return severity, title, text + f" {len(meds)} {ing} products are active and a dose could not be " \
                f"read: check the total is at most {limit:g} mg a day."
        total = sum(d.mg for d in doses if d is not None)
        parts = " + ".join(f"{d.mg:g} mg" for d in doses if d is not None)
        if total > limit + 1e-9:
            return (severity, title + f" ({ing} {total:g} mg a day in {len(meds)} products)",
                    text + f" {len(meds)} {ing} products are active: {parts} = {total:g} mg a day in total, "
                    f"above the labelled limit of {limit:g} mg. Stop the duplicate and keep the total within it.")
    over, dose = over_limit(meds[0], limit)
    if over is None or dose is None:
        return severity, title, text + f" The {ing} dose could not be read: check it is at most {limit:g} mg a day."
    if over:
        return (severity, title + f" ({ing} {dose.mg:g} mg a day)",
                text + f" The {ing} dose is {dose.text()}, above the labelled limit of {limit:g} mg.")
    return ("info", title + f" (within the {ing} limit)",
            text + f" The {ing} dose is {dose.text()}, within the labelled limit of {limit:g} mg: "
            "no change needed, but do not increase it while both are taken.")
