"""Absurd-value patients (values no body has, dates in year 1 or the future, 100,000-character names)
through every command: risks, summary, care-plan draft and both PDF exports must all succeed."""

from __future__ import annotations

import contextlib
import io
import json
import os
import traceback
from pathlib import Path

from assistant.cli.main import main as cli

from .common import ADMIN, PASSWORD, Figures, new_store

# (systolic, potassium, creatinine, birth date, observation date, display length)
VARIANTS = [
    (1e28, 1e308, 1.1, "2090-01-01", "0001-01-01T00:00:00+14:00", 100_000),
    (-5.0, 0.0, -1e-300, "0001-01-01", "9999-12-31T23:59:59-12:00", 1),
    (2 ** 63, 4.2, 1e308, "1900-03-01", "2024-02-29T00:00:00Z", 20_000),
    (0.0, -1e308, 0.0, "2026-12-31", "2026-10-01T08:00:00Z", 1),
    (120.0, 4.5, 5e-324, "1850-01-01", "1970-01-01T00:00:00Z", 5_000),
]
COMMANDS = [["risks"], ["summarize", "--no-model"], ["careplan", "draft", "--no-model"],
            ["export", "--format", "pdf", "--document", "careplan", "--no-model"],
            ["export", "--format", "pdf", "--document", "summary", "--no-model"]]


def _obs(oid: str, pid: str, code: str, value: float, unit: str, when: str) -> dict[str, object]:
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": f"urn:uuid:{pid}"}, "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}}


def bundle(n: int) -> tuple[dict[str, object], str]:
    """The n-th absurd chart and its patient id."""
    sbp, k, creat, born, when, length = VARIANTS[n % len(VARIANTS)]
    pid = f"absurd-{n:04d}"
    resources: list[dict[str, object]] = [
        {"resourceType": "Patient", "id": pid, "gender": "other", "birthDate": born,
         "name": [{"family": "A" * max(1, length // 10), "given": ["B" * length] if length else []}]},
        _obs(f"{pid}-sbp", pid, "8480-6", sbp, "mm[Hg]", when),
        _obs(f"{pid}-k", pid, "2823-3", k, "mmol/L", when),
        _obs(f"{pid}-cr", pid, "2160-0", creat, "mg/dL", "2026-10-01T08:00:00Z"),
        {"resourceType": "Condition", "id": f"{pid}-c", "clinicalStatus": {"coding": [{"code": "active"}]},
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": "D" * length}]},
         "subject": {"reference": f"urn:uuid:{pid}"}, "onsetDateTime": when},
    ]
    return ({"resourceType": "Bundle", "type": "collection",
             "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}, pid)


def _call(argv: list[str]) -> tuple[int, str]:
    """Run the CLI in-process: (exit code, stderr); an escaping exception is a traceback (code 99)."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = cli(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except Exception:  # noqa: BLE001 - the finding itself
            traceback.print_exc()
            code = 99
    return code, err.getvalue()


def campaign(patients: int, work: Path) -> Figures:
    """Import `patients` absurd charts (cycling the variants) and run every command on each."""
    root = work / "absurd"
    db = root / "db" / "app.db"
    new_store(db).close()
    os.environ.update(ASSISTANT_DB=str(db), ASSISTANT_USER=ADMIN, ASSISTANT_PASSWORD=PASSWORD)
    runs = failures = tracebacks = 0
    (root / "in").mkdir(mode=0o700)
    for n in range(patients):
        data, pid = bundle(n)
        path = root / "in" / f"absurd{n}.json"
        path.write_text(json.dumps(data), "utf-8")
        code, err = _call(["import", str(path)])
        calls = [cmd[:1] + ([cmd[1], pid] if cmd[0] == "careplan" else [pid]) + cmd[2 if cmd[0] == "careplan"
                 else 1:] for cmd in COMMANDS]
        for argv in calls:
            if argv[0] == "export":
                argv += ["--out", str(root / "out" / f"{pid}-{argv[argv.index('--document') + 1]}.pdf")]
                (root / "out").mkdir(exist_ok=True, mode=0o700)
            code, err = _call(argv) if code == 0 else (code, err)
            runs += 1
            failures += code != 0
            tracebacks += "Traceback" in err
            if code != 0:
                print(f"  absurd variant {n % len(VARIANTS)}: {argv[0]} exit {code}: {err[-400:]}")
    return Figures("absurd-values", runs, tracebacks=tracebacks, failures=failures,
                   note=f"{patients} charts x {len(COMMANDS)} commands")
