"""`assistant summarize`, `assistant risk-review` and `assistant eval`: the summary jobs from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli.credentials import add_db_args, open_store
from assistant.errors import BadInputError
from assistant.services.assist import EngineChoice, choose_engine
from assistant.services.summaries import summary_for

if TYPE_CHECKING:
    from assistant.assist.result import Summary


def _engine(args: argparse.Namespace) -> EngineChoice:
    choice = choose_engine(args.model, no_model=args.no_model)
    if choice.note:  # a broken installed pack: say so, and write the record-built text
        print(f"note: {choice.note}", file=sys.stderr)
    return choice


def _unverified_setting() -> str:
    from assistant.config import load_settings

    return str(load_settings()["summary.unverified"])


def _summarize(args: argparse.Namespace) -> int:
    choice = _engine(args)
    engine = choice.engine
    with open_store(args) as store:
        pid = store.patients.resolve(args.patient)
        record = store.patients.load_record(pid)
        # The stored summary while the record, pack and setting are unchanged (audited as a reuse);
        # the flags are evaluated only when a new one is written.
        outcome = summary_for(store, record, None, engine, regenerate=args.regenerate)
        summary = outcome.summary
        if args.no_model and summary.reason == "no model pack installed":
            summary = _requested(summary)
        elif choice.note and summary.source != "model":
            summary = _requested(summary, choice.note)
        if not outcome.reused:
            unverified = sum(s.status == "unverified" for s in summary.all_sentences)
            # Counts only: the audit detail never holds chart text.
            store.audit.record("summary.generate", pid, f"source={summary.source} sentences={len(summary.all_sentences)} "
                                                        f"unverified={unverified} dropped={len(summary.dropped)}")
    if args.json:
        print(json.dumps({**summary.to_dict(), "reused": outcome.reused, "generated_at": outcome.saved_at},
                         indent=1, ensure_ascii=False))
        return 0
    # Say only what happened: record-built text, then model sentences each checked against the
    # entries it cites; never "every sentence checked" over text that was not.
    print(f"Summary: {summary.how_made()}")
    if outcome.reused:
        print(f"Stored summary generated {outcome.saved_at}; the record has not changed since "
              "(--regenerate writes a new one).")
    print(summary.text(show_dropped=args.show_unchecked, how="--show-unchecked lists them"))
    t = summary.timing
    if summary.source == "model" and not outcome.reused:
        print(f"\n{t.get('total_s', 0):.1f} s (first text {t.get('ttft_s', 0):.1f} s, "
              f"{t.get('tokens_per_s', 0):.0f} tokens/s)")
    return 0


def _requested(summary: Summary, reason: str = "deterministic summary requested") -> Summary:
    from dataclasses import replace

    return replace(summary, reason=reason)


def _risk_review(args: argparse.Namespace) -> int:
    from assistant.assist.risk_review import risk_review

    choice = _engine(args)
    engine = choice.engine
    with open_store(args) as store:
        pid = store.patients.resolve(args.patient)
        record = store.patients.load_record(pid)
        review = risk_review(record, None, engine, use_model=engine is not None, unverified=_unverified_setting())
        if choice.note:
            from dataclasses import replace

            review = replace(review, reason=choice.note)
        store.audit.record("risk.review", pid, f"flags={len(review.flags)} source={review.source}")
    if args.json:
        print(json.dumps(review.to_dict(), indent=1, ensure_ascii=False))
        return 0
    if not review.flags:
        print("No risk flags.")
    for n, f in enumerate(review.flags, start=1):
        print(f"{n}. [{f.severity}] {f.title}")
        if f.explanation:
            print(f"   {f.explanation}")
        if f.evidence:
            print(f"   evidence: {', '.join(f.evidence)}")
        if f.missing:
            print(f"   missing: {', '.join(f.missing)}")
        if f.reference:
            print(f"   source: {f.reference}")
    if review.explanation:
        print(f"\nExplanation (language model {review.model}, checked against the record):")
        for s in review.explanation:
            mark = f"  [UNVERIFIED: {', '.join(s.unsupported) or 'not traceable'}]" if s.status == "unverified" else ""
            print(f"  {s.text} [{', '.join(s.fact_ids)}]{mark}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from assistant.assist.eval_report import EvalReport, format_report
    from assistant.assist.evaluate import PatientResult, evaluate_folder
    from assistant.assist.labelled import measure_file

    folder = Path(args.folder).expanduser()
    if not folder.is_dir():
        raise BadInputError(f"{folder} is not a folder of FHIR bundles")
    labelled_path = Path(args.labelled).expanduser() if args.labelled else None
    if labelled_path is not None and not labelled_path.is_file():
        raise BadInputError(f"{labelled_path} is not a labelled set (JSON lines, see resources/eval/README.md)")
    labelled = measure_file(labelled_path)  # the checker alone: the same for every run below
    engine = _engine(args).engine
    runs = [("constrained", True), ("unconstrained", False)] if args.compare_constraint and engine else [
        ("constrained" if not args.no_constraint else "unconstrained", not args.no_constraint)]
    out: dict[str, EvalReport] = {}
    for name, constrain in runs:
        def progress(p: PatientResult) -> None:
            if not args.json:
                print(f"  {p.patient}: {p.summary_s:.2f} s", file=sys.stderr, flush=True)

        patients = evaluate_folder(folder, engine, use_model=engine is not None, constrain_numbers=constrain,
                                   with_careplan=not args.no_careplan, limit=args.limit,
                                   unverified=_unverified_setting(), progress=progress)
        out[name] = report = EvalReport(str(folder), patients, labelled)
        if not args.json:
            label = f"model {getattr(getattr(engine, 'pack', None), 'name', '')}, numbers {name}" if engine else "no model"
            print(f"\n== {folder} ({label}) ==")
            print(format_report(report))
    if args.json:
        print(json.dumps({k: v.to_dict() for k, v in out.items()}, indent=1, ensure_ascii=False))
    # Exit 1 when a target of issue 13 is missed, so that a script can gate on it.
    return 0 if all(r.all_met() for r in out.values()) else 1


def register(sub: argparse._SubParsersAction) -> None:
    def model_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", metavar="DIR", help="model pack folder (default: the installed pack)")
        p.add_argument("--no-model", action="store_true", help="deterministic text only")
        p.add_argument("--json", action="store_true")

    p = sub.add_parser("summarize", help="cited summary of a patient (model prose, verified; or deterministic)")
    add_db_args(p)
    p.add_argument("patient", metavar="PATIENT")
    model_args(p)
    p.add_argument("--show-unchecked", action="store_true",
                   help="also list the model sentences left out as not supported by the record")
    p.add_argument("--regenerate", action="store_true",
                   help="write a new summary even if the stored one still matches the record and pack")
    p.set_defaults(func=_summarize)

    p = sub.add_parser("risk-review", help="a patient's risk flags with evidence and a verified explanation")
    add_db_args(p)
    p.add_argument("patient", metavar="PATIENT")
    model_args(p)
    p.set_defaults(func=_risk_review)

    p = sub.add_parser("eval", help="evaluate summaries and care plans over a folder of FHIR bundles")
    p.add_argument("folder", metavar="DIR")
    model_args(p)
    p.add_argument("--limit", type=int, metavar="N", help="only the first N patients")
    p.add_argument("--no-careplan", action="store_true", help="summaries only")
    p.add_argument("--no-constraint", action="store_true", help="let the model write any number")
    p.add_argument("--compare-constraint", action="store_true",
                   help="run with and without the number constraint and report both")
    p.add_argument("--labelled", metavar="FILE",
                   help="labelled sentences to measure the checker on (default: resources/eval/verdicts.jsonl)")
    p.set_defaults(func=_eval)
