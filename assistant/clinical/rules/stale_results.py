"""Old but alarming: a last result that was critical or markedly abnormal, too old to judge as current, must not vanish."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from assistant.clinical.extract import Chart, Measurement, analyte, fmt
from assistant.clinical.knowledge import read_toml
from assistant.clinical.reference_ranges import lab_ranges, select_range

from .base import Flag, cap
from .guard import guarded
from .labs import judge
from .series_conflict import Conflict, series_conflict


def stale_result_flags(chart: Chart) -> list[Flag]:
    """One flag per test whose last result is older than the laboratory window and alarming."""
    cfg = read_toml("rules.toml")["stale_results"]
    names = dict.fromkeys([*lab_ranges(), *cfg.get("marked", {})])
    return [f for name in names
            for f in guarded("laboratory", partial(_stale_flag, chart, name, cfg), f"stale {name}")]


def _stale_flag(chart: Chart, name: str, cfg: dict[str, Any]) -> list[Flag]:
    window = read_toml("rules.toml")["windows"]["lab_days"]
    values = chart.measurements(name)
    if not values or chart.as_of - values[0].when <= timedelta(days=window):
        return []  # nothing ever measured, or a recent value the laboratory rules judge
    last = values[0]
    marked = cfg.get("marked", {}).get(name)
    found = _marked(chart, last, marked) if marked else None
    if found is None:
        found = _critical(chart, name, last)
    if found is None:
        return []
    what, judged, how, action, source = found
    conflict = series_conflict(chart, values, marked, cfg["consistency"]["span_days"]) if marked else None
    if conflict is not None and marked is not None:
        return [_conflict_flag(chart, name, cfg, marked, conflict, window, last)]
    display = analyte(name).display
    unit = f" {last.unit}" if last.unit else ""
    named = what.lower().startswith(display.lower())  # 'Potassium critically high (6.8 mmol/L...'
    shown = ("" if named else f"{display.lower()} ") + f"{fmt(last.value)}{unit}" + (
        f", {judged}" if judged else "")
    title = (f"{what} on the last result ({shown}, {last.date}): too old to judge as current - recheck now")
    earlier = " and ".join(m.text() for m in values[1:3])
    text = (f"The last {display.lower()} was {last.text()}"
            + (f" ({judged}{how})" if judged else "")
            + (f", after {earlier}" if earlier else "") + f": {what[:1].lower() + what[1:]}. "
            f"It is older than {window} days, so it is not judged as current and no score uses it, but "
            "no newer result is on record: today's value is unknown. " + action)
    text += _conflict(chart, name, last, marked)
    severity = cap(cfg["severity"], "high")  # old: never critical, whatever the table says
    refs = (last.ref, *(m.ref for m in values[1:3]))
    return [Flag(f"stale:{name}", title, severity, "lab", refs, text, (),
                 f"{source}; {cfg['source']}")]


def _conflict_flag(chart: Chart, name: str, cfg: dict[str, Any], row: dict[str, Any],
                   conflict: Conflict, window: int, last: Measurement) -> Flag:
    """The series contradicts itself: say so and ask for one recheck, instead of naming a finding."""
    display = analyte(name).display
    title = f"{display} results conflict ({conflict.summary()}): {row['conflict']} - recheck once"
    text = (f"The {display.lower()} results on record conflict: {conflict.detail()}. A change this size "
            f"and this fast is not the course of a chronic disease: it is {row['conflict']}. The last "
            f"result ({last.text()}) is older than {window} days, too old to judge as current. Recheck "
            f"{display.lower()} once to settle it, and ask the laboratory about the conflicting results; "
            f"if the recheck is abnormal, act on it as a new result.")
    text += _conflict(chart, name, last, row)
    refs = tuple(dict.fromkeys((last.ref, *conflict.refs)))
    return Flag(f"stale:{name}", title, cap(cfg["severity"], "high"), "lab", refs, text, (),
                f"{cfg['consistency']['source']}; {row['source']}")


def _marked(chart: Chart, last: Measurement,
            row: dict[str, Any]) -> tuple[str, str, str, str, str] | None:
    """(finding, judged value, how it was judged, action, source) when a [stale_results.marked] row
    calls the value markedly abnormal."""
    judged, how, value = "", "", last.value
    if row.get("judge") == "egfr":
        egfr = chart.egfr_from(last)
        if egfr is None:
            return None
        value = egfr.value
        judged, how = f"eGFR ~{fmt(round(egfr.value))}", f" {egfr.unit} by CKD-EPI 2021"
    below, above = row.get("below"), row.get("above")
    if (below is not None and value < below) or (above is not None and value > above):
        return row["label"], judged, how, row["action"], row["source"]
    return None


def _critical(chart: Chart, name: str, last: Measurement) -> tuple[str, str, str, str, str] | None:
    """The last value against the critical limits of lab_reference_ranges.csv, the laboratory's
    own interpretation code included (HH/LL)."""
    ranges = lab_ranges().get(name)
    r = select_range(chart, ranges) if ranges else None
    if r is None:
        return None
    found = judge(chart, last, r)  # only its critical reading counts here (limits, HH/LL)
    if found is None or found[1] != "critical":
        return None
    direction = found[0]
    limit = r.critical_high if direction == "critically high" else r.critical_low
    unit = f" {last.unit}" if last.unit else ""
    what = f"{analyte(name).display} {direction}"
    action = (f"It was beyond the critical limit of {fmt(limit or 0)}{unit}: recheck it now and "
              "look for the cause and what was done about it.")
    return what, "", "", action, r.source


def _conflict(chart: Chart, name: str, last: Measurement, row: dict[str, Any] | None) -> str:
    """A reported eGFR on the same day that disagrees with the one computed from the creatinine."""
    if not row or row.get("judge") != "egfr":
        return ""
    reported = [m for m in chart.measurements("egfr") if m.when.date() == last.when.date()]
    below = row.get("below")
    if not reported or below is None or reported[0].value < below:
        return ""
    return (f" The chart's eGFR of {fmt(reported[0].value)} {reported[0].unit} on the same day does not "
            f"match this creatinine: trust neither until it is repeated.")
