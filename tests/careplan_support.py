"""Helpers shared by the care-plan tests: demo records without a database, a scripted engine."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from assistant.demo import parse_demo
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord
from support import ROOT

DEMO = ROOT / "resources" / "demo"


# The day the demo bundles are written as of: demo_record(prefix, ANCHOR) is the chart with the
# dates as written, for a test that checks fixed dates.
ANCHOR = date(2026, 11, 22)


@cache
def demo_record(prefix: str, today: date | None = None) -> PatientRecord:
    """A demo patient's record by file prefix ('01', '02', ...), parsed without a database, its dates
    moved to `today` (default today) as the demo database made that day holds them: drafts and
    summaries without an as_of read the chart today, so the showcase is checked as a clinician sees it."""
    (path,) = sorted(DEMO.glob(f"{prefix}_*.json"))
    parsed = parse_demo(Path(path), today)
    return PatientRecord.build(parsed.patients[0], parsed.entries)


@cache
def synthea_records(folder: Path) -> tuple[PatientRecord, ...]:
    """Every shared Synthea patient, parsed once per test session (parsing takes seconds)."""
    out = []
    for path in sorted(folder.glob("*.json")):
        parsed = parse_file(path)
        if parsed.patients:
            out.append(PatientRecord.build(parsed.patients[0], parsed.entries))
    return tuple(out)


@dataclass
class FakeEngine:
    """Answers each chat with a fixed script; `{HbA1c}` becomes the fact id of the HbA1c line."""

    rationale: str = "HbA1c is 8.9 % and above target {HbA1c}. HbA1c was 12.5 % last week {HbA1c}."
    patient: str = "Your average blood sugar is higher than your goal {HbA1c}. Keep taking your medicines."
    calls: list[list[dict[str, str]]] = field(default_factory=list)
    name: str = "fake-engine"
    version: str = "1"

    def chat(self, messages, config=None, cancel=None):
        self.calls.append(messages)
        prompt = messages[-1]["content"]
        fid = next((m.group(1) for m in re.finditer(r"^(F\d+): (.*)$", prompt, re.M)
                    if "HbA1c" in m.group(2) or "Hemoglobin A1c" in m.group(2)), "F1")
        script = self.rationale if "clinician" in prompt else self.patient
        # Streamed in pieces, as the real engine does.
        yield from re.findall(r"\S+\s*", script.replace("{HbA1c}", f"[{fid}]"))
