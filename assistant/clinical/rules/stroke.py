"""Secondary stroke prevention: an ischaemic stroke or TIA on record and no antiplatelet or anticoagulant."""

from __future__ import annotations

from typing import Any

from assistant.clinical.extract import Chart
from assistant.clinical.knowledge import read_toml
from assistant.records.domain import Condition

from .base import Flag
from .stroke_evidence import stopped_antithrombotics, stroke_treatment


def _cfg() -> dict[str, Any]:
    return read_toml("rules.toml")["care_gaps"]["antithrombotic"]


def _when(c: Condition, note: str = "") -> str:
    """' (2012)', ' (2012, type not recorded)', or the note alone when the onset is unknown."""
    parts = [str(c.onset.year)] if c.onset is not None else []
    parts += [note] if note else []
    return f" ({', '.join(parts)})" if parts else ""


def antithrombotic_gap(chart: Chart) -> list[Flag]:
    """A HIGH care gap when the stroke history calls for an antithrombotic and none is active.

    The history counts whether the condition is active or resolved (rules.toml [history]); the
    medicines must be active on as_of (Medication.active_at, as Chart.meds reads them).
    """
    cfg = _cfg()
    if chart.patient.deceased:
        return []
    if any(chart.meds_with(key) for key in cfg["treated_by"]):
        return []
    ischaemic = chart.conditions(cfg["ischaemic"])
    unspecified = chart.conditions(cfg["unspecified"])
    bleed = chart.conditions(cfg["haemorrhagic"])
    if ischaemic:
        event, label = ischaemic[0], ischaemic[0].display or "Ischaemic stroke or TIA"
    elif unspecified and not bleed:
        # Most strokes are ischaemic; one of unrecorded type is treated as ischaemic, and says so.
        event, label = unspecified[0], unspecified[0].display or "Stroke"
    else:
        return []  # no stroke history, or a haemorrhage alone: not this rule's decision
    typed = bool(ischaemic)
    # An uncoded type is read from the acute treatment on record (thrombolysis, thrombectomy).
    treated = None if typed or bleed else stroke_treatment(chart, event, cfg["evidence_days"])
    stopped = stopped_antithrombotics(chart, cfg["treated_by"])
    af = chart.conditions("atrial_fibrillation")
    kind = "" if typed else (f"ischaemic: {treated.text()}" if treated else "type not recorded")
    title = (f"{label}{_when(event, kind)} without an antiplatelet or anticoagulant"
             + (f" ({'; '.join(s.short() for s in stopped[:2])})" if stopped else ""))
    status = "is on the problem list" if event.is_active else "is in the history (resolved)"
    text = (f"{label}{_when(event)} {status} and no antiplatelet or anticoagulant is on the active "
            "medication list. The 2021 AHA/ASA secondary stroke prevention guideline recommends "
            "long-term antithrombotic therapy after an ischaemic stroke or TIA to prevent a recurrence: ")
    text += ("with atrial fibrillation on record, an oral anticoagulant." if af else
             "an antiplatelet (aspirin, clopidogrel, or aspirin with extended-release dipyridamole); "
             "an oral anticoagulant instead if atrial fibrillation or another cardioembolic source is found.")
    if treated:
        text += (f" The stroke type is not coded, but it was treated with {treated.text()} on "
                 f"{treated.date}, treatment given only for an ischaemic stroke (AHA/ASA 2019): it was ischaemic.")
    elif not typed:
        text += (" The stroke type is not recorded: confirm from the imaging report that it was not a "
                 "haemorrhage before starting.")
    text += "".join(f" {s.sentence()}" for s in stopped[:2])
    severity = cfg["severity"]
    if bleed:
        # An intracranial haemorrhage is recorded too: still a gap, but the decision is the stroke team's.
        severity = "moderate"
        text += (f" {bleed[0].display} is also on record: weigh the recurrence risk against bleeding "
                 "with the stroke team.")
    text += " Record the reason if an antithrombotic is withheld (bleeding, allergy, patient choice)."
    evidence = ((event.ref,) + tuple(c.ref for c in af[:1]) + tuple(c.ref for c in bleed[:1])
                + (treated.refs if treated else ()) + tuple(s.ref for s in stopped[:2]))
    source = "; ".join((cfg["source"], *(treated.sources if treated else ())))
    return [Flag("gap:antithrombotic:stroke", title, severity, "care gap", evidence, text, (), source)]
