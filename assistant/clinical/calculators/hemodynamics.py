"""Haemodynamic calculators: mean arterial pressure."""

from __future__ import annotations

from typing import Any

from assistant.errors import BadInputError

from .base import Calculator, Input, Reference, Result, register, round_half_up


@register
class MeanArterialPressure(Calculator):
    id = "mean_arterial_pressure"
    title = "Mean arterial pressure"
    # MAP = DBP + (SBP - DBP)/3 is a textbook approximation with no single originating paper; Sesso 2000
    # is a primary study that defines and uses it (and validates its prognostic value).
    reference = Reference("Sesso", "Hypertension", 2000, "Systolic and diastolic blood pressure, pulse "
                          "pressure, and mean arterial pressure as predictors of cardiovascular disease risk "
                          "in men")
    notes = "MAP = diastolic + (systolic - diastolic) / 3, from a cuff reading at normal heart rates."
    inputs = (
        Input("systolic", "Systolic blood pressure", "mmHg", low=30, high=300),
        Input("diastolic", "Diastolic blood pressure", "mmHg", low=10, high=200),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        if v["diastolic"] > v["systolic"]:
            raise BadInputError("diastolic: diastolic pressure is above systolic; check the reading")
        pulse_pressure = v["systolic"] - v["diastolic"]
        mean = v["diastolic"] + pulse_pressure / 3
        shown = round_half_up(mean, 1)
        # Surviving Sepsis Campaign 2021 (Evans, Crit Care Med 2021): initial target MAP 65 mmHg.
        band = ("below 65 mmHg: under the usual perfusion target in shock (Surviving Sepsis 2021)"
                if shown < 65 else "65 mmHg or above")
        return self.result(v, shown, "mmHg", band, pulse_pressure=round_half_up(pulse_pressure, 1))
