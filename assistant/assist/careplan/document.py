"""Care-plan document model: frozen dataclasses with a lossless dict form for storage and `--json`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

SCHEMA_VERSION = 1

# Section keys in display order, with their default titles. The GUI and the PDF render sections in
# this order; a document may omit empty ones, but never uses a key outside this list.
SECTION_TITLES: dict[str, str] = {
    "problems": "Problems addressed",
    "flags": "Safety issues to resolve",
    "goals": "Goals",
    "interventions": "Interventions",
    "medications": "Medications",
    "monitoring": "Monitoring",
    "followup": "Follow-up",
    "rationale": "Rationale",
    "patient": "Your care plan (for the patient)",
}
SECTION_KEYS: tuple[str, ...] = tuple(SECTION_TITLES)

ITEM_KINDS = ("problem", "flag", "goal", "intervention", "medication", "monitoring", "education",
              "followup", "rationale", "text")
# verified: model text that passed the verifier; unverified: model text the verifier questioned;
# deterministic: built from the record and the templates; edited: changed by the clinician.
ITEM_STATUSES = ("verified", "unverified", "deterministic", "edited")
SOURCES = ("model", "deterministic")


@dataclass(frozen=True)
class Item:
    """One line of a plan. `citations` are record entry refs ('Observation/<id>'), the targets a
    reader can open; `fact_ids` are the fact-sheet lines ('F7') the text was built from."""

    text: str
    kind: str = "text"
    status: str = "deterministic"
    citations: tuple[str, ...] = ()
    fact_ids: tuple[str, ...] = ()
    target: str = ""  # e.g. "< 7.0 %"
    latest: str = ""  # e.g. "8.9 % on 2026-09-12"
    interval: str = ""  # e.g. "every 3 months"
    key: str = ""  # stable id within the plan, e.g. "goal:hba1c", for edits and FHIR activities
    conditions: tuple[str, ...] = ()  # template concepts this item comes from, e.g. ("t2dm",)
    source: str = ""  # guideline (or flag reference) behind the item, e.g. "ADA Standards of Care 2025"
    loinc: str = ""  # the measure of a goal or monitoring item
    state: str = ""  # deterministic assessment: at-target, above-target, below-target, missing, due, overdue, up-to-date
    issues: tuple[str, ...] = ()  # what the verifier could not find in the record
    due: str = ""  # next due date (ISO) when the clinician set one; the text states it too

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "kind": self.kind, "status": self.status,
                               "citations": list(self.citations), "fact_ids": list(self.fact_ids)}
        for name in ("target", "latest", "interval", "due", "key", "source", "loinc", "state"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.conditions:
            out["conditions"] = list(self.conditions)
        if self.issues:
            out["issues"] = list(self.issues)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Item:
        return cls(text=str(d.get("text", "")), kind=d.get("kind", "text"),
                   status=d.get("status", "deterministic"),
                   citations=tuple(d.get("citations", ())), fact_ids=tuple(d.get("fact_ids", ())),
                   target=d.get("target", ""), latest=d.get("latest", ""),
                   interval=d.get("interval", ""), due=d.get("due", ""), key=d.get("key", ""),
                   conditions=tuple(d.get("conditions", ())), source=d.get("source", ""),
                   loinc=d.get("loinc", ""), state=d.get("state", ""),
                   issues=tuple(d.get("issues", ())))


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "items": [i.to_dict() for i in self.items]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Section:
        key = d["key"]
        return cls(key=key, title=d.get("title") or SECTION_TITLES.get(key, key),
                   items=tuple(Item.from_dict(i) for i in d.get("items", ())))


@dataclass(frozen=True)
class ConditionCoverage:
    """A condition the plan covers and the guideline its template follows."""

    concept: str  # template id, e.g. "t2dm"
    title: str  # e.g. "Type 2 diabetes mellitus"
    guideline: str  # short name, e.g. "ADA Standards of Care in Diabetes"
    year: int
    citation: str = ""  # full reference
    refs: tuple[str, ...] = ()  # the Condition entries that matched

    def to_dict(self) -> dict[str, Any]:
        return {"concept": self.concept, "title": self.title, "guideline": self.guideline,
                "year": self.year, "citation": self.citation, "refs": list(self.refs)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ConditionCoverage:
        return cls(concept=d["concept"], title=d.get("title", ""), guideline=d.get("guideline", ""),
                   year=int(d.get("year", 0)), citation=d.get("citation", ""),
                   refs=tuple(d.get("refs", ())))


@dataclass(frozen=True)
class CarePlanDocument:
    """A drafted (or edited) care plan. Storage state (draft/signed, version) lives in the store's
    StoredDocument; this is its `data`."""

    patient_id: str
    title: str
    created: str  # ISO 8601, UTC
    source: str = "deterministic"  # "model" when a model wrote the rationale / patient sections
    model: str = ""  # model pack "name version", or ""
    sections: tuple[Section, ...] = ()
    conditions: tuple[ConditionCoverage, ...] = ()
    as_of: str = ""  # the date values were judged against (ISO date)
    warnings: tuple[str, ...] = ()  # e.g. "model unavailable: deterministic text"
    # Model sentences left out because the record does not support them: kept with the plan so
    # that they can be looked at (and counted), never part of its content, its PDF or a signature.
    dropped: tuple[Item, ...] = ()
    knowledge_version: str = ""  # the knowledge pack the plan was drafted with; kept when signed

    # --- look-ups -------------------------------------------------------------------------------
    def section(self, key: str) -> Section | None:
        for s in self.sections:
            if s.key == key:
                return s
        return None

    def items(self, key: str | None = None) -> tuple[Item, ...]:
        """Items of one section, or of all sections in order."""
        if key is not None:
            s = self.section(key)
            return s.items if s else ()
        return tuple(i for s in self.sections for i in s.items)

    def citations(self) -> tuple[str, ...]:
        """Every record entry the plan cites, first-cited first, without repeats."""
        seen: dict[str, None] = {}
        for item in self.items():
            for ref in item.citations:
                seen.setdefault(ref, None)
        return tuple(seen)

    def with_section(self, section: Section) -> CarePlanDocument:
        """A copy with `section` replacing the one of the same key (or added in canonical order)."""
        by_key = {s.key: s for s in self.sections}
        by_key[section.key] = section
        order = [k for k in SECTION_KEYS if k in by_key] + [k for k in by_key if k not in SECTION_TITLES]
        return replace(self, sections=tuple(by_key[k] for k in order))

    # --- (de)serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, "kind": "careplan", "patient_id": self.patient_id,
                "title": self.title, "created": self.created, "source": self.source,
                "model": self.model, "as_of": self.as_of,
                "conditions": [c.to_dict() for c in self.conditions],
                "sections": [s.to_dict() for s in self.sections],
                "warnings": list(self.warnings), "dropped": [i.to_dict() for i in self.dropped],
                # Only when set: plans signed before packs existed keep their exact signed bytes.
                **({"knowledge_version": self.knowledge_version} if self.knowledge_version else {})}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CarePlanDocument:
        return cls(patient_id=d["patient_id"], title=d.get("title", "Care plan"),
                   created=d.get("created", ""), source=d.get("source", "deterministic"),
                   model=d.get("model", ""),
                   sections=tuple(Section.from_dict(s) for s in d.get("sections", ())),
                   conditions=tuple(ConditionCoverage.from_dict(c) for c in d.get("conditions", ())),
                   as_of=d.get("as_of", ""), warnings=tuple(d.get("warnings", ())),
                   dropped=tuple(Item.from_dict(i) for i in d.get("dropped", ())),
                   knowledge_version=d.get("knowledge_version", ""))


def _content(item: Item) -> tuple[str, str, str, str]:
    """What the clinician edits: the text and its timing and target fields."""
    return item.text, item.target, item.interval, item.due


def mark_edits(before: CarePlanDocument, after: CarePlanDocument) -> CarePlanDocument:
    """`after` with every item whose text, target or timing differs from `before` (matched by key, else by position
    within its section) marked "edited", so a reader can tell the clinician's words from drafted ones;
    unchanged items keep their stored status."""
    new_sections = []
    for sec in after.sections:
        old = before.section(sec.key)
        old_items = old.items if old else ()
        old_by_key = {i.key: i for i in old_items if i.key}
        items = []
        for n, item in enumerate(sec.items):
            prev = old_by_key.get(item.key) if item.key else (old_items[n] if n < len(old_items) else None)
            if prev is None or _content(prev) != _content(item):
                # The verifier's findings were about the old text; they no longer apply.
                item = replace(item, status="edited", issues=())
            elif item.status != prev.status:
                # Unchanged text keeps the status it had: a status is earned by checking or by
                # typing, never declared by whoever sends the plan (an "unverified" relabelled).
                item = replace(item, status=prev.status, issues=prev.issues)
            items.append(item)
        new_sections.append(replace(sec, items=tuple(items)))
    return replace(after, sections=tuple(new_sections))


__all__ = ["CarePlanDocument", "ConditionCoverage", "Item", "Section", "SECTION_KEYS", "SECTION_TITLES",
           "ITEM_KINDS", "ITEM_STATUSES", "SOURCES", "SCHEMA_VERSION", "mark_edits"]
