"""Summary and care-plan evaluation over the shared Synthea bundles and the demo patients: model sentences
checked and dropped, ungrounded words in those shown (with and without the number constraint), coverage,
the checker on the labelled set, seconds per patient, and issue 13's targets."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.assist.eval_report import EvalReport, format_report
from assistant.assist.evaluate import evaluate_folder
from assistant.assist.generation import load_engine
from assistant.assist.labelled import measure_file

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (ROOT.parent / "shared" / "fhir" / "synthea-r4", ROOT / "resources" / "demo")


def main() -> None:
    logging.getLogger("assistant").setLevel(logging.ERROR)
    engine = load_engine()  # the installed default pack, or None: deterministic text only
    if engine is None:
        print("no model pack installed (run `make model`): deterministic summaries only")
    labelled = measure_file()
    for folder in FOLDERS:
        if not folder.is_dir() or not any(folder.glob("*.json")):
            print(f"skipped: {folder} not present")
            continue
        runs = [(True, "numbers constrained to the fact sheet"), (False, "unconstrained")] if engine else [(True, "")]
        for constrain, label in runs:
            patients = evaluate_folder(folder, engine, constrain_numbers=constrain, with_careplan=constrain)
            report = EvalReport(str(folder), patients, labelled)
            print(f"\n--- {folder.name}" + (f" ({label})" if label else "") + " ---")
            print(format_report(report).split("\n\n", 1)[-1])  # the overall lines, not every patient


if __name__ == "__main__":
    main()
