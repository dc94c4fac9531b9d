"""Sample report from a fictional demo patient: `python -m assistant.cli.sample docs/` (PDF + PNG)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from assistant.assist.careplan.document import CarePlanDocument
from assistant.assist.careplan.drafting import draft_careplan
from assistant.clinical.flags import evaluate
from assistant.config import resources_dir
from assistant.demo import parse_demo
from assistant.records.record import PatientRecord
from assistant.reports.careplan_pdf import Signature, render_careplan
from assistant.reports.layout import Letterhead

DEMO_DIR = resources_dir() / "demo"
# Zoë: a Unicode name, a high-criticality allergy and a critical safety flag on one page.
DEFAULT_PATIENT = "05_zoe_muller_lukasiewicz_penicillin_allergy.json"
# The demo bundles' own fictional site (see resources/demo/README.md).
DEMO_LETTERHEAD = Letterhead("Demo General Hospital (fictional)",
                             "Department of General Medicine\n1 Example Road, Sampletown EX1 2MP\n"
                             "Tel. 01234 567890")
# The bundles' anchor day, that morning: reproducible samples (one made as of today would differ
# from day to day in its dates alone, since the demo database moves every date to its own day).
FIXED_TIME = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def demo_record(name: str = DEFAULT_PATIENT) -> PatientRecord:
    """The demo chart as a demo database made on FIXED_TIME's day holds it."""
    parsed = parse_demo(DEMO_DIR / name, FIXED_TIME.date())
    return PatientRecord.build(parsed.patients[0], parsed.entries)


def demo_plan(record: PatientRecord) -> CarePlanDocument:
    """The deterministic draft the app itself would make on FIXED_TIME's day, the day the chart's
    dates were moved to: the showcase (a current amoxicillin order beside a penicillin
    anaphylaxis) is on the page as it is in a demo database made on any day."""
    plan = draft_careplan(record, evaluate(record, FIXED_TIME), None, use_model=False, as_of=FIXED_TIME)
    return replace(plan, created=FIXED_TIME.isoformat())


def write_sample(out_dir: Path, patient: str = DEFAULT_PATIENT, signed: bool = False,
                 dpi: int = 100) -> list[Path]:
    record = demo_record(patient)
    plan = demo_plan(record)
    signature = Signature("Dr. Olivia Exemplar (fictional)", "Clinician", FIXED_TIME.isoformat()) \
        if signed else None
    pdf = render_careplan(plan, record, document_id="0" * 24 + "5a3b1e01", version=1,
                          status="signed" if signed else "draft", signature=signature,
                          letterhead=DEMO_LETTERHEAD, generated_at=FIXED_TIME)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_path = out_dir / "sample-careplan.pdf"
    pdf_path.write_bytes(pdf)
    written = [pdf_path]
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                        str(pdf_path), str(out_dir / "sample-careplan")], check=True)
        written.append(out_dir / "sample-careplan.png")
    else:
        print("pdftoppm not found: PNG not written", file=sys.stderr)
    return written
