"""Medications to ingredients and drug classes: RxNorm product codes first, then names in the text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.clinical.knowledge import (
    KnowledgeError,
    derived_table,
    read_csv,
    register_cache,
    split_list,
)
from assistant.records.domain import RXNORM, Medication


@dataclass(frozen=True)
class Ingredient:
    name: str
    classes: frozenset[str]
    atc: str
    source: str


@derived_table
def ingredients() -> dict[str, Ingredient]:
    known_classes = class_labels()
    out: dict[str, Ingredient] = {}
    for row in read_csv("drug_ingredients.csv"):
        classes = frozenset(split_list(row["classes"]))
        unknown = classes - set(known_classes)
        if unknown:
            raise KnowledgeError(f"drug_ingredients.csv: {row['ingredient']}: unknown class(es) "
                                 f"{', '.join(sorted(unknown))} (add them to drug_class_info.csv)")
        out[row["ingredient"].lower()] = Ingredient(row["ingredient"].lower(), classes, row["atc"],
                                                    row["source"])
    return out


@derived_table
def class_labels() -> dict[str, str]:
    return {row["class"]: row["label"] for row in read_csv("drug_class_info.csv")}


def class_label(cls: str) -> str:
    return class_labels().get(cls, cls.replace("_", " "))


@derived_table
def rxcui_ingredients() -> dict[str, tuple[str, ...]]:
    table = ingredients()
    out: dict[str, tuple[str, ...]] = {}
    for row in read_csv("rxnorm_ingredients.csv"):
        names = tuple(i.lower() for i in split_list(row["ingredients"]))
        missing = [n for n in names if n not in table]
        if missing:
            raise KnowledgeError(f"rxnorm_ingredients.csv: {row['rxcui']}: unknown ingredient(s) "
                                 f"{', '.join(missing)}")
        out[row["rxcui"]] = names
    return out


@derived_table
def _name_matcher() -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    # One alternation of every ingredient name and synonym, longest first so 'ferrous sulfate' wins
    # over a shorter overlapping term. A term may stand for several ingredients (brand combinations).
    terms: dict[str, set[str]] = {}
    for ing in ingredients().values():
        terms.setdefault(ing.name, set()).add(ing.name)
    for row in read_csv("drug_ingredients.csv"):
        for syn in split_list(row["synonyms"]):
            terms.setdefault(syn.lower(), set()).add(row["ingredient"].lower())
    ordered = sorted(terms, key=len, reverse=True)
    pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(t) for t in ordered) + r")(?![a-z0-9])")
    return pattern, {t: frozenset(v) for t, v in terms.items()}


@register_cache
@lru_cache(maxsize=4096)
def ingredients_in_text(text: str) -> frozenset[str]:
    """Ingredients named in free text ('Amoxicillin 250 MG / Clavulanate 125 MG' -> both)."""
    pattern, terms = _name_matcher()
    found: set[str] = set()
    for m in pattern.finditer(text.lower()):
        found |= terms[m.group(1)]
    return frozenset(found)


def classes_of(ingredient_names: frozenset[str] | tuple[str, ...]) -> frozenset[str]:
    table = ingredients()
    out: set[str] = set()
    for name in ingredient_names:
        ing = table.get(name)
        if ing:
            out |= ing.classes
    return frozenset(out)


@dataclass(frozen=True)
class ResolvedMed:
    """A medication entry with its ingredients and classes; `keys` are what the tables match on."""

    med: Medication
    ingredients: tuple[str, ...]
    classes: frozenset[str]
    via: str  # 'rxnorm', 'name' or '' when nothing matched

    @property
    def ref(self) -> str:
        return self.med.ref

    @property
    def label(self) -> str:
        return self.med.name or self.med.code.display or self.med.code.code or "medication"

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.ingredients) | {f"class:{c}" for c in self.classes}

    def has(self, key: str) -> bool:
        """key: an ingredient name or 'class:NAME'."""
        if key.startswith("class:"):
            return key[6:] in self.classes
        return key in self.ingredients


def resolve(med: Medication) -> ResolvedMed:
    codes = rxcui_ingredients()
    if med.code.code and (med.code.system == RXNORM or not med.code.system) and med.code.code in codes:
        names = codes[med.code.code]
        return ResolvedMed(med, names, classes_of(names), "rxnorm")
    found = ingredients_in_text(f"{med.name} {med.code.display}")
    names = tuple(sorted(found))
    return ResolvedMed(med, names, classes_of(names), "name" if names else "")


def check_drug_key(key: str, where: str) -> str:
    """Validate a table cell naming an ingredient or 'class:NAME'."""
    if key.startswith("class:"):
        if key[6:] not in class_labels():
            raise KnowledgeError(f"{where}: unknown drug class {key[6:]!r}")
    elif key not in ingredients():
        raise KnowledgeError(f"{where}: unknown ingredient {key!r}")
    return key


def key_label(key: str) -> str:
    return class_label(key[6:]) if key.startswith("class:") else key
