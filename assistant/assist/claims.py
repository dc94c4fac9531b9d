"""Checkable items in a sentence: numbers (with units), dates, drugs, allergies and diagnoses."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.clinical.knowledge import register_cache
from assistant.clinical.units import prose_units

from .vocabulary import Diagnosis, ingredients, term_in, term_pattern, vocabulary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """One item to check. `words` is how it was written; `key` its normalised form:
    number -> (value, unit, analyte); date -> tuple of (y, m, d) readings with 0 for unknown parts;
    drug / allergy / diagnosis -> the canonical name."""

    kind: str
    words: str
    key: object
    start: int = 0


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MON = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_PATTERNS = (
    ("ymd", re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")),
    ("xy", re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")),
    ("dmy", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON},?\s+(\d{{4}})\b", re.IGNORECASE)),
    ("mdy", re.compile(rf"\b{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)),
    ("my", re.compile(rf"\b{_MON},?\s+(\d{{4}})\b", re.IGNORECASE)),
    ("dm", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}(?!\w)", re.IGNORECASE)),
    ("y", re.compile(r"(?<![\d.,/-])(19[0-9]{2}|20[0-9]{2})(?![\d/]|[.,]\d|\s*(?:mg|mcg|g|ml|kg|%|units?)\b)",
                     re.IGNORECASE)),
)


def _month(text: str) -> int:
    return _MONTHS.get(text[:3].lower(), 0)


def _valid(y: int, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 0 <= d <= 31 if m else d == 0


def _readings(kind: str, g: tuple[str, ...]) -> tuple[tuple[int, int, int], ...]:
    if kind == "ymd":
        out = [(int(g[0]), int(g[1]), int(g[2]))]
    elif kind == "xy":  # 03/04/2020 is read both ways: the check passes only if the record agrees
        a, b, y = int(g[0]), int(g[1]), int(g[2])
        out = [(y, a, b), (y, b, a)]
    elif kind == "dmy":
        out = [(int(g[2]), _month(g[1]), int(g[0]))]
    elif kind == "mdy":
        out = [(int(g[2]), _month(g[0]), int(g[1]))]
    elif kind == "my":
        out = [(int(g[1]), _month(g[0]), 0)]
    elif kind == "dm":
        out = [(0, _month(g[1]), int(g[0]))]
    else:
        out = [(int(g[0]), 0, 0)]
    return tuple(r for r in out if _valid(*r))


def find_dates(text: str) -> tuple[list[Claim], str]:
    """Dates in the text, and the text with them blanked so their digits are not read as numbers."""
    found: list[Claim] = []
    chars = list(text)
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer("".join(chars)):
            readings = _readings(kind, m.groups())
            if not readings:
                continue
            found.append(Claim("date", m.group(0), readings, m.start()))
            chars[m.start():m.end()] = " " * (m.end() - m.start())
    return found, "".join(chars)


def date_matches(claim: tuple[tuple[int, int, int], ...], fact: tuple[tuple[int, int, int], ...]) -> bool:
    """A written date matches a fact date when every part it states agrees (a year alone matches
    any date of that year; '18 November' matches any year)."""
    for y, m, d in claim:
        for fy, fm, fd in fact:
            if (not y or y == fy) and (not m or m == fm) and (not d or d == fd):
                return True
    return False


@register_cache
@lru_cache(maxsize=1)
def _number_re() -> re.Pattern[str]:
    """A number, an optional qualifier before it and an optional unit after it. The units are the
    prose spellings of the unit table (units.csv); anything else after a number is not a unit."""
    units = "|".join(sorted((re.escape(u) for u in prose_units()), key=len, reverse=True))
    return re.compile(
        rf"(?<![\w.])(?:(type|stage|grade|class|gold|nyha|g)\s*)?(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)"
        rf"(?:\s?({units})(?![a-zA-Z]))?", re.IGNORECASE)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_ROMAN_RE = re.compile(r"\b(type|stage|class|grade)\s+(i{1,3}|iv|v)\b", re.IGNORECASE)


def find_numbers(text: str) -> list[Claim]:
    """Numbers with their unit (if any) and the analyte named just before them (if any).
    A qualifier word makes part of the unit: 'type 2', 'stage 3' must agree with the record."""
    out: list[Claim] = []
    for m in _ROMAN_RE.finditer(text):
        out.append(Claim("number", m.group(0), (float(_ROMAN[m.group(2).lower()]), m.group(1).lower(), ""),
                         m.start()))
    for m in _number_re().finditer(text):
        qualifier, digits, unit = m.group(1), m.group(2), m.group(3)
        value = float(digits.replace(",", ""))
        if qualifier:
            canon = "stage" if qualifier.lower() == "g" else qualifier.lower()
        else:
            canon = prose_units().get((unit or "").lower(), "")
        out.append(Claim("number", m.group(0).strip(), (value, canon, analyte_before(text, m.start())),
                         m.start()))
    return sorted(out, key=lambda c: c.start)


# Analyte names (and common abbreviations) whose value follows them: 'potassium 6.1', 'K 6.1'.
_ANALYTES = {
    "potassium": "potassium", "k": "potassium", "k+": "potassium", "sodium": "sodium", "na": "sodium",
    "creatinine": "creatinine", "egfr": "egfr", "gfr": "egfr", "hba1c": "hba1c", "a1c": "hba1c",
    "glycated hemoglobin": "hba1c", "hemoglobin": "hemoglobin", "haemoglobin": "hemoglobin",
    "hb": "hemoglobin", "hgb": "hemoglobin", "inr": "inr", "platelets": "platelets",
    "platelet count": "platelets", "wbc": "wbc", "white cell count": "wbc", "white blood cell count": "wbc",
    "glucose": "glucose", "ldl": "ldl", "ldl cholesterol": "ldl", "hdl": "hdl", "triglycerides": "triglycerides",
    "cholesterol": "total_cholesterol", "nt-probnp": "ntprobnp", "bnp": "bnp", "tsh": "tsh", "lvef": "lvef",
    "ejection fraction": "lvef", "ef": "lvef", "urea nitrogen": "bun", "bun": "bun", "calcium": "calcium",
    "albumin": "albumin", "bilirubin": "bilirubin", "alt": "alt", "ast": "ast",
    "blood pressure": "bp", "bp": "bp", "heart rate": "heart_rate", "hr": "heart_rate", "pulse": "heart_rate",
    "respiratory rate": "respiratory_rate", "rr": "respiratory_rate", "spo2": "spo2",
    "oxygen saturation": "spo2", "saturation": "spo2", "sats": "spo2", "temperature": "temperature",
    "temp": "temperature", "weight": "weight", "bmi": "bmi", "body mass index": "bmi",
    "urine albumin/creatinine": "uacr", "acr": "uacr", "uacr": "uacr", "albumin/creatinine": "uacr",
}
_ANALYTE_RE = re.compile(r"(?<![\w-])(" + "|".join(sorted((re.escape(a) for a in _ANALYTES), key=len, reverse=True))
                         + r")(?![\w-])", re.IGNORECASE)
_CASE_SENSITIVE = {"k", "na", "hb", "hr", "rr", "ef", "alt", "ast", "bp", "k+"}


def _analyte_mentions(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _ANALYTE_RE.finditer(text):
        word = m.group(1)
        if word.lower() in _CASE_SENSITIVE and not word.isupper() and word.lower() not in ("hb", "k+"):
            continue  # 'hr' in prose, 'ef' in a word: only the capitalised abbreviation names an analyte
        out.append((m.start(), m.end(), _ANALYTES[word.lower()]))
    return out


def analyte_before(text: str, pos: int) -> str:
    """The analyte named within a few words before a number, with no other number in between."""
    best = ""
    for _start, end, name in _analyte_mentions(text[max(0, pos - 40):pos]):
        gap = text[max(0, pos - 40) + end:pos]
        if not re.search(r"\d", gap) and not re.search(r"[;.]\s", gap):
            best = name
    return best


# --- vocabulary terms -----------------------------------------------------------------------
def _knowledge_rows(name: str) -> tuple[dict[str, str], ...]:
    try:
        from assistant.clinical.knowledge import read_csv

        return read_csv(name)
    except Exception as e:  # noqa: BLE001 - the shared tables extend the vocabulary; ours suffices
        log.warning("knowledge table %s unavailable to the verifier: %s", name, e)
        return ()


@lru_cache(maxsize=1)
def drug_synonyms() -> dict[str, frozenset[str]]:
    """Lower-case drug name -> every name of the same ingredient (brand names, other spellings)."""
    groups: list[set[str]] = [{n} for n in vocabulary().drugs]
    groups.append({"acetaminophen", "paracetamol", "tylenol"})
    groups.append({"albuterol", "salbutamol"})
    for row in _knowledge_rows("drug_ingredients.csv"):
        names = {row.get("ingredient", "").lower()} | {s.strip().lower() for s in
                                                       row.get("synonyms", "").split(";") if s.strip()}
        groups.append({n for n in names if n})
    out: dict[str, set[str]] = {}
    for g in groups:
        merged = set(g)
        for n in g:
            merged |= out.get(n, set())
        for n in merged:
            out[n] = merged
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def diagnoses() -> tuple[Diagnosis, ...]:
    """The vocabulary's diagnoses plus the shared condition concepts (their displays as terms)."""
    extra: dict[str, set[str]] = {}
    for row in _knowledge_rows("condition_map.csv"):
        if row.get("system") != "concept" and row.get("display"):
            extra.setdefault(row.get("concept", ""), set()).add(row["display"].lower())
    return (*vocabulary().diagnoses,
            *(Diagnosis(c, tuple(sorted(t)), (), ()) for c, t in extra.items() if c))


_ALLERGY_CONTEXT = re.compile(r"allerg|anaphyla|intoleran|hypersensitiv|reaction to", re.IGNORECASE)
_NO_ALLERGY = re.compile(r"\b(no known (drug )?allergies|nkda|nka|no (recorded |documented )?allergies|"
                         r"not allergic)\b", re.IGNORECASE)


_RISK_OF = re.compile(r"\b(risk|risks|chance|prevent|prevention|avoid)\s+(of|for)\s+(an?\s+)?$", re.IGNORECASE)
_RISK_AFTER = re.compile(r"\s+(risk|prophylaxis|prevention)\b", re.IGNORECASE)


def find_terms(text: str, extra_drugs: frozenset[str], extra_allergens: frozenset[str],
               extra_problems: frozenset[str]) -> list[Claim]:
    """Drug, allergy and diagnosis mentions. The extras come from the fact sheet itself (the
    record's medication, allergy and problem names), so record-specific names are checked too."""
    out: list[Claim] = []
    synonyms = drug_synonyms()
    for name in sorted(set(synonyms) | extra_drugs, key=len, reverse=True):
        m = term_pattern(name).search(text)
        if m and not any(c.start <= m.start() < c.start + len(c.words) for c in out):
            out.append(Claim("drug", m.group(0), name, m.start()))
    if _NO_ALLERGY.search(text):
        out.append(Claim("allergy", _NO_ALLERGY.search(text).group(0), "none", 0))  # type: ignore[union-attr]
    elif _ALLERGY_CONTEXT.search(text):
        for name in sorted(vocabulary().allergens | extra_allergens, key=len, reverse=True):
            m = term_pattern(name).search(text)
            if m and not any(c.kind == "allergy" and c.start <= m.start() < c.start + len(c.words) for c in out):
                out.append(Claim("allergy", m.group(0), name, m.start()))
    seen: set[str] = set()
    for d in diagnoses():
        for term in d.terms:
            m = term_pattern(term).search(text)
            if m and _RISK_OF.search(text[:m.start()]) or m and _RISK_AFTER.match(text[m.end():]):
                continue  # 'bleeding risk', 'risk of stroke': a risk, not a diagnosis
            if m and d.name not in seen:
                seen.add(d.name)
                out.append(Claim("diagnosis", m.group(0), d.name, m.start()))
    for problem in extra_problems:
        m = term_pattern(problem).search(text)
        if m and not vocabulary().diagnoses_in(problem):
            out.append(Claim("diagnosis", m.group(0), problem, m.start()))
    for c in unknown_terms(text):
        if not any(o.start <= c.start < o.start + len(o.words) or c.start <= o.start < c.start + len(c.words)
                   for o in out):
            out.append(c)
    return sorted(out, key=lambda c: c.start)


# Words shaped like drug or diagnosis names, and capitalised abbreviations: a closed vocabulary
# cannot know every name a model may invent ('ARDS', 'diazepam', 'cholecystitis'), so any such
# word must itself occur in the facts.
_DRUG_SHAPE = re.compile(
    r"\b[a-z]{2,}(?:pril|olol|sartan|statin|azepam|azolam|cillin|mycin|micin|floxacin|cycline|azole|"
    r"parin|xaban|gatran|gliptin|gliflozin|glutide|dronate|prazole|tidine|setron|triptan|dipine|afil|"
    r"zosin|terol|asone|olone|oxetine|triptyline|apine|idone|umab|ximab|zumab|tinib|ciclovir|navir)\b",
    re.IGNORECASE)
_DIAGNOSIS_SHAPE = re.compile(
    r"\b[a-z]{3,}(?:itis|osis|emia|aemia|pathy|oma|algia|plegia|penia|uria|ectomy|otomy|plasty)\b"
    r"|\b[a-z]+(?:[ -][a-z]+)?\s+(?:syndrome|disease|disorder|insufficiency|failure|cancer|carcinoma)\b",
    re.IGNORECASE)
_ABBREVIATION = re.compile(r"\b[A-Z][A-Z0-9]{1,5}s?\b")
_PLAIN_ABBREVIATIONS = {"I", "A", "OK", "GP", "ED", "ER", "ICU", "AM", "PM", "US", "UK", "NHS", "IV", "PO",
                        "BID", "TID", "QID", "PRN", "ID", "IDS", "NB", "DR", "MR", "MRS", "MS", "NO", "NOT"}
_COMMON_SHAPED = {"diagnosis", "prognosis", "dose", "those", "purpose", "close", "chose", "whose",
                  "suppose", "expose", "compose", "propose", "loose", "choose", "hypnosis"}


def unknown_terms(text: str) -> list[Claim]:
    out: list[Claim] = []
    for pattern in (_DRUG_SHAPE, _DIAGNOSIS_SHAPE):
        for m in pattern.finditer(text):
            if m.group(0).lower() not in _COMMON_SHAPED:
                out.append(Claim("term", m.group(0), m.group(0).lower(), m.start()))
    for m in _ABBREVIATION.finditer(text):
        word = m.group(0).rstrip("s") if m.group(0).endswith("s") and len(m.group(0)) > 2 else m.group(0)
        # Analyte names (INR, LDL, BP) are checked through the value they go with.
        if word not in _PLAIN_ABBREVIATIONS and not word.isdigit() and word.lower() not in _ANALYTES:
            out.append(Claim("term", m.group(0), word, m.start()))
    return out


def term_supported(term: str, text: str) -> bool:
    """An unknown-shaped term is supported when it occurs in the text (whole words, any case; an
    abbreviation with its case)."""
    if term.isupper():
        return re.search(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", text) is not None
    return term_in(term, text)


def diagnosis_supported(name: str, text: str) -> bool:
    # A name may be both a vocabulary diagnosis and a shared condition concept: any of their terms.
    terms = [t for d in diagnoses() if d.name == name for t in d.terms]
    return any(term_in(t, text) for t in terms) if terms else term_in(name, text)


def drug_supported(name: str, text: str) -> bool:
    names = drug_synonyms().get(name, frozenset({name}))
    return any(term_in(n, text) for n in names) or any(
        name in ingredients(chunk) for chunk in re.split(r"[;:]", text))
