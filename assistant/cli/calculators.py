"""`assistant calc`: list the clinical calculators, describe one, or run one with --set NAME=VALUE."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from assistant.errors import BadInputError

_USAGE = "assistant calc list | show ID | ID --set NAME=VALUE ... [--json]"


def register(sub: Any) -> None:
    """Add the `calc` subcommand to the main CLI's subparsers."""
    p = sub.add_parser(
        "calc", help="clinical calculators (list, show ID, or ID --set NAME=VALUE ...)",
        description="Run a validated clinical calculator. Examples: `assistant calc list`; "
                    "`assistant calc show ckd_epi_2021`; `assistant calc ckd_epi_2021 --set "
                    "creatinine=\"1.2 mg/dL\" --set age=60 --set sex=female --json`.",
        usage=_USAGE)
    # One positional that is `list`, `show` or a calculator id, so ids need no registration here and
    # the calculator registry is imported only when a calc command actually runs.
    p.add_argument("target", nargs="?", metavar="list|show|ID", help="`list`, `show` or a calculator id")
    p.add_argument("calc_id", nargs="?", metavar="ID", help="calculator id (after `show`)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                   help="an input: numbers in the input's unit or with a unit (\"1.2 mg/dL\"), "
                        "true/false, a choice word, or a date YYYY-MM-DD; repeat for each input")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    target = args.target
    if target is None:
        raise BadInputError(f"calc: say what to do: {_USAGE}")
    if target in ("list", "show") and args.sets:
        raise BadInputError(f"calc {target}: --set is only for running a calculator")
    if target == "list":
        if args.calc_id is not None:
            raise BadInputError(f"calc list: unexpected argument {args.calc_id!r}")
        return _list(args.json)
    if target == "show":
        if args.calc_id is None:
            raise BadInputError("calc show: give a calculator id (see `assistant calc list`)")
        return _show(args.calc_id, args.json)
    if args.calc_id is not None:
        raise BadInputError(f"calc {target}: unexpected argument {args.calc_id!r}; inputs go in --set NAME=VALUE")
    return _compute(target, args.sets, args.json)


def _dump(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(o: Any) -> Any:
    if isinstance(o, date):
        return o.isoformat()
    return str(o)


def _list(as_json: bool) -> int:
    from assistant.clinical.calculators import all_calculators

    calcs = all_calculators()
    if as_json:
        _dump([{"id": c.id, "title": c.title, "reference": str(c.reference)} for c in calcs])
        return 0
    width = max((len(c.id) for c in calcs), default=2)
    print(f"{'ID'.ljust(width)}  TITLE")
    for c in calcs:
        print(f"{c.id.ljust(width)}  {c.title}")
    return 0


def _show(calc_id: str, as_json: bool) -> int:
    from assistant.clinical.calculators import get

    calc = get(calc_id)
    d = calc.describe()
    if as_json:
        _dump(d)
        return 0
    print(f"{d['title']} ({d['id']})")
    print(f"Reference: {d['reference']}")
    if d.get("notes"):
        print(f"Notes: {d['notes']}")
    print("Inputs:")
    for i in d["inputs"]:
        print(f"  {_describe_input(i)}")
    return 0


def _describe_input(i: dict[str, Any]) -> str:
    head = i["name"] + (f" [{i['unit']}]" if i["unit"] else "")
    extra = ["required" if i["required"] else "optional"]
    if "default" in i:
        extra.append(f"default {i['default']}")
    if "choices" in i:
        extra.append("one of " + ", ".join(i["choices"]))
    elif i["type"] == "bool":
        extra.append("true/false")
    elif i["type"] == "date":
        extra.append("YYYY-MM-DD")
    if "range" in i:
        low, high = i["range"]
        extra.append(f"range {'' if low is None else f'{low:g}'}-{'' if high is None else f'{high:g}'}")
    if "alt_units" in i:
        extra.append("also " + ", ".join(i["alt_units"]))
    return f"{head} ({'; '.join(extra)}): {i['description']}"


def _parse_sets(calc_id: str, sets: list[str]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BadInputError(f"{calc_id}: --set {item!r} is not NAME=VALUE")
        if name in raw:
            raise BadInputError(f"{calc_id}: input {name} given twice")
        raw[name] = value.strip()
    return raw


def _compute(calc_id: str, sets: list[str], as_json: bool) -> int:
    from assistant.clinical.calculators import get

    calc = get(calc_id)
    result = calc.compute(_parse_sets(calc_id, sets))
    out = result.to_dict()
    if as_json:
        _dump({"title": calc.title, **out})
        return 0
    unit = f" {out['unit']}" if out["unit"] else ""
    print(f"{calc.title}: {out['value']}{unit}")
    print(f"Interpretation: {out['interpretation']}")
    if out["points"]:
        print("Points:")
        for name, pts in out["points"].items():
            print(f"  {name}: {pts:g}")
    if out["details"]:
        print("Details:")
        for name, value in out["details"].items():
            print(f"  {name}: {value}")
    shown = []
    for name, value in out["inputs"].items():
        if value is None:
            continue
        unit_of = calc.input(name).unit
        shown.append(f"{name}={value}{' ' + unit_of if unit_of and not isinstance(value, str) else ''}")
    print("Inputs: " + ", ".join(shown))
    print(f"Reference: {out['reference']}")
    return 0
