"""CLI: `careplan draft|show|sign|list|edit|revise|export` over the stored, versioned care plans."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.assist.careplan import drafting as cp
from assistant.assist.careplan.document import CarePlanDocument
from assistant.assist.careplan.review import unchecked_items
from assistant.cli.credentials import add_db_args, open_store, read_secret
from assistant.errors import AssistantError, BadInputError
from assistant.fileio import write_private
from assistant.services import careplans
from assistant.services.documents import audited_output

STATUS_MARK = {"verified": "", "deterministic": "", "edited": " (edited)", "unverified": " (UNVERIFIED)"}


def _engine(args: argparse.Namespace) -> Any | None:
    """The installed model pack's engine, or None (deterministic text) when there is none."""
    if args.no_model:
        return None
    from assistant.assist.generation import load_engine

    try:
        return load_engine(args.model)
    except AssistantError as e:  # a broken default pack: the plan is still drafted, and says so
        if args.model:
            raise
        print(f"note: {e.message}; drafting without a model", file=sys.stderr)
        return None


def stored_json(stored: Any, doc: CarePlanDocument) -> dict[str, Any]:
    """The documented `--json` shape: storage fields, then the plan with sections, items, citations."""
    return {"id": stored.id, "series": stored.series, "version": stored.version, "status": stored.status,
            "created": stored.created, "created_by": stored.created_by, "signed_by": stored.signed_by,
            "signed_at": stored.signed_at, "supersedes": stored.supersedes, "plan": doc.to_dict()}


def print_plan(stored: Any, doc: CarePlanDocument) -> None:
    sign = f", signed by {stored.signed_by} at {stored.signed_at}" if stored.signed_by else ""
    print(f"{doc.title}")
    print(f"plan {stored.id}  version {stored.version}  {stored.status}{sign}")
    print(f"drafted {doc.created} ({doc.source}{', ' + doc.model if doc.model else ''}), values as of {doc.as_of}")
    for c in doc.conditions:
        print(f"  {c.title}: {c.guideline} {c.year}")
    for w in doc.warnings:
        print(f"  note: {w}")
    for s in doc.sections:
        if not s.items:
            continue
        print(f"\n{s.title}")
        for item in s.items:
            print(f"  - {item.text}{STATUS_MARK.get(item.status, '')}")
            if item.citations:
                print(f"      cites: {', '.join(item.citations)}")


def _emit(args: argparse.Namespace, stored: Any, doc: CarePlanDocument) -> None:
    if args.json:
        print(json.dumps(stored_json(stored, doc), indent=1, ensure_ascii=False))
    else:
        print_plan(stored, doc)


def _read_plan(path: str) -> CarePlanDocument:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise BadInputError(f"{path}: cannot read a care plan ({e})") from None
    try:  # either `careplan show --json` output or the bare plan
        return CarePlanDocument.from_dict(data.get("plan", data))
    except (KeyError, TypeError, AttributeError) as e:
        raise BadInputError(f"{path}: not a care plan ({e})") from None


def _draft(args: argparse.Namespace) -> int:
    engine = _engine(args)
    with open_store(args) as store:
        pid = store.patients.resolve(args.patient)
        record = store.patients.load_record(pid)
        on_text = (lambda t: print(t, end="", file=sys.stderr, flush=True)) if args.stream else None
        doc = careplans.draft(record, None, engine, on_text=on_text)
        series = None
        if args.revise:
            stored_prev, _ = careplans.load(store, args.revise)
            series = stored_prev.series
        stored = careplans.save_draft(store, doc, series=series)
    _emit(args, stored, doc)
    return 0


def _show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        stored, doc = careplans.load(store, args.plan_id)
        store.audit.record("careplan.view", stored.patient_id, stored.id)
    _emit(args, stored, doc)
    return 0


def print_signing(stored: Any, doc: CarePlanDocument) -> None:
    """What a signature covers: the plan's title, version, sections with item counts, every item."""
    print(f"You are signing: {doc.title}, version {stored.version} (plan {stored.id})")
    for s in doc.sections:
        print(f"  {s.title}: {len(s.items)} item{'s' if len(s.items) != 1 else ''}")
    print_plan(stored, doc)


def _sign(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        stored, doc = careplans.load(store, args.plan_id)
        if stored.status == "draft":
            print_signing(stored, doc)
            blocking = unchecked_items(doc)
            # Nothing to confirm while the plan cannot be signed: the service refuses (and audits).
            password = "" if blocking else read_secret(args, prompt="Password to sign: ")
            print()
        else:
            password = ""
        stored = careplans.sign(store, args.plan_id, password=password)
    print(f"Signed care plan {stored.id} (version {stored.version}) as {stored.signed_by} at "
          f"{stored.signed_at}; this version is now read-only.")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        pid = store.patients.resolve(args.patient)
        rows = careplans.versions(store, pid)
        store.audit.record("careplan.list", pid, f"{len(rows)} versions")
    if args.json:
        print(json.dumps([{k: v for k, v in stored_json(d, CarePlanDocument.from_dict(d.data)).items()
                           if k != "plan"} | {"title": d.data.get("title", "")} for d in rows], indent=1))
        return 0
    for d in rows:
        print(f"{d.id}  v{d.version:<3} {d.status:10} {d.created}  {d.data.get('title', '')}")
    if not rows:
        print("no care plans for this patient", file=sys.stderr)
    return 0


def _edit(args: argparse.Namespace) -> int:
    doc = _read_plan(args.file)
    with open_store(args) as store:
        stored = careplans.edit(store, args.plan_id, doc)
    print(f"Updated draft {stored.id} (version {stored.version}).")
    return 0


def _revise(args: argparse.Namespace) -> int:
    doc = _read_plan(args.file) if args.file else None
    with open_store(args) as store:
        stored = careplans.new_version(store, args.plan_id, doc)
    print(f"New draft {stored.id} (version {stored.version}) supersedes {stored.supersedes}.")
    return 0


def _export(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        stored, doc = careplans.load(store, args.plan_id)
        resource = cp.to_fhir_careplan(doc, stored)
        text = json.dumps(resource, indent=1, ensure_ascii=False)
        with audited_output(store, "careplan.export", stored.patient_id,
                            f"{stored.id} fhir" + (" file" if args.out else " stdout")):
            if args.out:
                write_private(Path(args.out), (text + "\n").encode("utf-8"))
            else:
                print(text)
    if args.out:
        print(f"Exported care plan {stored.id} as a FHIR CarePlan to {args.out}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("careplan", help="draft, show, edit, sign and export care plans")
    csub = p.add_subparsers(dest="careplan_cmd", metavar="ACTION", required=True)

    def add(name: str, helptext: str, func: Any, json_flag: bool = False) -> argparse.ArgumentParser:
        q = csub.add_parser(name, help=helptext)
        add_db_args(q)
        if json_flag:
            q.add_argument("--json", action="store_true", help="print JSON (sections, items, citations)")
        q.set_defaults(func=func)
        return q

    q = add("draft", "draft a care plan for a patient and store it as a draft", _draft, True)
    q.add_argument("patient", metavar="PATIENT", help="patient id, MRN or exact name")
    q.add_argument("--no-model", action="store_true", help="deterministic text only, even with a model")
    q.add_argument("--model", metavar="DIR", help="model pack folder (default: the installed pack)")
    q.add_argument("--stream", action="store_true", help="show the model's text on stderr as it is written")
    q.add_argument("--revise", metavar="PLAN_ID", help="store the draft as the next version of this plan")
    q = add("show", "show a stored care plan", _show, True)
    q.add_argument("plan_id", metavar="PLAN_ID")
    q = add("sign", "show a draft and sign it, giving your password again (that version becomes "
                    "read-only)", _sign)
    q.add_argument("plan_id", metavar="PLAN_ID")
    q = add("list", "list a patient's care-plan versions", _list, True)
    q.add_argument("patient", metavar="PATIENT")
    q = add("edit", "replace a draft's content with an edited plan (JSON from `show --json`)", _edit)
    q.add_argument("plan_id", metavar="PLAN_ID")
    q.add_argument("--file", required=True, metavar="FILE")
    q = add("revise", "start a new version of a plan (a copy, or the edited FILE)", _revise)
    q.add_argument("plan_id", metavar="PLAN_ID")
    q.add_argument("--file", metavar="FILE")
    q = add("export", "export a stored care plan as a FHIR R4 CarePlan", _export)
    q.add_argument("plan_id", metavar="PLAN_ID")
    q.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
