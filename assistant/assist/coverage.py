"""What a summary mentions of the active allergies, active problems and current medications (and names
what it leaves out); and the template sentences that complete a model's draft so that nothing is left out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .deterministic import _join, allergy_list, problem_sentences, short_med
from .facts import Fact, FactSheet
from .verify import DETERMINISTIC, UNVERIFIED, Sentence
from .vocabulary import ingredients, term_in, vocabulary


def _shown(sentences: Iterable[Sentence]) -> str:
    # Only checked text counts: a marked (unverified) sentence does not cover anything.
    return "\n".join(s.text for s in sentences if s.status != UNVERIFIED)


def problem_mentioned(problem: Fact, text: str) -> bool:
    name = problem.detail.get("name", "")
    if name and term_in(name, text):
        return True
    return any(term_in(t, text) for d in vocabulary().diagnoses_in(name) for t in d.terms)


def allergy_mentioned(allergy: Fact, text: str) -> bool:
    substance = allergy.detail.get("substance", "")
    if not substance or substance.lower().startswith("no known"):
        return True  # "none recorded" and the statement "no known allergies" name nothing to mention
    return term_in(substance, text) or any(term_in(w, text) for w in substance.split() if len(w) > 4)


def medication_mentioned(med: Fact, text: str) -> bool:
    return any(term_in(i, text) for i in ingredients(med.detail.get("name", "")))


def coverage(sheet: FactSheet, sentences: Sequence[Sentence]) -> dict[str, tuple[int, int]]:
    """(mentioned, total) for active problems, current medications and allergies of a sheet."""
    text = _shown(sentences)
    problems = sheet.section("problem")
    meds = sheet.section("medication")
    allergies = [a for a in sheet.section("allergy") if a.detail]
    return {
        "problems": (sum(problem_mentioned(p, text) for p in problems), len(problems)),
        "medications": (sum(medication_mentioned(m, text) for m in meds), len(meds)),
        "allergies": (sum(allergy_mentioned(a, text) for a in allergies), len(allergies)),
    }


@dataclass(frozen=True)
class Covered:
    """One kind of item (allergies, problems, medications) of a record: how many the summary
    mentions, how many there are, and the names of those it leaves out."""

    kind: str
    found: int
    total: int
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"found": self.found, "total": self.total, "missing": list(self.missing)}


def coverage_detail(sheet: FactSheet, sentences: Sequence[Sentence]) -> tuple[Covered, ...]:
    """Active allergies, active problems and current medications of the sheet, each checked against
    the text shown as checked or built from the record; the missing ones by name."""
    text = _shown(sentences)
    kinds = (
        ("allergies", [a for a in sheet.section("allergy") if a.detail.get("substance")], allergy_mentioned,
         "substance"),
        ("problems", list(sheet.section("problem")), problem_mentioned, "name"),
        ("medications", list(sheet.section("medication")), medication_mentioned, "name"),
    )
    out = []
    for kind, items, mentioned, key in kinds:
        missing = tuple(str(f.detail.get(key) or f.text) for f in items if not mentioned(f, text))
        out.append(Covered(kind, len(items) - len(missing), len(items), missing))
    return tuple(out)


def completion_sentences(sheet: FactSheet, sentences: Sequence[Sentence]) -> list[Sentence]:
    """Deterministic sentences for the allergies and active problems the draft does not state
    (`sentences` starts with the synopsis)."""
    text = _shown(sentences)
    out: list[Sentence] = []
    missing_allergies = [a for a in sheet.section("allergy") if a.detail and not allergy_mentioned(a, text)]
    if missing_allergies:
        ids = tuple(a.id for a in missing_allergies)
        out.append(Sentence(f"Allergies: {allergy_list(missing_allergies)}.", sheet.refs_for(ids), ids,
                            DETERMINISTIC))
    # A problem named only in the synopsis still gets its own sentence with values and medicines.
    body = _shown(sentences[1:])
    missing = {p.id for p in sheet.section("problem") if not problem_mentioned(p, body)}
    if missing:
        out += problem_sentences(sheet, only=missing)[0]
    done = body + "\n" + "\n".join(s.text for s in out)
    meds = [m for m in sheet.section("medication") if not medication_mentioned(m, done)]
    if meds:
        ids = tuple(m.id for m in meds)
        out.append(Sentence(f"Other current medications: {_join([short_med(m.detail['name']) for m in meds])}.",
                            sheet.refs_for(ids), ids, DETERMINISTIC))
    return out
