"""Acute cardiology: the HEART score for chest pain in the emergency department."""

from __future__ import annotations

from typing import Any

from .base import Calculator, Input, Reference, Result, register

_RISK_FACTORS = ("hypercholesterolemia", "hypertension", "diabetes", "smoking", "family_history",
                 "obesity")


def _flag(name: str, description: str) -> Input:
    # A checklist criterion: absent unless stated, exactly as on the published score sheets.
    return Input(name, description, kind="bool", required=False, default=False)


@register
class HEART(Calculator):
    id = "heart"
    title = "HEART score for major adverse cardiac events in chest pain"
    reference = Reference("Six", "Neth Heart J", 2008,
                          "Chest pain in the emergency room: value of the HEART score")
    notes = ("Age bands follow Backus et al., Int J Cardiol 2013 (<45, 45-64, >=65), which removes "
             "the overlap at 45 and 65 in the 2008 table.")
    inputs = (
        Input("history", "History: slightly, moderately or highly suspicious for ACS",
              kind="choice", choices=("slightly", "moderately", "highly")),
        Input("ecg", "ECG: normal, non-specific repolarisation disturbance (incl. LBBB, LVH, "
                     "paced, digoxin), or significant ST depression",
              kind="choice", choices=("normal", "nonspecific", "st_depression")),
        Input("age", "Age", "years", low=18, high=120),
        _flag("hypercholesterolemia", "Risk factor: hypercholesterolaemia"),
        _flag("hypertension", "Risk factor: hypertension"),
        _flag("diabetes", "Risk factor: diabetes mellitus"),
        _flag("smoking", "Risk factor: current smoker or stopped <=3 months ago"),
        _flag("family_history", "Risk factor: parent or sibling with cardiovascular disease "
                                "before 65"),
        _flag("obesity", "Risk factor: obesity (BMI >30)"),
        _flag("atherosclerotic_disease", "Known atherosclerotic disease (prior MI, PCI/CABG, "
                                         "stroke/TIA, peripheral arterial disease)"),
        Input("troponin", "Troponin relative to the normal limit: normal (<=limit), 1-3x, >3x",
              kind="choice", choices=("normal", "1-3x", ">3x")),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        n_rf = sum(int(v[k]) for k in _RISK_FACTORS)
        age = v["age"]
        points = {
            "history": {"slightly": 0, "moderately": 1, "highly": 2}[v["history"]],
            "ecg": {"normal": 0, "nonspecific": 1, "st_depression": 2}[v["ecg"]],
            "age": 0 if age < 45 else 1 if age < 65 else 2,
            "risk_factors": 2 if n_rf >= 3 or v["atherosclerotic_disease"] else 1 if n_rf else 0,
            "troponin": {"normal": 0, "1-3x": 1, ">3x": 2}[v["troponin"]],
        }
        score = sum(points.values())
        # Six 2008: MACE within 6 weeks 2.5% (0-3), 20.3% (4-6), 72.7% (7-10)
        if score <= 3:
            band = "low risk (MACE 2.5% in Six 2008): candidate for early discharge"
        elif score <= 6:
            band = "intermediate risk (MACE 20.3%): admit for observation and further testing"
        else:
            band = "high risk (MACE 72.7%): early invasive strategy"
        return self.result(v, score, "points", band, points, risk_factor_count=n_rf)
