"""Scores computed from the record and the flags for scores over their action thresholds."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from assistant.clinical.calculators import get
from assistant.clinical.extract import Chart, ResolvedMed, describe_missing, extract_from_chart, fmt
from assistant.clinical.knowledge import read_toml
from assistant.errors import BadInputError

from .base import Flag, ScoreResult, cap, refs
from .currency import too_old
from .guard import guarded

log = logging.getLogger(__name__)


def compute_scores(chart: Chart) -> tuple[list[ScoreResult], list[ScoreResult]]:
    """(computed, not computed) for every configured score that applies to this patient."""
    computed: list[ScoreResult] = []
    skipped: list[ScoreResult] = []
    for spec in read_toml("rules.toml").get("scores", []):
        calc_id = spec["id"]
        requires, excludes = spec.get("requires", []), spec.get("excludes", [])
        if requires and not any(chart.has(c) for c in requires):
            continue
        if any(chart.has(c) for c in excludes):
            continue
        ages = spec.get("ages")
        if ages and chart.age is not None and not ages[0] <= chart.age <= ages[1]:
            continue  # e.g. the Pooled Cohort Equations only cover ages 40-79
        try:
            calc = get(calc_id)
        except BadInputError:
            log.debug("calculator %s is not installed; skipped", calc_id)
            continue
        try:
            ex = extract_from_chart(chart, calc_id)
        except Exception as e:  # noqa: BLE001 - one odd value must not stop the other scores
            log.error("score %s: inputs could not be read (%s)", calc_id, type(e).__name__)
            skipped.append(ScoreResult(calc_id, calc.title, None,
                                       error=f"internal error ({type(e).__name__}) reading its inputs"))
            continue
        base: dict[str, Any] = {"sources": ex.sources, "missing": ex.missing,
                                "unassessed": ex.unassessed, "assumed": ex.assumed,
                                "details": ex.details, "anchor": ex.anchor}
        if not ex.complete:
            s = ScoreResult(calc_id, calc.title, None, **base)
            # 'too old (last on DATE)' is a different message from 'missing'
            skipped.append(ScoreResult(calc_id, calc.title, None, error=too_old(chart, s), **base))
            continue
        try:
            result = calc.compute(ex.values)
        except BadInputError as e:  # e.g. age outside the range the equation was derived for
            skipped.append(ScoreResult(calc_id, calc.title, None, error=e.message, **base))
            continue
        except (ArithmeticError, ValueError) as e:  # an absurd value (1e28 mmHg) overflowing a formula
            log.error("score %s failed with %s", calc_id, type(e).__name__)
            skipped.append(ScoreResult(calc_id, calc.title, None,
                                       error=f"not computed: {type(e).__name__} on the record's values",
                                       **base))
            continue
        computed.append(ScoreResult(calc_id, calc.title, result, **base))
    return computed, skipped


def score_flags(chart: Chart, scores: list[ScoreResult]) -> list[Flag]:
    out: list[Flag] = []
    for s in scores:
        rule = _RULES.get(s.calculator_id)
        if rule is not None and s.result is not None:
            cfg = read_toml("rules.toml")["score_flags"][s.calculator_id]
            out += guarded("score", partial(_one, rule, chart, s, cfg), s.calculator_id)
    return out


def _one(rule: Callable[[Chart, ScoreResult, dict[str, Any]], Flag | None], chart: Chart,
         s: ScoreResult, cfg: dict[str, Any]) -> list[Flag]:
    flag = rule(chart, s, cfg)
    return [flag] if flag is not None else []


def _missing(s: ScoreResult) -> tuple[str, ...]:
    from assistant.clinical.extract import Extraction

    ex = Extraction(s.calculator_id, {}, s.sources, s.missing, s.unassessed, s.assumed)
    return describe_missing(get(s.calculator_id), ex)


# Point names that differ from the input they score.
_POINT_INPUT = {"elderly": "age", "sex_female": "sex", "air_or_oxygen": "on_oxygen"}


def _criteria(s: ScoreResult) -> str:
    """'age 72 (2), hypertension (1)': the criteria that scored, with the record's own values."""
    assert s.result is not None
    parts = []
    for name, pts in s.result.points.items():
        if pts:
            what = s.details.get(_POINT_INPUT.get(name, name)) or name.replace("_", " ")
            parts.append(f"{what} ({fmt(pts)})")
    return ", ".join(parts) or "no criteria present"


_PEOPLE = {"female": "women", "male": "men"}


def _cha2ds2_vasc(chart: Chart, s: ScoreResult, cfg: dict[str, Any]) -> Flag | None:
    assert s.result is not None
    score, sex = int(s.result.value), chart.sex
    anticoag = chart.meds_with("class:anticoagulant")
    if anticoag:
        return _no_indication(chart, s, cfg, anticoag)
    treat = cfg["treat_female"] if sex == "female" else cfg["treat_male"]
    consider = cfg["consider_female"] if sex == "female" else cfg["consider_male"]
    if score < consider:
        return None
    af = chart.conditions("atrial_fibrillation")
    severity = "high" if score >= treat else "moderate"
    action = ("oral anticoagulation is recommended" if score >= treat
              else "oral anticoagulation should be considered")
    text = (f"{af[0].display} is on the problem list and the CHA2DS2-VASc score is {score} "
            f"({_criteria(s)}). No anticoagulant is on the active medication list. For "
            f"{_PEOPLE.get(sex or '', 'patients')} with a score of {score}, {action} (threshold "
            f"{cfg['treat_male']} in men, {cfg['treat_female']} in women) unless bleeding risk or "
            "patient preference rules it out.")
    return Flag(f"score:cha2ds2_vasc:{'untreated' if score >= treat else 'consider'}",
                f"Atrial fibrillation, CHA2DS2-VASc {score}, no anticoagulant", severity, "score",
                refs([c.ref for c in af[:1]], s.evidence), text, _missing(s), cfg["source"])


def _no_indication(chart: Chart, s: ScoreResult, cfg: dict[str, Any], anticoag: Sequence[ResolvedMed]) -> Flag | None:
    """An anticoagulant whose only recorded indication is AF at CHA2DS2-VA 0 (ESC 2024)."""
    assert s.result is not None
    score = int(s.result.value)
    limit = cfg["no_indication_female"] if chart.sex == "female" else cfg["no_indication_male"]
    if score > limit or any(chart.has(c) for c in cfg["other_indications"]):
        return None
    names = " and ".join(dict.fromkeys(m.label for m in anticoag))
    text = (f"{names} is active; atrial fibrillation is the only indication on record and the "
            f"CHA2DS2-VASc score is {score} ({_criteria(s)}; CHA2DS2-VA 0). No venous thromboembolism, "
            "valve prosthesis, mitral stenosis or intracardiac thrombus is recorded. Confirm the "
            "indication; if AF is the only one, plan to stop the anticoagulant.")
    return Flag("score:cha2ds2_vasc:no_indication",
                f"Anticoagulant without a recorded indication: CHA2DS2-VASc {score}",
                cfg["no_indication_severity"], "score", refs([m.ref for m in anticoag], s.evidence),
                text, _missing(s), cfg["no_indication_source"])


def _has_bled(chart: Chart, s: ScoreResult, cfg: dict[str, Any]) -> Flag | None:
    assert s.result is not None
    score = int(s.result.value)
    if score < cfg["high_at"]:
        return None
    text = (f"HAS-BLED is {score} ({_criteria(s)}): high bleeding risk on anticoagulation. Correct "
            "the modifiable factors (uncontrolled blood pressure, NSAIDs or antiplatelets, alcohol, "
            "labile INR) and review more often; a high score alone is not a reason to withhold "
            "anticoagulation.")
    return Flag("score:has_bled", f"High bleeding risk: HAS-BLED {score}", "moderate", "score",
                s.evidence, text, _missing(s), cfg["source"])


def _stale(chart: Chart, s: ScoreResult) -> tuple[bool, str]:
    """Bedside scores from an old vitals set are history, not a current warning."""
    if s.anchor is None:
        return False, ""
    days = read_toml("rules.toml")["windows"]["vitals_stale_days"]
    return chart.as_of - s.anchor > timedelta(days=days), s.anchor.date().isoformat()


def _news2(chart: Chart, s: ScoreResult, cfg: dict[str, Any]) -> Flag | None:
    assert s.result is not None
    score = int(s.result.value)
    red = list(s.result.details.get("red_parameters", []))
    if score >= cfg["critical_at"]:
        severity, why = "critical", f"NEWS2 >= {cfg['critical_at']}: emergency assessment"
    elif score >= cfg["high_at"]:
        severity, why = "high", f"NEWS2 >= {cfg['high_at']}: urgent response"
    elif red:
        severity, why = "moderate", "a single parameter scoring 3: urgent ward-based review"
    else:
        return None
    stale, day = _stale(chart, s)
    text = (f"NEWS2 is {score} from the vitals set of {day} ({_criteria(s)}); {why}.")
    title = f"NEWS2 {score}" + (f" ({', '.join(r.replace('_', ' ') for r in red)} scoring 3)" if red else "")
    if stale:
        severity = cap(severity, "info")
        title += f" on {day} (historical)"
        text += f" These vitals are from {day}, not current; repeat the observations."
    return Flag("score:news2", title, severity, "score", s.evidence, text, _missing(s), cfg["source"])


def _qsofa(chart: Chart, s: ScoreResult, cfg: dict[str, Any]) -> Flag | None:
    assert s.result is not None
    score = int(s.result.value)
    if score < cfg["high_at"]:
        return None
    stale, day = _stale(chart, s)
    text = (f"qSOFA is {score} of 3 ({_criteria(s)}) from the vitals set of {day}. With suspected "
            "infection this predicts a higher risk of death or prolonged ICU stay: assess for organ "
            "dysfunction (SOFA) and sepsis.")
    severity, title = "high", f"qSOFA {score}: possible sepsis"
    if stale:
        severity, title = "info", title + f" on {day} (historical)"
    return Flag("score:qsofa", title, severity, "score", s.evidence, text, _missing(s), cfg["source"])


def _pce(chart: Chart, s: ScoreResult, cfg: dict[str, Any]) -> Flag | None:
    assert s.result is not None
    risk = float(s.result.value)
    if risk < cfg["moderate_at"] or chart.meds_with("class:statin"):
        return None
    severity = "high" if risk >= cfg["high_at"] else "moderate"
    text = (f"The 10-year ASCVD risk by the Pooled Cohort Equations is {fmt(risk)}% "
            f"({', '.join(s.details.values())}) and no statin is on the active medication list. "
            f"At >= {fmt(cfg['moderate_at'])}% a moderate-intensity statin is recommended after a "
            f"risk discussion; at >= {fmt(cfg['high_at'])}% a high-intensity statin is reasonable.")
    return Flag("score:pce_ascvd", f"10-year ASCVD risk {fmt(risk)}% without a statin", severity,
                "score", s.evidence, text, _missing(s), cfg["source"])


def _fib4(chart: Chart, s: ScoreResult, cfg: dict[str, Any]) -> Flag | None:
    assert s.result is not None
    value = float(s.result.value)
    age = s.result.inputs.get("age", 0)
    low = cfg["age65_rule_out"] if age >= 65 else cfg["indeterminate_at"]
    if value < low:
        return None
    advanced = value > cfg["advanced_above"]
    text = (f"FIB-4 is {fmt(value)} ({', '.join(s.details.values())}). "
            + ("Advanced liver fibrosis is likely: refer to hepatology." if advanced else
               f"Above the rule-out cut-off of {fmt(low)}: advanced fibrosis is not excluded; "
               "arrange elastography (or ELF) to stratify."))
    return Flag("score:fib4", f"FIB-4 {fmt(value)}: {'advanced fibrosis likely' if advanced else 'indeterminate'}",
                "high" if advanced else "moderate", "score", s.evidence, text, _missing(s),
                cfg["source"])


def _meld_na(chart: Chart, s: ScoreResult, cfg: dict[str, Any]) -> Flag | None:
    assert s.result is not None
    score = int(s.result.value)
    if score < cfg["moderate_at"]:
        return None
    text = (f"MELD-Na is {score} ({', '.join(s.details.values())}); {s.result.interpretation}. "
            f"At MELD >= {cfg['moderate_at']} refer for liver-transplant evaluation.")
    return Flag("score:meld_na", f"MELD-Na {score}", "high" if score >= cfg["high_at"] else "moderate",
                "score", s.evidence, text, _missing(s), cfg["source"])


_RULES: dict[str, Callable[[Chart, ScoreResult, dict[str, Any]], Flag | None]] = {
    "cha2ds2_vasc": _cha2ds2_vasc, "has_bled": _has_bled, "news2": _news2, "qsofa": _qsofa,
    "pce_ascvd": _pce, "fib4": _fib4, "meld_na": _meld_na,
}
