"""Drug-disease and drug-lab cautions, renal dosing by eGFR, and duplicate therapy."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.clinical.extract import (
    Chart,
    ResolvedMed,
    analyte,
    fmt,
    ingredients,
    key_label,
    upper_first,
)
from assistant.clinical.extract.codes import check_concept
from assistant.clinical.extract.doses import over_limit, parse_limit
from assistant.clinical.extract.drugs import check_drug_key
from assistant.clinical.extract.inputs import _parse_lab_term, compare
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv, read_toml
from assistant.clinical.rules.base import SEVERITIES, Flag, rank

from .common import med_list


@dataclass(frozen=True)
class Caution:
    drug: str  # ingredient or class:NAME
    condition: str  # concept, or a lab term such as potassium>5.5
    severity: str
    issue: str
    management: str
    source: str

    @property
    def lab(self) -> tuple[str, str, float] | None:
        return _parse_lab_term(self.condition) if any(op in self.condition for op in "<>") else None


@dataclass(frozen=True)
class RenalRow:
    egfr_below: float
    severity: str
    action: str
    source: str
    dose_limit: tuple[str, float] | None = None  # (ingredient, mg a day): at or below it, info only


def _severity(value: str, where: str) -> str:
    if value not in SEVERITIES:
        raise KnowledgeError(f"{where}: severity {value!r} not in {SEVERITIES}")
    return value


@derived_table
def drug_disease_rules() -> tuple[Caution, ...]:
    out = []
    for n, row in enumerate(read_csv("drug_disease.csv"), start=1):
        where = f"drug_disease.csv row {n}"
        c = Caution(check_drug_key(row["drug"], where), row["condition"],
                    _severity(row["severity"], where), row["issue"], row["management"], row["source"])
        if c.lab is None:
            check_concept(c.condition, where)
        out.append(c)
    return tuple(out)


@derived_table
def renal_rules() -> dict[str, tuple[RenalRow, ...]]:
    """drug key -> its rows, lowest eGFR threshold first."""
    out: dict[str, list[RenalRow]] = {}
    for n, row in enumerate(read_csv("renal_dosing.csv"), start=1):
        where = f"renal_dosing.csv row {n}"
        key = check_drug_key(row["drug"], where)
        limit = parse_limit(row.get("dose_limit", ""), where)
        if limit is not None:
            check_drug_key(limit[0], where)
        out.setdefault(key, []).append(RenalRow(float(row["egfr_below"]), _severity(row["severity"], where),
                                                row["action"], row["source"], limit))
    return {k: tuple(sorted(v, key=lambda r: r.egfr_below)) for k, v in out.items()}


@derived_table
def duplicate_classes() -> dict[str, tuple[str, str, str]]:
    return {row["class"]: (_severity(row["severity"], "duplicate_classes.csv"), row["note"],
                           row["source"]) for row in read_csv("duplicate_classes.csv")}


def _slug(key: str) -> str:
    return key[6:] if key.startswith("class:") else key.replace(" ", "-")


def drug_disease_flags(chart: Chart) -> list[Flag]:
    lab_days = read_toml("rules.toml")["windows"]["lab_days"]
    out: list[Flag] = []
    for c in drug_disease_rules():
        meds = chart.meds_with(c.drug)
        if not meds:
            continue
        lab = c.lab
        if lab is None:
            found = chart.conditions(c.condition)
            if not found:
                continue
            since = f" (since {found[0].onset.date().isoformat()})" if found[0].onset else ""
            what, ev, cond_id = f"{found[0].display}{since} is on the problem list", found[0].ref, c.condition
            title = f"{upper_first(key_label(c.drug))} with {found[0].display.lower()}"
        else:
            name, op, limit = lab
            m = chart.latest(name, lab_days)
            if m is None or not compare(m.value, op, limit):
                continue
            what, ev, cond_id = f"the newest {analyte(name).display.lower()} is {m.text()}", m.ref, name
            title = f"{upper_first(key_label(c.drug))} with {analyte(name).display.lower()} {fmt(m.value)} {m.unit}".rstrip()
        text = f"{med_list(meds)} {'is' if len(meds) == 1 else 'are'} active and {what}. {c.issue} {c.management}"
        out.append(Flag(f"drug-disease:{_slug(c.drug)}:{cond_id}", title, c.severity, "medication",
                        (*[m_.ref for m_ in meds], ev), text, (), c.source))
    return out


def renal_flags(chart: Chart) -> list[Flag]:
    rules = renal_rules()
    relevant = [(key, chart.meds_with(key)) for key in rules]
    relevant = [(k, m) for k, m in relevant if m]
    if not relevant:
        return []
    egfr = chart.egfr()
    if egfr is None:
        days = read_toml("rules.toml")["windows"]["lab_days"]
        names = ", ".join(sorted({med.label for _, meds in relevant for med in meds}))
        old = chart.measurements("egfr")[:1] or chart.measurements("creatinine")[:1]
        last = (f"the last {analyte(old[0].analyte).display.lower()} was {old[0].text()}, too old"
                if old else "no eGFR or creatinine is on record")
        return [Flag("renal:no-egfr", "Renally cleared drugs without a recent eGFR", "info", "medication",
                     tuple(med.ref for _, meds in relevant for med in meds) + tuple(m.ref for m in old),
                     f"{names}: these medicines need dose review by kidney function, but {last} "
                     f"(none within {days} days).",
                     (f"eGFR or serum creatinine within {days} days",),
                     read_toml("rules.toml")["medication"]["renal_unknown"]["source"])]
    out: list[Flag] = []
    how = f" ({egfr.derived})" if egfr.derived else ""
    for key, meds in relevant:
        hit = next((r for r in rules[key] if egfr.value < r.egfr_below), None)
        if hit is None:
            continue
        threshold, severity, action, source = hit.egfr_below, hit.severity, hit.action, hit.source
        text = (f"{med_list(meds)} {'is' if len(meds) == 1 else 'are'} active and the newest eGFR is "
                f"{egfr.text()}{how}, below {fmt(threshold)}. {action}")
        if hit.dose_limit is not None:
            severity, text = _dosed_for_band(hit, meds, severity, text)
        out.append(Flag(f"renal:{_slug(key)}", f"{upper_first(key_label(key))} with eGFR {fmt(egfr.value)}",
                        severity, "medication", (*[m.ref for m in meds], egfr.ref), text, (), source))
    return out


def _dosed_for_band(row: RenalRow, meds: tuple[ResolvedMed, ...], severity: str,
                    text: str) -> tuple[str, str]:
    """Below the band's dose limit the drug is already adjusted: an info note, not a warning."""
    assert row.dose_limit is not None
    ing, limit = row.dose_limit
    doses = [over_limit(m, limit) for m in meds if ing in m.ingredients]
    # An assumed frequency is not enough to stand a warning down (metformin is taken 1-3 times a day).
    if not doses or any(over is None or (d is not None and d.assumed) for over, d in doses):
        return severity, text + f" The {ing} daily dose is not stated: check it is at most {fmt(limit)} mg a day."
    total = sum(d.mg for _, d in doses if d is not None)
    assumed = next((d.assumed for _, d in doses if d is not None and d.assumed), "")
    dose = f"{fmt(total)} mg a day" + (f" (assuming {assumed})" if assumed else "")
    if total > limit + 1e-9:
        return severity, text + f" The {ing} dose is {dose}, above {fmt(limit)} mg: reduce it."
    return "info", text + f" The {ing} dose is {dose}, within {fmt(limit)} mg for this eGFR band."


def duplicate_flags(chart: Chart) -> list[Flag]:
    out: list[Flag] = []
    table = ingredients()
    dup = duplicate_classes()
    by_ing: dict[str, list[ResolvedMed]] = {}
    for m in chart.meds:
        for i in m.ingredients:
            by_ing.setdefault(i, []).append(m)
    for ing, meds in by_ing.items():
        products = {m.med.code.code or m.label for m in meds}
        if len(products) < 2:
            continue  # one product listed twice is a renewal, not duplication
        cfg = read_toml("rules.toml")["medication"]["duplicate_ingredient"]
        cls = [dup[c] for c in table[ing].classes if c in dup] if ing in table else []
        severity = min((c[0] for c in cls), key=rank, default=cfg["severity"])
        out.append(Flag(f"duplicate:{ing.replace(' ', '-')}", f"Duplicate therapy: {ing} in {len(products)} products",
                        severity, "medication", tuple(m.ref for m in meds),
                        f"{upper_first(ing)} is in more than one active product: {med_list(meds)}. "
                        "Check the total daily dose and stop the duplicate.", (),
                        cfg["source"]))
    for cls_name, (severity, note, source) in dup.items():
        in_class = chart.meds_with(f"class:{cls_name}")
        members = {frozenset(i for i in m.ingredients if i in table and cls_name in table[i].classes)
                   for m in in_class}
        if len(members) < 2:
            continue  # a single ingredient of the class (duplicates of it are reported above)
        names = sorted({i for s in members for i in s})
        out.append(Flag(f"duplicate:class:{cls_name}", f"Two {key_label('class:' + cls_name)}s: {' + '.join(names)}",
                        severity, "medication", tuple(m.ref for m in in_class),
                        f"{med_list(in_class)} are all active. {note}", (), source))
    return out

