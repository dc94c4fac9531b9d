"""Medicines dosed by a blood test with no recent result of it (rules.toml [[medication.lab_monitoring]])."""

from __future__ import annotations

from assistant.clinical.extract import Chart
from assistant.clinical.knowledge import read_toml
from assistant.clinical.rules.base import Flag


def monitoring_flags(chart: Chart) -> list[Flag]:
    """Warfarin with no INR on record, or none within its interval: the dose is unsupervised."""
    out: list[Flag] = []
    for row in read_toml("rules.toml")["medication"].get("lab_monitoring", ()):
        meds = [m for m in chart.meds if m.has(row["drug"])]
        if not meds:
            continue
        if chart.latest(row["analyte"], row["days"]) is not None:
            continue
        ever = chart.measurements(row["analyte"], None, chart.as_of)
        test, names = row["test"], " and ".join(dict.fromkeys(m.label for m in meds))
        if ever:
            title = f"{row['drug'].capitalize()} with no {test} in the last {row['days']} days"
            said = f"the last {test} was {ever[0].date} (the interval is at most {row['days']} days)"
        else:
            title = f"{row['drug'].capitalize()} with no {test} on record"
            said = f"no {test} has ever been recorded"
        text = (f"{names} is active and {said}. The dose cannot be judged safe: check the {test} now "
                "and confirm who monitors it.")
        out.append(Flag(f"monitoring:{row['drug']}:{row['analyte']}", title, row["severity"], "medication",
                        tuple(m.ref for m in meds) + tuple(m.ref for m in ever[:1]), text, (), row["source"]))
    return out
