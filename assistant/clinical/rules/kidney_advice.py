"""What to do about a falling eGFR, from this patient's chart rather than a fixed sentence (KDIGO 2024)."""

from __future__ import annotations

from datetime import timedelta

from assistant.clinical.extract import Chart, fmt
from assistant.clinical.reference_ranges import lab_ranges, select_range
from assistant.clinical.rules.kidney_course import Course, latest_uacr
from assistant.clinical.rules.labs import judge
from assistant.records.domain import aware

# Medicines that lower eGFR when started or raised (haemodynamic, often reversible): named as a
# likely cause when started since the fall began (KDIGO 2024 CKD guideline, practice points
# 3.6.x on RAS inhibitors and MRAs; NICE NG203 2021 1.6).
_HAEMODYNAMIC = ("class:ace_inhibitor", "class:arb", "class:mra", "class:loop_diuretic", "class:thiazide")
_POTASSIUM_DAYS = 30  # a potassium older than this does not decide today's RAS-inhibitor advice


def progression_advice(chart: Chart, c: Course) -> str:
    """Causes to look for (the chart's own first), the confirmation, and the treatment advice
    that fits: no 'maximum tolerated dose' while potassium is above range or albuminuria is
    unmeasured (the plan's Medications say what is held)."""
    causes = ["volume depletion", "nephrotoxic drugs such as NSAIDs", "obstruction"]
    since = c.base.when - timedelta(days=30)
    for m in chart.meds:
        start = m.med.start
        if start is not None and any(m.has(k) for k in _HAEMODYNAMIC) and aware(start) >= since:
            causes.insert(0, f"{(m.ingredients or (m.med.name,))[0]} started {start.date().isoformat()}")
    if chart.conditions("heart_failure"):
        causes.insert(0, "worsening heart failure (congestion)")
    text = (f"Look for a cause ({', '.join(causes)}), confirm with a repeat creatinine, and review "
            "renally dosed medicines.")
    k = chart.latest("potassium", _POTASSIUM_DAYS)
    ranges = lab_ranges().get("potassium", ())
    r = select_range(chart, ranges) if ranges else None
    uacr = latest_uacr(chart)
    # Above range as the potassium flag itself reads it (the laboratory's own limits first).
    found = judge(chart, k, r) if k is not None and r is not None else None
    potassium_high = found is not None and found[0].endswith("high")
    if k is not None and potassium_high:
        text += (f" With potassium {fmt(k.value)} {k.unit} ({k.date}), ACE inhibitor, ARB and MRA "
                 "decisions follow the potassium (see its flag and the Medications).")
    if uacr is None:
        text += (" Measure the urine albumin/creatinine ratio (none on record): albuminuria decides "
                 "how far an ACE inhibitor or ARB is taken" + ("." if potassium_high else
                                                               ", up to the maximum tolerated dose."))
    elif uacr[0] >= 30 and not potassium_high:
        text += " Albuminuria: an ACE inhibitor or ARB at the maximum tolerated dose."
    sglt2 = chart.meds_with("class:sglt2_inhibitor")
    if sglt2:  # already taken: an early eGFR dip on starting it is expected, not progression
        text += (f" Continue {(sglt2[0].ingredients or (sglt2[0].med.name,))[0]} (an SGLT2 inhibitor "
                 "protects the kidneys; the small eGFR dip after starting one is expected).")
    elif c.newest.value >= 20:
        text += " An SGLT2 inhibitor protects the kidneys at eGFR 20 or more."
    return text
