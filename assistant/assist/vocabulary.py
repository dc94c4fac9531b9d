"""Summary vocabulary (key labs, vitals, diagnoses, drug and allergen names) and whole-word term matching."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.clinical.knowledge import knowledge_dir
from assistant.errors import AssistantError

FILE = "summary_vocabulary.toml"


@dataclass(frozen=True)
class LabSpec:
    """A laboratory result or vital sign shown on the fact sheet."""

    analyte: str
    label: str
    loinc: tuple[str, ...]
    importance: int = 5
    unit: str = ""
    vital: bool = False
    low: float | None = None  # fallback interval, used only when no other range is known
    high: float | None = None


@dataclass(frozen=True)
class Diagnosis:
    """A common diagnosis: the phrases naming it, and the analytes and drugs reported with it."""

    name: str
    terms: tuple[str, ...]
    labs: tuple[str, ...]
    drugs: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    labs: tuple[LabSpec, ...]
    vitals: tuple[LabSpec, ...]
    diagnoses: tuple[Diagnosis, ...]
    drugs: frozenset[str]
    allergens: frozenset[str]
    by_loinc: dict[str, LabSpec] = field(default_factory=dict, compare=False, repr=False)

    def spec_for(self, loinc: str) -> LabSpec | None:
        return self.by_loinc.get(loinc)

    def diagnoses_in(self, text: str) -> list[Diagnosis]:
        """Vocabulary diagnoses named in the text (a problem-list entry or a generated sentence)."""
        return [d for d in self.diagnoses if any(term_in(t, text) for t in d.terms)]


def _spec(row: dict[str, Any], vital: bool) -> LabSpec:
    return LabSpec(row["analyte"], row["label"], tuple(row["loinc"]), int(row.get("importance", 5)),
                   row.get("unit", ""), vital, row.get("low"), row.get("high"))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    path = knowledge_dir() / FILE
    try:
        with path.open("rb") as f:
            doc = tomllib.load(f)
    except OSError as e:
        raise AssistantError(f"{path} cannot be read ({e.strerror}); reinstall the application") from None
    except tomllib.TOMLDecodeError as e:
        raise AssistantError(f"{path} is not valid TOML: {e}; reinstall the application") from None
    diagnoses = tuple(Diagnosis(d["name"], tuple(d["terms"]), tuple(d.get("labs", ())),
                                tuple(d.get("drugs", ()))) for d in doc.get("diagnosis", ()))
    labs = tuple(_spec(r, False) for r in doc.get("lab", ()))
    vitals = tuple(_spec(r, True) for r in doc.get("vital", ()))
    by_loinc: dict[str, LabSpec] = {}
    for spec in (*vitals, *labs):
        for code in spec.loinc:
            by_loinc.setdefault(code, spec)
    return Vocabulary(
        labs=labs,
        vitals=vitals,
        diagnoses=diagnoses,
        drugs=frozenset(n.lower() for n in doc.get("drugs", {}).get("names", ())),
        allergens=frozenset(n.lower() for n in doc.get("allergens", {}).get("names", ())),
        by_loinc=by_loinc,
    )


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """Whole-word pattern for a term; short all-capital abbreviations (AF, MI) match case-sensitively
    so that ordinary words ('af', 'mi') do not count as diagnoses."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", term.strip()) if w]
    body = r"[\s\-]+".join(words)
    flags = 0 if (term.isupper() and len(term) <= 5) else re.IGNORECASE
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", flags)


def term_in(term: str, text: str) -> bool:
    return bool(term) and term_pattern(term).search(text) is not None


# --- medication names ------------------------------------------------------------------------
_SALTS = {"hydrochloride", "sodium", "potassium", "succinate", "hydrobromide", "maleate", "tartrate",
          "besylate", "mesylate", "citrate", "acetate", "phosphate", "propionate", "bromide", "hcl",
          "fumarate", "monohydrate", "dihydrate", "calcium", "magnesium", "sulfate"}
_NOT_INGREDIENT = {"oral", "tablet", "capsule", "solution", "suspension", "injection", "injectable",
                   "metered", "dose", "inhaler", "spray", "mucosal", "topical", "cream", "ointment",
                   "patch", "transdermal", "extended", "release", "delayed", "chewable", "film",
                   "coated", "auto-injector", "prefilled", "syringe", "pen", "drug", "implant",
                   "vaginal", "ring", "system", "product", "powder", "inhalation", "nasal", "ophthalmic",
                   "otic", "rectal", "suppository", "enteric", "disintegrating", "granules", "kit",
                   "pack", "day", "hr", "actuat", "actuation", "ml", "mg", "mcg", "unt", "units", "ug"}


def ingredients(name: str) -> tuple[str, ...]:
    """Ingredient names (lower case) in an RxNorm-style medication name, with and without salt.

    'Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet' -> ('amoxicillin', 'clavulanate');
    'Warfarin Sodium 5 MG Oral Tablet' -> ('warfarin sodium', 'warfarin'); a bracketed brand name
    ('[Glucophage]') is kept too because clinicians (and models) write brand names.
    """
    out: list[str] = []
    for brand in re.findall(r"\[([^\]]+)\]", name):
        out.append(brand.strip().lower())
    name = re.sub(r"\[[^\]]*\]", " ", name)
    for part in re.split(r"\s+/\s+", name):
        words: list[str] = []
        for w in part.split():
            lw = w.lower()
            if re.fullmatch(r"nda\d+|anda\d+|bla\d+", lw) or re.fullmatch(r"[\d.,]+", lw):
                if words:
                    break  # the strength ends the ingredient name
                continue
            if lw in _NOT_INGREDIENT or "/" in lw or not re.search(r"[a-z]", lw):
                if words:
                    break
                continue
            words.append(lw)
        if not words:
            continue
        full = " ".join(words)
        out.append(full)
        stripped = [w for w in words if w not in _SALTS]
        if stripped and len(stripped) < len(words):
            out.append(" ".join(stripped))
    return tuple(dict.fromkeys(o for o in out if len(o) >= 3))


_SEMANTIC_TAG = re.compile(r"\s*\((disorder|finding|situation|procedure|morphologic abnormality|"
                           r"observable entity|regime/therapy|event|person|qualifier value)\)\s*$",
                           re.IGNORECASE)


def clean_display(text: str) -> str:
    """A SNOMED display without its semantic tag: 'Anemia (disorder)' -> 'Anemia'."""
    return _SEMANTIC_TAG.sub("", text or "").strip()


def semantic_tag(text: str) -> str:
    m = _SEMANTIC_TAG.search(text or "")
    return m.group(1).lower() if m else ""


_UNIT_WORDS = {"MG": "mg", "ML": "mL", "MCG": "mcg", "UNT": "units", "MEQ": "mEq", "ACTUAT": "actuation",
               "HR": "hr"}


def tidy_med_name(name: str) -> str:
    """RxNorm strengths in ordinary case ('25 MG/ML' -> '25 mg/mL'); the meaning is unchanged."""
    return re.sub(r"(?<![A-Za-z])(MG|ML|MCG|UNT|MEQ|ACTUAT|HR)(?![A-Za-z])",
                  lambda m: _UNIT_WORDS[m.group(1)], name)
