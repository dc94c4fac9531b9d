"""Body-size calculators: BMI (example of the calculator pattern)."""

from __future__ import annotations

from typing import Any

from .base import Calculator, Input, Reference, Result, register


@register
class BMI(Calculator):
    id = "bmi"
    title = "Body mass index"
    reference = Reference("Keys", "J Chronic Dis", 1972, "Indices of relative weight and obesity")
    inputs = (
        Input("weight", "Body weight", "kg", low=0.5, high=400, alt_units=("lb",)),
        Input("height", "Body height", "cm", low=30, high=260, alt_units=("in", "m")),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        bmi = v["weight"] / (v["height"] / 100) ** 2
        # WHO adult bands (WHO Technical Report Series 894, 2000)
        band = ("underweight" if bmi < 18.5 else "normal" if bmi < 25 else "overweight" if bmi < 30
                else "obese class I" if bmi < 35 else "obese class II" if bmi < 40 else "obese class III")
        return self.result(v, round(bmi, 1), "kg/m2", band)
