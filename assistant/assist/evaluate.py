"""Evaluation over a folder of FHIR bundles, per patient: model sentences generated, shown as checked,
marked and dropped; ungrounded words in what is shown as checked (the independent word audit);
coverage of allergies, problems and medicines; unchecked model text in care plans; seconds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord

from .coverage import Covered, coverage_detail
from .facts import FactSheet, anchor_time, build_fact_sheet
from .generation import evaluate_risk
from .summary import generate_summary
from .verify import UNVERIFIED, VERIFIED
from .word_audit import ungrounded_words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditedSentence:
    """A model sentence shown as checked, the fact lines it cites, and the words of it that the
    word audit finds in none of them."""

    text: str
    fact_ids: tuple[str, ...]
    cited: tuple[str, ...]
    ungrounded: tuple[str, ...]


@dataclass(frozen=True)
class ModelText:
    """What the model wrote for one job (summary or care plan) of one patient. `generated` =
    `checked` (shown as checked) + `marked` (shown, marked unchecked) + `dropped` (not shown)."""

    generated: int = 0
    checked: int = 0
    marked: int = 0
    dropped: int = 0
    ungrounded_words: int = 0
    sentences: tuple[AuditedSentence, ...] = ()  # every model sentence shown as checked

    @property
    def sentences_with_ungrounded(self) -> int:
        return sum(bool(s.ungrounded) for s in self.sentences)


@dataclass(frozen=True)
class CarePlanResult:
    model: ModelText
    patient_unchecked: int  # model sentences not checked, in the patient section
    signable_unchecked: int  # model sentences not checked, anywhere in the plan a clinician signs
    seconds: float


@dataclass(frozen=True)
class PatientResult:
    """One record's numbers. `patient` is the FHIR id (never a name)."""

    patient: str
    source: str = ""  # 'model' or 'deterministic' (the summary)
    summary: ModelText = ModelText()
    coverage: tuple[Covered, ...] = ()
    careplan: CarePlanResult | None = None
    summary_s: float = 0.0
    error: str = ""

    def covered(self, kind: str) -> Covered | None:
        return next((c for c in self.coverage if c.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        d = {"patient": self.patient, "source": self.source, "error": self.error,
             "summary": _model_dict(self.summary),
             "coverage": {c.kind: c.to_dict() for c in self.coverage},
             "careplan": None, "summary_s": round(self.summary_s, 3)}
        if self.careplan is not None:
            d["careplan"] = {**_model_dict(self.careplan.model),
                             "patient_unchecked": self.careplan.patient_unchecked,
                             "signable_unchecked": self.careplan.signable_unchecked,
                             "seconds": round(self.careplan.seconds, 3)}
        return d


def _model_dict(m: ModelText) -> dict[str, Any]:
    return {"generated": m.generated, "checked": m.checked, "marked": m.marked, "dropped": m.dropped,
            "ungrounded_words": m.ungrounded_words, "sentences": [asdict(s) for s in m.sentences]}


def iter_records(folder: Path) -> Iterator[tuple[Path, PatientRecord]]:
    """Each bundle with a patient in it (files of only organisations or practitioners are skipped)."""
    for path in sorted(folder.glob("*.json")):
        parsed = parse_file(path)
        if parsed.patients:
            yield path, PatientRecord.build(parsed.patients[0], parsed.entries)


def audit(text: str, fact_ids: Iterable[str], sheet: FactSheet) -> AuditedSentence:
    """The word audit of one sentence against the sheet lines it cites (unknown ids cite nothing)."""
    ids = tuple(fact_ids)
    cited = tuple(f.text for i in ids if (f := sheet.fact(i)) is not None)
    return AuditedSentence(text, ids, cited, tuple(ungrounded_words(text, cited)))


def _model_text(statuses: list[tuple[str, str, tuple[str, ...]]], dropped: int, sheet: FactSheet) -> ModelText:
    """Counts over (text, status, fact ids) of shown sentences; only model text (verified or
    unverified) counts: built-from-record sentences are no model's."""
    shown = [(t, s, ids) for t, s, ids in statuses if s in (VERIFIED, UNVERIFIED)]
    audited = tuple(audit(t, ids, sheet) for t, s, ids in shown if s == VERIFIED)
    marked = sum(s == UNVERIFIED for _, s, _ in shown)
    return ModelText(len(shown) + dropped, len(audited), marked, dropped,
                     sum(len(a.ungrounded) for a in audited), audited)


def evaluate_record(record: PatientRecord, engine: Any | None, *, use_model: bool = True,
                    constrain_numbers: bool = True, with_careplan: bool = True, unverified: str = "mark") -> PatientResult:
    as_of = anchor_time(record)  # the chart's own 'now', so that old sample records have flags
    risk = evaluate_risk(record, as_of)
    summary = generate_summary(record, risk, engine, use_model=use_model, unverified=unverified,
                               constrain_numbers=constrain_numbers, as_of=as_of)
    shown = summary.all_sentences
    # Dropped sentences are model text by definition (only model text is checked and dropped).
    model = _model_text([(s.text, s.status, tuple(s.fact_ids)) for s in shown], len(summary.dropped),
                        summary.facts)
    full = build_fact_sheet(record, risk, as_of=as_of)
    plan = _careplan(record, risk, engine, use_model, as_of, full) if with_careplan else None
    return PatientResult(record.patient.id, summary.source, model, coverage_detail(full, shown), plan,
                         float(summary.timing.get("total_s", 0.0)))


def _careplan(record: PatientRecord, risk: Any, engine: Any, use_model: bool, as_of: Any,
              sheet: FactSheet) -> CarePlanResult:
    from assistant.assist.careplan.drafting import draft_careplan

    start = time.perf_counter()
    doc = draft_careplan(record, risk, engine, use_model=use_model, as_of=as_of)
    seconds = time.perf_counter() - start
    items = [(sec.key, i) for sec in doc.sections for i in sec.items]
    # A plan that removes unchecked model sentences may say how many it removed; today's keeps them
    # all, marked. The model's items cite the facts behind the plan lines they rest on.
    dropped = len(doc.dropped)
    model = _model_text([(i.text, i.status, tuple(i.fact_ids)) for _, i in items], dropped, sheet)
    return CarePlanResult(model, sum(k == "patient" and i.status == UNVERIFIED for k, i in items),
                          sum(i.status == UNVERIFIED for _, i in items), seconds)


def evaluate_folder(folder: Path, engine: Any | None = None, *, use_model: bool = True,
                    constrain_numbers: bool = True, with_careplan: bool = True, limit: int | None = None,
                    unverified: str = "mark",
                    progress: Callable[[PatientResult], None] | None = None) -> list[PatientResult]:
    results: list[PatientResult] = []
    for n, (path, record) in enumerate(iter_records(folder)):
        if limit is not None and n >= limit:
            break
        try:
            result = evaluate_record(record, engine, use_model=use_model, constrain_numbers=constrain_numbers,
                                     with_careplan=with_careplan, unverified=unverified)
        except Exception as e:  # one bad record must not hide the numbers of the others
            log.warning("evaluation of %s failed: %s", path.name, type(e).__name__)
            result = PatientResult(record.patient.id, error=type(e).__name__)
        results.append(result)
        if progress:
            progress(result)
    return results
