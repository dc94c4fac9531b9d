"""What the default model adds under the sentence checker: whole-sheet summary prompt against one short
prompt per active problem (zero-shot and few-shot from another patient), counted as generated, checked,
and checked-but-not-a-copy of a fact line, with the word audit and seconds per patient (issue 13)."""

from __future__ import annotations

import difflib
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import combinations
from pathlib import Path
from typing import Any

from assistant.assist.facts import Fact, FactSheet, anchor_time, build_fact_sheet, fit_budget
from assistant.assist.generation import (
    cleanup_sentence,
    evaluate_risk,
    fact_budget,
    generate_stream,
    load_engine,
    number_constraint,
    prompts,
)
from assistant.assist.verify import (
    VERIFIED,
    Sentence,
    split_citations,
    split_sentences,
    verify_sentence,
)
from assistant.assist.word_audit import ungrounded_words
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo"
SYNTHEA = ROOT.parent / "shared" / "fhir" / "synthea-r4"
SYNTHEA_COUNT = 10
SUMMARY_TOKENS = 320  # as assist/summary.py
PROBLEM_TOKENS = 60
MAX_PROBLEMS = 10  # per patient, in sheet order: keeps a run of 15 patients within minutes here
COPY_RATIO = 0.8  # difflib ratio to one fact line (label prefix removed) at or above which it is a copy

SYSTEM = ("You are a careful clinical assistant. Use only the facts you are given, in their own words. "
          "Copy numbers, dates, drug names and diagnoses exactly.")
ASK = ("{facts}\n\nWrite one sentence for a doctor about this problem that links the facts above, "
       "using only their words.")


@dataclass
class Tally:
    """One strategy's counts over the patients, and every checked sentence for reading."""

    generated: int = 0
    checked: int = 0
    novel: int = 0  # checked and not a near-verbatim copy of one fact line
    multi: int = 0  # checked and resting on two or more cited lines
    ungrounded: int = 0  # words the word audit finds in no cited line, over checked sentences
    seconds: list[float] = field(default_factory=list)
    read: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def add(self, s: Sentence, sheet: FactSheet, patient: str) -> None:
        self.generated += 1
        if s.status != VERIFIED:
            if len(self.rejected) < 40:
                self.rejected.append({"patient": patient, "text": s.text, "why": list(s.unsupported)[:4]})
            return
        cited = [f.text for i in s.fact_ids if (f := sheet.fact(i)) is not None]
        copy = is_copy(s.text, sheet)
        self.checked += 1
        self.novel += not copy
        self.multi += len(cited) >= 2
        audit = ungrounded_words(s.text, cited)
        self.ungrounded += len(audit)
        cut = not s.text.rstrip().endswith((".", "!", ")"))  # no full stop: maybe cut by the token limit
        self.read.append({"patient": patient, "text": s.text, "cited": cited, "copy": copy, "cut": cut,
                          "audit": audit})


_LABEL = re.compile(r"^[\s:;,.-]*(?:(?:active problem|medication|allergy|patient)\s*:\s*)?", re.IGNORECASE)


def _bare(text: str) -> str:
    text = _LABEL.sub("", text)
    return " ".join(text.lower().replace("(", " ").replace(")", " ").rstrip(". ").split())


def is_copy(text: str, sheet: FactSheet) -> bool:
    """A sentence adds no prose when one fact line already says it: nearly word for word (difflib),
    or every word of it is in that one line (the word audit finds nothing missing)."""
    s = _bare(text)
    return any(difflib.SequenceMatcher(None, s, _bare(f.text)).ratio() >= COPY_RATIO
               or not ungrounded_words(text, [f.text]) for f in sheet.lines)


def records() -> list[tuple[str, PatientRecord]]:
    paths = sorted(DEMO.glob("*.json"))
    paths += sorted(SYNTHEA.glob("*.json")) if SYNTHEA.is_dir() else []
    out: list[tuple[str, PatientRecord]] = []
    synthea = 0
    for path in paths:
        parsed = parse_file(path)
        if not parsed.patients:
            continue
        if path.parent == SYNTHEA:
            if synthea >= SYNTHEA_COUNT:
                break
            synthea += 1
        out.append((path.parent.name + "/" + path.stem[:24], PatientRecord.build(parsed.patients[0], parsed.entries)))
    return out


def _lab_codes(record: PatientRecord, fact: Fact) -> set[str]:
    e = record.entry(fact.refs[0]) if fact.refs else None
    code = getattr(e, "code", None)
    return {getattr(code, "code", "")} | {c.code.code for c in getattr(e, "components", ())}


def problem_groups(record: PatientRecord, sheet: FactSheet) -> list[tuple[Fact, ...]]:
    """Per active problem: its line, the medicines the record gives it as their reason, and the labs
    its care-plan template (resources/knowledge/careplans) sets a goal or monitoring on."""
    from assistant.assist.careplan.templates import match_templates

    loinc: dict[str, set[str]] = {}
    for m in match_templates(record):
        codes = {c for g in m.template.goals for c in (*g.loinc, *(p[0] for p in g.parts))}
        codes |= {c for mon in m.template.monitoring for c in mon.loinc}
        for cond in m.conditions:
            loinc.setdefault(cond.ref, set()).update(codes)
    groups: list[tuple[Fact, ...]] = []
    for p in sheet.section("problem"):
        name = str(p.detail.get("name", "")).lower()
        meds = [m for m in sheet.section("medication") if name in {r.lower() for r in m.detail.get("reasons", ())}]
        codes = set().union(*(loinc.get(r, set()) for r in p.refs))
        labs = [f for f in (*sheet.section("lab"), *sheet.section("vital")) if codes & _lab_codes(record, f)]
        groups.append((p, *labs[:2], *meds[:2]))
    return groups


def _sub(sheet: FactSheet, lines: Sequence[Fact]) -> FactSheet:
    return FactSheet(sheet.patient_id, tuple(lines), (), sheet.as_of)


def best_citation(text: str, group: Sequence[Fact], sheet: FactSheet) -> Sentence:
    """The sentence checked against the smallest set of its group's lines that entails it (the
    program cites, not the model); unchecked against the whole group when none does."""
    clean, _ = split_citations(text)
    for k in range(1, len(group) + 1):
        for subset in combinations(group, k):
            cites = "".join(f"[{f.id}]" for f in subset)
            s = verify_sentence(f"{clean} {cites}", sheet)
            if s.status == VERIFIED:
                return s
    return verify_sentence(clean + " " + "".join(f"[{f.id}]" for f in group), sheet)


def template_answer(group: Sequence[Fact]) -> str:
    """'<Problem> (since <date>): <lab> on <date>; taking <drug>.' from the group's own lines."""
    p = group[0]
    text = f"{p.detail.get('name')} (since {p.detail.get('since')})"
    labs = [f for f in group if f.section in ("lab", "vital")]
    meds = [f for f in group if f.section == "medication"]
    if labs:
        text += ": " + "; ".join(f"{f.detail.get('label')} {f.detail.get('value')} on {f.detail.get('date')}"
                                 for f in labs[:1])
    if meds:
        text += ("; " if labs else ": ") + "taking " + " and ".join(str(m.detail.get("name")) for m in meds[:1])
    return text + "."


def _one(engine: Any, messages: list[dict[str, str]], sheet: FactSheet, tokens: int) -> str:
    out = "".join(generate_stream(engine, messages, tokens, number_constraint(engine, sheet), None))
    parts = [cleanup_sentence(x) for x in split_sentences(out)]
    return next((x for x in parts if len(x) >= 4), "")


def baseline(engine: Any, record: PatientRecord, sheet: FactSheet, tally: Tally, who: str) -> None:
    small = fit_budget(sheet, fact_budget(engine, SUMMARY_TOKENS), getattr(engine, "count_tokens", None))
    p = prompts("summary.toml")
    messages = [{"role": "system", "content": p["system"]},
                {"role": "user", "content": p["summary"].format(facts=small.text())}]
    text = "".join(generate_stream(engine, messages, SUMMARY_TOKENS, number_constraint(engine, small), None))
    previous: list[str] = []
    for raw in split_sentences(text):
        raw = cleanup_sentence(raw)
        if len(raw) < 4:
            continue
        tally.add(verify_sentence(raw, sheet, previous=previous), sheet, who)
        previous.append(raw)


def per_problem(engine: Any, groups: list[tuple[Fact, ...]], sheet: FactSheet, tally: Tally, who: str,
                shots: list[tuple[Fact, ...]] | None = None) -> None:
    for group in groups[:MAX_PROBLEMS]:
        messages = [{"role": "system", "content": SYSTEM}]
        for ex in shots or ():
            messages += [{"role": "user", "content": ASK.format(facts="\n".join(f.text for f in ex))},
                         {"role": "assistant", "content": template_answer(ex)}]
        messages.append({"role": "user", "content": ASK.format(facts="\n".join(f.text for f in group))})
        raw = _one(engine, messages, _sub(sheet, group), PROBLEM_TOKENS)
        if raw:
            tally.add(best_citation(raw, group, sheet), sheet, who)


def template_only(groups: list[tuple[Fact, ...]], sheet: FactSheet, tally: Tally, who: str) -> None:
    """The control: the few-shot answer shape filled in by code from the same lines, no model."""
    for group in groups[:MAX_PROBLEMS]:
        tally.add(best_citation(template_answer(group), group, sheet), sheet, who)


def _timed(tally: Tally, fn: Callable[[], None]) -> None:
    start = time.perf_counter()
    fn()
    tally.seconds.append(time.perf_counter() - start)


def main() -> int:
    logging.getLogger("assistant").setLevel(logging.ERROR)
    if not SYNTHEA.is_dir():
        print(f"skipped: {SYNTHEA} not present")
        return 0
    engine = load_engine()
    if engine is None:
        print("skipped: no model pack installed (run `make model`)")
        return 0
    tallies = {"A whole sheet (current prompt)": Tally(), "B per problem, zero-shot": Tally(),
               "C per problem, 2 shots from another patient": Tally(),
               "D control: C's answer shape filled by code, no model": Tally()}
    a, b, c, d = tallies.values()
    prepared = []
    for who, record in records():
        as_of = anchor_time(record)
        sheet = build_fact_sheet(record, evaluate_risk(record, as_of), as_of=as_of)
        prepared.append((who, record, sheet, problem_groups(record, sheet)))
    for n, (who, record, sheet, groups) in enumerate(prepared):
        # Few-shot examples come from another patient's lines, never the target's.
        donor = next(g for k in range(1, len(prepared)) for g in [prepared[(n + k) % len(prepared)][3]]
                     if sum(len(x) > 1 for x in g) >= 2)
        shots = [x for x in donor if len(x) > 1][:2]
        _timed(a, partial(baseline, engine, record, sheet, a, who))
        _timed(b, partial(per_problem, engine, groups, sheet, b, who))
        _timed(c, partial(per_problem, engine, groups, sheet, c, who, shots))
        _timed(d, partial(template_only, groups, sheet, d, who))
        print(f"{who}: problems {len(groups)}; " + "; ".join(
            f"{t.generated}/{t.checked}/{t.novel}" for t in tallies.values()), flush=True)
    print(f"\n{len(prepared)} patients; greedy; numbers constrained to the lines in the prompt\n")
    print("| strategy | generated | checked | checked, not a copy | checked, citing 2+ lines "
          "| audit: ungrounded words | s / patient |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, t in tallies.items():
        per = sum(t.seconds) / max(1, len(t.seconds))
        print(f"| {name} | {t.generated} | {t.checked} | {t.novel} | {t.multi} | {t.ungrounded} | {per:.1f} |")
    out = ROOT / ".bench" / "prose.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({k: {"checked": t.read, "rejected": t.rejected} for k, t in tallies.items()},
                              indent=1))
    print(f"\nevery checked sentence with its cited lines: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
