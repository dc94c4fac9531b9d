"""CLI: `record vitals|lab|med|allergy|problem|correct|retract PATIENT ...`: chart entry, audited."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import datetime

from assistant.cli.credentials import add_db_args, open_store
from assistant.errors import BadInputError
from assistant.records.chart_entry import Vitals
from assistant.records.entry_checks import FieldError, parse_bp, parse_number
from assistant.records.serde import to_jsonable
from assistant.services import chart_entry as svc
from assistant.store.database import Store


def _when(field: str, text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(field, f"{text!r} is not a date, e.g. 2026-03-01 or 2026-03-01T09:30") from None


def _num(field: str, text: str | None) -> float | None:
    return None if text is None else parse_number(field, text)


def _run(args: argparse.Namespace, work: Callable[[Store, str], svc.Saved]) -> int:
    with open_store(args) as store:
        pid = store.patients.resolve(args.patient)
        saved = work(store, pid)
    if args.json:
        print(json.dumps({"added": [to_jsonable(e) for e in saved.added],
                          "replaced": [to_jsonable(e) for e in saved.replaced]}, indent=1, ensure_ascii=False))
        return 0
    for e in saved.replaced:
        print(f"Updated {e.ref}")
    for e in saved.added:
        print(f"Recorded {e.ref}" + (f" (supersedes {e.supersedes})" if e.supersedes else ""))
    return 0


def _vitals(args: argparse.Namespace) -> int:
    bp = parse_bp("--bp", args.bp) if args.bp else (None, None)
    v = Vitals(bp[0], bp[1], _num("--pulse", args.pulse), _num("--resp-rate", args.resp_rate),
               _num("--temp", args.temp), _num("--spo2", args.spo2), _num("--weight", args.weight),
               _num("--height", args.height))
    taken = _when("--date", args.date)
    return _run(args, lambda s, pid: svc.record_vitals(s, pid, v, taken))


def _lab(args: argparse.Namespace) -> int:
    value, taken = parse_number("--value", args.value), _when("--date", args.date)
    return _run(args, lambda s, pid: svc.record_lab(s, pid, args.test, value, args.unit or "", taken))


def _med(args: argparse.Namespace) -> int:
    if args.action == "start":
        if not args.name:
            raise FieldError("--name", "enter the medicine to start")
        return _run(args, lambda s, pid: svc.start_medication(
            s, pid, args.name, args.dose or "", args.route or "", args.frequency or "", _when("--date", args.date)))
    if not args.entry:
        raise FieldError("--entry", "name the order (its ref from `assistant show PATIENT --json`)")
    if args.action == "change":
        return _run(args, lambda s, pid: svc.change_dose(s, pid, args.entry, args.dose or "", args.frequency))
    return _run(args, lambda s, pid: svc.stop_medication(s, pid, args.entry, args.reason or ""))


def _allergy(args: argparse.Namespace) -> int:
    if args.none:
        return _run(args, lambda s, pid: svc.record_no_known_allergies(s, pid))
    return _run(args, lambda s, pid: svc.record_allergy(
        s, pid, args.substance or "", args.reaction or "", args.criticality or "", args.verification,
        args.category))


def _problem(args: argparse.Namespace) -> int:
    if args.action == "add":
        return _run(args, lambda s, pid: svc.add_problem(s, pid, args.name or "", _when("--date", args.date)))
    if not args.entry:
        raise FieldError("--entry", "name the problem (its ref from `assistant show PATIENT --json`)")
    status = "resolved" if args.action == "resolve" else "inactive"
    return _run(args, lambda s, pid: svc.set_problem_status(s, pid, args.entry, status, _when("--date", args.date)))


# `record correct` options for a medicine, allergy or problem -> the entry field they correct.
_CORRECT_FIELDS = {"name": "name", "dose": "dose_text", "route": "route", "frequency": "frequency",
                   "substance": "substance", "reaction": "reaction", "criticality": "criticality",
                   "problem": "display"}


def _correct(args: argparse.Namespace) -> int:
    changes = {field: getattr(args, opt) for opt, field in _CORRECT_FIELDS.items()
               if getattr(args, opt) is not None}
    if (args.value is None) == (not changes):
        raise BadInputError("record correct: give --value for a result, or the fields to correct on a "
                            "medicine (--name/--dose/--route/--frequency), an allergy (--substance/"
                            "--reaction/--criticality) or a problem (--problem)")
    if args.value is not None:
        return _run(args, lambda s, pid: svc.correct(s, pid, args.entry, args.value))
    return _run(args, lambda s, pid: svc.correct_entry(s, pid, args.entry, changes))


def _retract(args: argparse.Namespace) -> int:
    return _run(args, lambda s, pid: svc.retract(s, pid, args.entry, args.reason or ""))


def _common(p: argparse.ArgumentParser) -> None:
    add_db_args(p)
    p.add_argument("patient", metavar="PATIENT", help="id, MRN or exact name")
    p.add_argument("--json", action="store_true", help="print the stored entries as JSON")


def register(sub: argparse._SubParsersAction) -> None:
    rec = sub.add_parser("record", help="enter chart data: vitals, a lab result, medicines, allergies, problems")
    kinds = rec.add_subparsers(dest="kind", metavar="KIND", required=True)

    p = kinds.add_parser("vitals", help="a set of vital signs (any of them)")
    _common(p)
    p.add_argument("--bp", metavar="SYS/DIA", help="blood pressure in mmHg, e.g. 128/82")
    p.add_argument("--pulse", metavar="N", help="per minute")
    p.add_argument("--resp-rate", metavar="N", help="breaths per minute")
    p.add_argument("--temp", metavar="C", help="°C")
    p.add_argument("--spo2", metavar="PCT", help="%%")
    p.add_argument("--weight", metavar="KG")
    p.add_argument("--height", metavar="CM")
    p.add_argument("--date", metavar="WHEN", help="when taken (ISO date/time; default now)")
    p.set_defaults(func=_vitals)

    p = kinds.add_parser("lab", help="a laboratory result from the test list (loinc_map.csv)")
    _common(p)
    p.add_argument("--test", required=True, help="e.g. potassium, hba1c, or a LOINC code")
    p.add_argument("--value", required=True)
    p.add_argument("--unit", help="default: the test's own unit")
    p.add_argument("--date", metavar="WHEN", help="when the sample was taken (default now)")
    p.set_defaults(func=_lab)

    p = kinds.add_parser("med", help="start, change the dose of, or stop a medicine")
    p.add_argument("action", choices=("start", "change", "stop"))
    _common(p)
    p.add_argument("--name", help="start: the medicine")
    p.add_argument("--dose", help="start/change: e.g. '500 mg'")
    p.add_argument("--route")
    p.add_argument("--frequency", help="e.g. 'twice daily'")
    p.add_argument("--entry", metavar="REF", help="change/stop: the order, e.g. MedicationRequest/ID")
    p.add_argument("--reason", help="stop: why")
    p.add_argument("--date", metavar="WHEN", help="start: when started (default now)")
    p.set_defaults(func=_med)

    p = kinds.add_parser("allergy", help="an allergy, or --none for 'no known allergies'")
    _common(p)
    p.add_argument("--substance")
    p.add_argument("--reaction")
    p.add_argument("--criticality", choices=("low", "high", "unable-to-assess"))
    p.add_argument("--verification", choices=("unconfirmed", "confirmed", "refuted"), default="confirmed")
    p.add_argument("--category", choices=("medication", "food", "environment", "biologic"), default="medication")
    p.add_argument("--none", action="store_true", help="record 'no known allergies'")
    p.set_defaults(func=_allergy)

    p = kinds.add_parser("problem", help="add a problem, resolve it or mark it inactive")
    p.add_argument("action", choices=("add", "resolve", "inactive"))
    _common(p)
    p.add_argument("--name", help="add: the problem")
    p.add_argument("--entry", metavar="REF", help="resolve/inactive: e.g. Condition/ID")
    p.add_argument("--date", metavar="WHEN", help="add: onset; resolve: when (default now)")
    p.set_defaults(func=_problem)

    p = kinds.add_parser("correct", help="correct a value: the old one stays, marked entered-in-error")
    _common(p)
    p.add_argument("entry", metavar="ENTRY", help="e.g. Observation/ID")
    p.add_argument("--value", help="a result: the right value (a pressure as 128/82)")
    for opt in _CORRECT_FIELDS:
        p.add_argument(f"--{opt}", help=f"a medicine, allergy or problem: the right {opt}")
    p.set_defaults(func=_correct)

    p = kinds.add_parser("retract", help="mark an entry entered-in-error (kept, never used)")
    _common(p)
    p.add_argument("entry", metavar="ENTRY")
    p.add_argument("--reason", help="why it was wrong (kept in the audit row)")
    p.set_defaults(func=_retract)
