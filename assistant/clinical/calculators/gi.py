"""Gastroenterology: Glasgow-Blatchford score for upper gastrointestinal bleeding."""

from __future__ import annotations

from typing import Any

from .base import Calculator, Input, Reference, Result, register


def _flag(name: str, description: str) -> Input:
    # A checklist criterion: absent unless stated, exactly as on the published score sheets.
    return Input(name, description, kind="bool", required=False, default=False)


@register
class GlasgowBlatchford(Calculator):
    id = "glasgow_blatchford"
    title = "Glasgow-Blatchford bleeding score (upper GI haemorrhage)"
    reference = Reference("Blatchford", "Lancet", 2000,
                          "A risk score to predict need for treatment for upper-gastrointestinal "
                          "haemorrhage")
    inputs = (
        Input("urea", "Blood urea (BUN accepted in mg/dL)", "mmol/L", low=0.5, high=100,
              alt_units=("mg/dL",), analyte="bun"),
        Input("hemoglobin", "Haemoglobin", "g/dL", low=2, high=25, alt_units=("g/L", "mmol/L"),
              analyte="hemoglobin"),
        Input("sex", "Sex (haemoglobin bands differ)", kind="choice", choices=("female", "male")),
        Input("sbp", "Systolic blood pressure", "mmHg", low=30, high=300),
        Input("pulse", "Pulse rate", "/min", low=20, high=300),
        _flag("melena", "Presentation with melaena"),
        _flag("syncope", "Presentation with syncope"),
        _flag("hepatic_disease", "History of hepatic disease (or clinical/laboratory evidence)"),
        _flag("cardiac_failure", "Cardiac failure (history or clinical/echo evidence)"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        # round away unit-conversion noise so values on a cut-off (e.g. 120 g/L) band correctly
        urea, hb, sbp = round(v["urea"], 2), round(v["hemoglobin"], 2), v["sbp"]
        if v["sex"] == "male":
            hb_pts = 0 if hb >= 13 else 1 if hb >= 12 else 3 if hb >= 10 else 6
        else:
            hb_pts = 0 if hb >= 12 else 1 if hb >= 10 else 6
        points = {
            "urea": 0 if urea < 6.5 else 2 if urea < 8 else 3 if urea < 10 else 4 if urea < 25 else 6,
            "hemoglobin": hb_pts,
            "sbp": 0 if sbp >= 110 else 1 if sbp >= 100 else 2 if sbp >= 90 else 3,
            "pulse": int(v["pulse"] >= 100),
            "melena": int(v["melena"]),
            "syncope": 2 * v["syncope"],
            "hepatic_disease": 2 * v["hepatic_disease"],
            "cardiac_failure": 2 * v["cardiac_failure"],
        }
        score = sum(points.values())
        # Blatchford 2000: a score of 0 identified patients who needed no intervention (later
        # validated for outpatient management, Stanley, Lancet 2009); any higher score means some
        # risk of needing transfusion, endoscopic therapy or surgery, rising with the score.
        band = ("low risk: no intervention expected; consider outpatient management" if score == 0
                else "at risk of needing intervention (transfusion, endoscopic therapy or surgery)")
        return self.result(v, score, "points", band, points)
