"""The real generation workload for the LLM benchmark: the summary and care-plan prompts the app sends
for the demo and shared Synthea patients, and the end-to-end summary time per patient."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo"
SYNTHEA = ROOT.parent / "shared" / "fhir" / "synthea-r4"
NEW_TOKENS = 320  # as assist/summary.py and assist/careplan/text.py


class PromptRecorder:
    """Stands in for the engine: keeps every chat the assist code asks for and answers nothing, so
    the prompts are exactly the app's (fact budget, template, wording) without generating."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.pack = engine.pack
        self.tokenizer = engine.tokenizer
        self.context_length = engine.context_length
        self.chats: list[list[dict[str, str]]] = []
        self.last_stats = None

    def count_tokens(self, text: str) -> int:
        return int(self.engine.count_tokens(text))

    def chat(self, messages: Sequence[dict[str, str]], config: Any = None, **_: Any) -> Iterator[str]:
        self.chats.append([dict(m) for m in messages])
        return iter(())


class PackText:
    """The text side of a pack (tokenizer, chat template, context) without an inference session."""

    def __init__(self, pack_dir: Path) -> None:
        from assistant.llm.pack import ModelPack
        from assistant.llm.tokenizer import load_tokenizer

        self.pack = ModelPack.load(pack_dir)
        self.tokenizer = load_tokenizer(self.pack.tokenizer_file)
        self.context_length = self.pack.context_length

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def render_chat(self, messages: Sequence[dict[str, str]]) -> str:
        from assistant.llm.template import render_chat

        p = self.pack
        return render_chat(p.chat_template, list(messages), p.bos_token, p.eos_token, True)


def record_paths(limit: int | None = None) -> list[Path]:
    """The demo patients, then the shared Synthea bundles (when present), at most `limit` in all."""
    paths = sorted(DEMO.glob("*.json"))
    paths += sorted(SYNTHEA.glob("*.json")) if SYNTHEA.is_dir() else []
    return paths[:limit] if limit else paths


def load_records(limit: int | None = None) -> list[tuple[str, Any]]:
    """(label, PatientRecord) per file; the label is a number, never a patient's name."""
    from assistant.records.fhir_import import parse_file
    from assistant.records.record import PatientRecord

    out = []
    for path in record_paths(limit):
        parsed = parse_file(path)
        if parsed.patients:
            source = "demo" if path.parent == DEMO else "synthea"
            out.append((f"{source}-{len(out) + 1}", PatientRecord.build(parsed.patients[0], parsed.entries)))
    return out


def workload_prompts(engine: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """[{"patient", "kind", "ids"}]: each patient's summary prompt and care-plan prompts (rationale,
    patient text), as token ids rendered with the pack's chat template."""
    from assistant.assist.careplan.drafting import draft_careplan
    from assistant.assist.generation import evaluate_risk
    from assistant.assist.summary import generate_summary

    out: list[dict[str, Any]] = []
    for label, record in load_records(limit):
        risk = evaluate_risk(record)
        rec = PromptRecorder(engine)
        generate_summary(record, risk, rec)
        kinds = ["summary"]
        if not record.patient.deceased:  # a deceased patient gets no care-plan draft
            draft_careplan(record, risk, rec)
        kinds += ["careplan-rationale", "careplan-patient"][: len(rec.chats) - 1]
        for kind, messages in zip(kinds, rec.chats, strict=False):
            out.append({"patient": label, "kind": kind, "ids": engine.encode(engine.render_chat(messages))})
    return out


def summary_times(engine: Any, limit: int | None = None, rounds: int = 1) -> dict[str, Any]:
    """End-to-end `generate_summary` seconds per patient (fact sheet, prompt, constrained greedy
    generation, checking) with speculation off ("before") and on ("after"), alternating."""
    from assistant.assist.generation import evaluate_risk
    from assistant.assist.summary import generate_summary

    records = [(label, record, evaluate_risk(record)) for label, record in load_records(limit)]
    times: dict[str, list[float]] = {"before": [], "after": []}
    same = True
    saved = engine.speculative
    try:
        for _label, record, risk in records:
            texts: dict[str, str] = {}
            best: dict[str, float] = {}
            for r in range(rounds):
                for which in (("before", "after") if r % 2 == 0 else ("after", "before")):
                    engine.speculative = which == "after"
                    t0 = time.perf_counter()
                    s = generate_summary(record, risk, engine)
                    took = time.perf_counter() - t0
                    best[which] = min(best.get(which, took), took)
                    texts[which] = " ".join(x.text for x in s.all_sentences)
            times["before"].append(best["before"])
            times["after"].append(best["after"])
            same = same and texts["before"] == texts["after"]
    finally:
        engine.speculative = saved

    def summary(values: list[float]) -> dict[str, float]:
        return {"median_s": round(statistics.median(values), 3), "worst_s": round(max(values), 3)} if values else {}

    return {"patients": len(records), "before": summary(times["before"]), "after": summary(times["after"]),
            "same_text": same, "per_patient_s": {k: [round(v, 3) for v in vs] for k, vs in times.items()}}
