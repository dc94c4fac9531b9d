"""Evaluation over a folder of FHIR bundles: unsupported items before and after verification,
coverage of problems, medications and allergies, and seconds per patient (summary and care plan)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord

from .coverage import coverage
from .facts import anchor_time, build_fact_sheet
from .generation import evaluate_risk
from .summary import generate_summary
from .verify import UNVERIFIED, Sentence, verify_sentence

log = logging.getLogger(__name__)


@dataclass
class PatientResult:
    """One record's numbers. `patient` is the FHIR id (never a name)."""

    patient: str
    source: str
    sentences: int = 0
    items_checked: int = 0
    unsupported_before: int = 0  # in everything the model wrote, before marking or dropping
    unsupported_shown_as_fact: int = 0  # in sentences shown without a mark: must be 0
    numbers_checked: int = 0  # numbers only: what the decoding constraint can act on
    unsupported_numbers_before: int = 0
    unverified_sentences: int = 0
    problems: tuple[int, int] = (0, 0)
    medications: tuple[int, int] = (0, 0)
    allergies: tuple[int, int] = (0, 0)
    summary_s: float = 0.0
    ttft_s: float = 0.0
    tokens_per_s: float = 0.0
    careplan_s: float | None = None
    careplan_unverified: int = 0
    careplan_unsupported_shown: int = 0
    error: str = ""


@dataclass
class EvalReport:
    folder: str
    patients: list[PatientResult] = field(default_factory=list)

    def overall(self) -> dict[str, Any]:
        ok = [p for p in self.patients if not p.error]

        def share(attr: str) -> float | None:
            found = sum(getattr(p, attr)[0] for p in ok)
            total = sum(getattr(p, attr)[1] for p in ok)
            return round(found / total, 4) if total else None

        checked = sum(p.items_checked for p in ok)
        times = sorted(p.summary_s for p in ok)
        plan = [p.careplan_s for p in ok if p.careplan_s is not None]
        return {
            "patients": len(ok), "errors": len(self.patients) - len(ok),
            "items_checked": checked,
            "unsupported_before": sum(p.unsupported_before for p in ok),
            "unsupported_rate_before": round(sum(p.unsupported_before for p in ok) / checked, 4) if checked else 0.0,
            "numbers_checked": sum(p.numbers_checked for p in ok),
            "unsupported_numbers_before": sum(p.unsupported_numbers_before for p in ok),
            "unsupported_shown_as_fact": sum(p.unsupported_shown_as_fact + p.careplan_unsupported_shown for p in ok),
            "unverified_sentences": sum(p.unverified_sentences for p in ok),
            "coverage_problems": share("problems"), "coverage_medications": share("medications"),
            "coverage_allergies": share("allergies"),
            "summary_s_mean": round(sum(times) / len(times), 3) if times else 0.0,
            "summary_s_max": round(times[-1], 3) if times else 0.0,
            "careplan_s_mean": round(sum(plan) / len(plan), 3) if plan else None,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "overall": self.overall(), "patients": [asdict(p) for p in self.patients]}


def iter_records(folder: Path) -> Iterator[tuple[Path, PatientRecord]]:
    """Each bundle with a patient in it (files of only organisations or practitioners are skipped)."""
    for path in sorted(folder.glob("*.json")):
        parsed = parse_file(path)
        if parsed.patients:
            yield path, PatientRecord.build(parsed.patients[0], parsed.entries)


def _is_note(sheet: Any, fact_id: str) -> bool:
    fact = sheet.fact(fact_id)
    return fact is not None and fact.section == "note"


def shown_unsupported(sentences: tuple[Sentence, ...], sheet: Any) -> int:
    """Unsupported items in what is shown as fact (verified or template sentences), re-checked
    independently against the facts each sentence cites. By design this is 0."""
    bad = 0
    for s in sentences:
        if s.status == UNVERIFIED:
            continue
        if s.status == "deterministic" and all(i.startswith("F") and _is_note(sheet, i) for i in s.fact_ids):
            continue  # the latest note's own lines, quoted: the record says it, whatever it names
        cited = "".join(f"[{i}]" for i in s.fact_ids)
        bad += len(verify_sentence(s.text + cited, sheet).unsupported)
    return bad


def evaluate_record(record: PatientRecord, engine: Any | None, *, use_model: bool = True,
                    constrain_numbers: bool = True, with_careplan: bool = True) -> PatientResult:
    as_of = anchor_time(record)  # the chart's own 'now', so that old sample records have flags
    risk = evaluate_risk(record, as_of)
    summary = generate_summary(record, risk, engine, use_model=use_model, unverified="mark",
                               constrain_numbers=constrain_numbers, as_of=as_of)
    shown = summary.all_sentences
    model_written = [s for s in (*shown, *summary.dropped) if s.status != "deterministic"]
    full = build_fact_sheet(record, risk, as_of=as_of)
    cov = coverage(full, shown)
    result = PatientResult(
        record.patient.id, summary.source, len(shown),
        items_checked=sum(s.checked for s in model_written),
        unsupported_before=sum(len(s.unsupported) for s in model_written),
        numbers_checked=sum(s.checked_kinds.count("number") for s in model_written),
        unsupported_numbers_before=sum(s.unsupported_kinds.count("number") for s in model_written),
        unsupported_shown_as_fact=shown_unsupported(shown, summary.facts),
        unverified_sentences=sum(s.status == UNVERIFIED for s in shown),
        problems=cov["problems"], medications=cov["medications"], allergies=cov["allergies"],
        summary_s=float(summary.timing.get("total_s", 0.0)), ttft_s=float(summary.timing.get("ttft_s", 0.0)),
        tokens_per_s=float(summary.timing.get("tokens_per_s", 0.0)))
    if with_careplan:
        _careplan(result, record, risk, engine, use_model, as_of)
    return result


def _careplan(result: PatientResult, record: PatientRecord, risk: Any, engine: Any, use_model: bool,
              as_of: Any) -> None:
    from assistant.assist.careplan.drafting import draft_careplan

    start = time.perf_counter()
    doc = draft_careplan(record, risk, engine, use_model=use_model, as_of=as_of)
    result.careplan_s = time.perf_counter() - start
    items = [i for s in doc.sections for i in s.items]
    result.careplan_unverified = sum(i.status == UNVERIFIED for i in items)
    # An item shown without a mark must have no open issues.
    result.careplan_unsupported_shown = sum(len(i.issues) for i in items if i.status != UNVERIFIED)


def evaluate_folder(folder: Path, engine: Any | None = None, *, use_model: bool = True,
                    constrain_numbers: bool = True, with_careplan: bool = True, limit: int | None = None,
                    progress: Callable[[PatientResult], None] | None = None) -> EvalReport:
    report = EvalReport(str(folder))
    for n, (path, record) in enumerate(iter_records(folder)):
        if limit is not None and n >= limit:
            break
        try:
            result = evaluate_record(record, engine, use_model=use_model, constrain_numbers=constrain_numbers,
                                     with_careplan=with_careplan)
        except Exception as e:  # one bad record must not hide the numbers of the others
            log.warning("evaluation of %s failed: %s", path.name, type(e).__name__)
            result = PatientResult(record.patient.id, "", error=type(e).__name__)
        report.patients.append(result)
        if progress:
            progress(result)
    return report


def format_report(report: EvalReport) -> str:
    o = report.overall()

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{100 * v:.1f} %"

    lines = [f"{'patient':38} {'src':5} {'sent':>4} {'items':>5} {'unsup':>5} {'shown':>5} "
             f"{'probl':>7} {'meds':>7} {'allerg':>7} {'sum s':>6} {'plan s':>6}"]
    for p in report.patients:
        if p.error:
            lines.append(f"{p.patient:38} ERROR {p.error}")
            continue
        plan = f"{p.careplan_s:6.2f}" if p.careplan_s is not None else "     -"
        lines.append(f"{p.patient:38} {p.source[:5]:5} {p.sentences:4d} {p.items_checked:5d} "
                     f"{p.unsupported_before:5d} {p.unsupported_shown_as_fact:5d} "
                     f"{p.problems[0]:3d}/{p.problems[1]:<3d} {p.medications[0]:3d}/{p.medications[1]:<3d} "
                     f"{p.allergies[0]:3d}/{p.allergies[1]:<3d} {p.summary_s:6.2f} {plan}")
    lines += [
        "",
        f"patients: {o['patients']} (errors: {o['errors']})",
        f"model items checked: {o['items_checked']}; unsupported before verification: {o['unsupported_before']} "
        f"({pct(o['unsupported_rate_before'])})",
        f"numbers written: {o['numbers_checked']}, unsupported: {o['unsupported_numbers_before']}",
        f"unsupported shown as fact after verification: {o['unsupported_shown_as_fact']} (target 0); "
        f"sentences shown marked unverified: {o['unverified_sentences']}",
        f"coverage: active problems {pct(o['coverage_problems'])} (target >= 90 %), current medications "
        f"{pct(o['coverage_medications'])}, allergies {pct(o['coverage_allergies'])} (target 100 %)",
        f"summary seconds per patient: mean {o['summary_s_mean']:.2f}, max {o['summary_s_max']:.2f} (target < 10)"
        + (f"; care plan mean {o['careplan_s_mean']:.2f}" if o["careplan_s_mean"] is not None else ""),
    ]
    return "\n".join(lines)
