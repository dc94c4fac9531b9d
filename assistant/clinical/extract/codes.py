"""Code tables as indexes: analytes by LOINC (loinc_map.csv) and clinical concepts by SNOMED / ICD-10."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.clinical.calculators.units import convert
from assistant.clinical.knowledge import (
    KnowledgeError,
    derived_table,
    read_csv,
    read_toml,
    split_list,
)
from assistant.clinical.units import unit_key
from assistant.errors import BadInputError
from assistant.records.domain import ICD10, SNOMED, Coding


@dataclass(frozen=True)
class Analyte:
    """One measurable quantity (potassium, systolic BP...) and the LOINC codes that report it."""

    name: str
    loinc: tuple[str, ...]
    display: str
    unit: str  # the unit values are reported in ('' = dimensionless, any unit accepted)
    same_units: frozenset[str]  # spellings that mean `unit` exactly (UCUM variants)
    unit_analyte: str  # key into the calculator unit table for molar conversions
    window_days: int
    anchor: str  # 'as_of' or 'vitals'
    source: str

    def reports_in(self, unit: str) -> bool:
        """Whether `unit` is this analyte's unit as written (any spelling of it; any unit if it has none)."""
        return not self.unit or unit_key(unit) in self.same_units

    def to_unit(self, value: float, unit: str) -> float | None:
        """`value` expressed in this analyte's unit, or None when the unit cannot be converted."""
        if self.reports_in(unit):
            return value
        try:
            return convert(value, unit, self.unit, self.unit_analyte or None)
        except BadInputError:
            return None


@derived_table
def analytes() -> dict[str, Analyte]:
    out: dict[str, Analyte] = {}
    for row in read_csv("loinc_map.csv"):
        units = row["units"].split("|")
        anchor = row["anchor"] or "as_of"
        if anchor not in ("as_of", "vitals"):
            raise KnowledgeError(f"loinc_map.csv: {row['analyte']}: anchor must be as_of or vitals")
        out[row["analyte"]] = Analyte(
            row["analyte"], tuple(row["loinc"].split()), row["display"], units[0],
            frozenset(unit_key(u) for u in units), row["unit_analyte"], int(row["window_days"] or 365),
            anchor, row["source"])
    return out


@derived_table
def analyte_by_loinc() -> dict[str, str]:
    return {code: a.name for a in analytes().values() for code in a.loinc}


def analyte(name: str) -> Analyte:
    try:
        return analytes()[name]
    except KeyError:
        raise KnowledgeError(f"unknown analyte {name!r}: add it to loinc_map.csv") from None


@dataclass(frozen=True)
class ConceptIndex:
    """SNOMED codes (exact) and ICD-10 prefixes for each concept, includes already expanded."""

    snomed: dict[str, frozenset[str]]  # code -> concepts
    icd10: tuple[tuple[str, str], ...]  # (prefix, concept), longest prefix first
    names: frozenset[str]

    def concepts_for(self, codings: tuple[Coding, ...]) -> frozenset[str]:
        found: set[str] = set()
        for c in codings:
            if c.system == SNOMED or (not c.system and c.code.isdigit()):
                found |= self.snomed.get(c.code, frozenset())
            elif c.system == ICD10 or "icd" in c.system.lower():
                code = c.code.upper()
                found |= {concept for prefix, concept in self.icd10 if code.startswith(prefix)}
        return frozenset(found)


@derived_table
def concept_index() -> ConceptIndex:
    rows = read_csv("condition_map.csv")
    direct: dict[str, list[tuple[str, str]]] = {}
    includes: dict[str, list[str]] = {}
    for row in rows:
        system = row["system"]
        if system == "concept":
            includes.setdefault(row["concept"], []).append(row["code"])
        elif system in ("snomed", "icd10"):
            direct.setdefault(row["concept"], []).append((system, row["code"].upper()))
        else:
            raise KnowledgeError(f"condition_map.csv: unknown system {system!r}")

    def expand(concept: str, seen: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        if concept in seen:
            raise KnowledgeError(f"condition_map.csv: concept {concept!r} includes itself")
        codes = list(direct.get(concept, []))
        for inner in includes.get(concept, []):
            codes += expand(inner, seen | {concept})
        return codes

    snomed: dict[str, set[str]] = {}
    icd: list[tuple[str, str]] = []
    names = set(direct) | set(includes)
    for concept in names:
        for system, code in expand(concept):
            if system == "snomed":
                snomed.setdefault(code, set()).add(concept)
            else:
                icd.append((code, concept))
    icd.sort(key=lambda pc: -len(pc[0]))
    return ConceptIndex({k: frozenset(v) for k, v in snomed.items()}, tuple(icd), frozenset(names))


@derived_table
def history_concepts() -> frozenset[str]:
    """Concepts where a resolved condition still counts (rules.toml [history])."""
    names = read_toml("rules.toml").get("history", {}).get("concepts", [])
    return frozenset(check_concept(n, "rules.toml [history]") for n in names)


def concept_names() -> frozenset[str]:
    return concept_index().names


def check_concept(name: str, where: str) -> str:
    if name not in concept_names():
        raise KnowledgeError(f"{where}: unknown concept {name!r} (not in condition_map.csv)")
    return name


def parse_terms(cell: str) -> tuple[str, ...]:
    """'a|b' or 'a; b' -> ('a', 'b')."""
    return split_list(cell.replace("|", ";"))
