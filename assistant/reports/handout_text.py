"""What the patient handout and medication list say: message catalogues per language and the content."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from assistant.assist.careplan.document import CarePlanDocument
from assistant.assist.careplan.review import drop_unchecked_from_patient
from assistant.config import resources_dir
from assistant.errors import AssistantError
from assistant.records.domain import Medication
from assistant.records.record import PatientRecord

from .citations import plain_text
from .styles import fmt_date

DEFAULT_LANG = "en"
# The plan's medication item states (assist/careplan/medications.py) as the patient's action.
ACTIONS = {"on-record": "keep", "hold": "hold", "stop": "stop", "flagged": "review"}


def catalogue_dir() -> Path:
    return resources_dir() / "handout"


@lru_cache(maxsize=8)
def _load(tag: str) -> dict[str, dict[str, object]]:
    path = catalogue_dir() / f"{tag}.toml"
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise AssistantError(f"handout text {path} is missing or unreadable ({e}); reinstall the "
                             "application") from None


def languages() -> tuple[str, ...]:
    """The language tags with a catalogue, English first."""
    tags = sorted(p.stem for p in catalogue_dir().glob("*.toml"))
    return (DEFAULT_LANG, *(t for t in tags if t != DEFAULT_LANG))


def resolve_language(value: str) -> str:
    """The catalogue for a patient's language ('zh', 'Chinese', 'zh-CN', '中文'), else English."""
    want = value.strip().lower().replace("_", "-")
    if not want:
        return DEFAULT_LANG
    for tag in languages():
        meta = _load(tag).get("meta", {})
        aliases = meta.get("aliases", []) if isinstance(meta, dict) else []
        names = [str(a).lower() for a in aliases] if isinstance(aliases, list) else []
        if want == tag.lower() or want in names:
            return tag
    # "zh-TW" has no catalogue of its own and is not Simplified Chinese: it gets English, not zh-CN.
    return DEFAULT_LANG


@dataclass(frozen=True)
class Catalogue:
    """The fixed sentences of one language, falling back key by key to English."""

    lang: str

    def text(self, group: str, key: str, **values: str) -> str:
        for tag in (self.lang, DEFAULT_LANG):
            table = _load(tag).get(group, {})
            if isinstance(table, dict) and key in table:
                return str(table[key]).format(**values)
        raise AssistantError(f"handout text {group}.{key} is missing from {DEFAULT_LANG}.toml")

    def t(self, key: str, **values: str) -> str:
        return self.text("text", key, **values)

    def m(self, key: str, **values: str) -> str:
        return self.text("medlist", key, **values)


@dataclass(frozen=True)
class MedAdvice:
    """One of the patient's medicines and what to do with it (keep, hold, stop, review)."""

    name: str
    how: str
    action: str


@dataclass(frozen=True)
class Handout:
    """The content of one handout; free text from the plan and record stays in English."""

    lang: str
    name: str
    born: str
    printed: str
    about: tuple[str, ...]
    medicines: tuple[MedAdvice, ...]
    clinic: str = ""
    phone: str = ""
    draft: bool = False

    @property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.lang)

    @property
    def untranslated(self) -> bool:
        """True when English free text stands in a handout of another language."""
        return self.lang != DEFAULT_LANG and bool(self.about or self.medicines)


def how_to_take(med: Medication) -> str:
    """The dose instruction as the record gives it ('Take 1 tablet by mouth once daily')."""
    text = med.dose_text.strip() or " ".join(x for x in (med.route, med.frequency) if x)
    return text.rstrip(".") + "." if text else ""


# Some RxNorm displays start with the FDA application number ("NDA020800 0.3 ML epinephrine ..."):
# a code, not a word a patient or pharmacist reads.
_APPLICATION_NO = re.compile(r"^(?:NDA|ANDA|BLA)\d+\s+")


def medicine_name(med: Medication) -> str:
    return _APPLICATION_NO.sub("", med.name or med.code.display) or "Medicine"


def build_handout(plan: CarePlanDocument, record: PatientRecord, *, status: str = "draft",
                  clinic: str = "", phone: str = "", lang: str | None = None,
                  today: date | None = None) -> Handout:
    """The handout of a stored plan: the patient section (without unchecked model text) and the
    patient's current medicines with the plan's action for each (keep when the plan has none)."""
    plan, _ = drop_unchecked_from_patient(plan)
    about = tuple(t for t in (plain_text(i.text).strip() for i in plan.items("patient")) if t)
    by_med = {i.key.removeprefix("med:"): ACTIONS.get(i.state, "keep")
              for i in plan.items("medications") if i.key.startswith("med:")}
    meds = tuple(MedAdvice(medicine_name(m), how_to_take(m), by_med.get(m.id, "keep"))
                 for m in record.active_medications)
    p = record.patient
    tag = lang if lang is not None else resolve_language(p.language)
    return Handout(tag, p.name, fmt_date(p.birth_date) or "?", fmt_date(today or date.today()),
                   about, meds, clinic.strip(), phone.strip(), status == "draft")


def handout_lines(h: Handout) -> list[tuple[str, str]]:
    """(style, text) in reading order: what the PDF prints and what the reading level is measured on.
    Styles: title, sub, h, body, bold, note, alert, and med/how/act for
    each medicine."""
    c = h.catalogue
    out = [("title", c.t("title")), ("sub", c.t("for_whom", name=h.name, born=h.born)),
           ("sub", c.t("printed", date=h.printed))]
    if h.draft:
        out.append(("alert", c.t("draft")))
    if h.untranslated and c.t("untranslated"):
        out.append(("note", c.t("untranslated")))
    out.append(("h", c.t("medicines_heading")))
    if h.medicines:
        for med in h.medicines:
            # med / how / act come in threes: the PDF sets each medicine as one table row.
            out.append(("med", med.name))
            out.append(("how", f"{c.t('how_to_take')} {med.how}" if med.how else ""))
            out.append(("act", c.t("med_" + med.action)))
    else:
        out.append(("body", c.t("medicines_none")))
    out.append(("h", c.t("about_heading")))
    out += [("body", t) for t in h.about] or [("body", c.t("about_none"))]
    out.append(("h", c.t("call_heading")))
    out.append(("body", c.t("call_clinic", clinic=h.clinic) if h.clinic else c.t("call_clinic_unnamed")))
    out.append(("bold", c.t("call_phone", phone=h.phone) if h.phone else c.t("call_phone_blank")))
    out.append(("body", c.t("call_emergency")))
    return out


def handout_text(h: Handout) -> str:
    """The handout as plain text, one line per paragraph."""
    return "\n".join(text for _style, text in handout_lines(h) if text)


def in_language(h: Handout, lang: str) -> Handout:
    return replace(h, lang=lang)

