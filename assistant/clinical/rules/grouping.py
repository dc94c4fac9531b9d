"""One problem, one flag: merge the flags of one clinical problem (flag_groups.csv) into a single flag."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from assistant.clinical.extract import Chart
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv

from .base import Flag, order_key, rank, refs


@dataclass(frozen=True)
class GroupRule:
    problem: str
    pattern: str  # shell-style pattern on the flag id
    mode: str  # '' (no medicine condition), 'all', 'any' or 'chart'
    classes: frozenset[str]
    source: str


@derived_table
def group_rules() -> tuple[GroupRule, ...]:
    from assistant.clinical.extract.drugs import class_labels

    out = []
    for n, row in enumerate(read_csv("flag_groups.csv"), start=1):
        where = f"flag_groups.csv row {n}"
        mode, _, names = row["medicines"].partition(":")
        classes = frozenset(names.split())
        if mode not in ("", "all", "any", "chart") or (mode and not classes):
            raise KnowledgeError(f"{where}: medicines must be blank, 'all:CLASSES', 'any:CLASSES' or 'chart:CLASSES'")
        unknown = classes - set(class_labels())
        if unknown:
            raise KnowledgeError(f"{where}: unknown drug class(es) {', '.join(sorted(unknown))}")
        if not row["problem"] or not row["flag"] or not row["source"]:
            raise KnowledgeError(f"{where}: problem, flag and source are required")
        out.append(GroupRule(row["problem"], row["flag"], mode, classes, row["source"]))
    return tuple(out)


def _passes(rule: GroupRule, flag: Flag, med_classes: dict[str, frozenset[str]]) -> bool:
    if not fnmatchcase(flag.id, rule.pattern):
        return False
    if not rule.mode:
        return True
    if rule.mode == "chart":  # the patient takes such a medicine, cited by the flag or not
        return any(c & rule.classes for c in med_classes.values())
    cited = [med_classes[r] for r in flag.evidence if r in med_classes]
    if not cited:
        return False
    hits = [bool(c & rule.classes) for c in cited]
    return all(hits) if rule.mode == "all" else any(hits)


def problems_of(flag: Flag, med_classes: dict[str, frozenset[str]]) -> tuple[str, ...]:
    """The problems in flag_groups.csv this flag can belong to, in file order."""
    return tuple(dict.fromkeys(r.problem for r in group_rules() if _passes(r, flag, med_classes)))


def merge(members: Sequence[Flag]) -> Flag:
    """One flag for one problem: the most severe member leads; the others become its sub-points."""
    ordered = sorted(members, key=order_key)
    lead, others = ordered[0], ordered[1:]
    if not others:
        return lead
    points = lead.points + tuple(f"{f.title} ({f.severity}): {f.explanation}" for f in others)
    text = lead.explanation + " Related findings: " + " ".join(
        f"({i}) {p}" for i, p in enumerate(points, start=1))
    reference = "; ".join(dict.fromkeys(r for f in ordered for r in f.reference.split("; ") if r))
    missing = tuple(dict.fromkeys(m for f in ordered for m in f.missing))
    severity = min((f.severity for f in ordered), key=rank)
    return Flag(lead.id, lead.title, severity, lead.category, refs(*(f.evidence for f in ordered)),
                text, missing, reference, points)


def group_flags(flags: Iterable[Flag], chart: Chart) -> list[Flag]:
    """Flags with each problem's members merged into one flag (order is not kept: finalize sorts)."""
    med_classes = {m.ref: m.classes for m in chart.meds}
    flags = list(flags)
    candidates = [problems_of(f, med_classes) for f in flags]
    # A flag joins the first of its problems that forms (two or more flags could join it), so a
    # creatinine that could be NSAID evidence stays with the kidney findings when no NSAID flag is
    # raised; otherwise its first problem, as before.
    size = Counter(p for c in candidates for p in c)
    problems: dict[str, list[Flag]] = {}
    out: list[Flag] = []
    for f, cands in zip(flags, candidates, strict=True):
        problem = next((p for p in cands if size[p] >= 2), cands[0] if cands else "")
        if problem:
            problems.setdefault(problem, []).append(f)
        else:
            out.append(f)
    out.extend(merge(members) for members in problems.values())
    return out
