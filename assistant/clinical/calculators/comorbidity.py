"""Comorbidity burden: the Charlson comorbidity index, optionally age-adjusted."""

from __future__ import annotations

import math
from typing import Any

from .base import Calculator, Input, Reference, Result, register, round_half_up


def _flag(name: str, description: str) -> Input:
    # A checklist condition: absent unless stated.
    return Input(name, description, kind="bool", required=False, default=False)


# Charlson 1987 weights for the conditions that are simple present/absent items.
_WEIGHTS: tuple[tuple[str, str, int], ...] = (
    ("myocardial_infarction", "Myocardial infarction (history)", 1),
    ("chf", "Congestive heart failure", 1),
    ("peripheral_vascular_disease", "Peripheral vascular disease (incl. aortic aneurysm >=6 cm)", 1),
    ("cerebrovascular_disease", "Cerebrovascular disease (stroke or TIA with mild or no residua)", 1),
    ("dementia", "Dementia", 1),
    ("chronic_pulmonary_disease", "Chronic pulmonary disease", 1),
    ("connective_tissue_disease", "Connective tissue disease", 1),
    ("peptic_ulcer_disease", "Peptic ulcer disease", 1),
    ("hemiplegia", "Hemiplegia", 2),
    ("renal_disease", "Moderate or severe renal disease", 2),
    ("leukemia", "Leukaemia", 2),
    ("lymphoma", "Lymphoma", 2),
    ("aids", "AIDS", 6),
)

# Graded conditions: the more severe grade replaces the milder one, so each is one choice.
_GRADED: dict[str, dict[str, int]] = {
    "diabetes": {"none": 0, "uncomplicated": 1, "end_organ_damage": 2},
    "liver_disease": {"none": 0, "mild": 1, "moderate_severe": 3},
    "solid_tumor": {"none": 0, "localized": 2, "metastatic": 6},
}

# Charlson 1987 derivation cohort: 1-year mortality by index group.
_ONE_YEAR_MORTALITY = ((0, "0", 12), (2, "1-2", 26), (4, "3-4", 52), (math.inf, ">=5", 85))


@register
class Charlson(Calculator):
    id = "charlson"
    title = "Charlson comorbidity index"
    reference = Reference("Charlson", "J Chronic Dis", 1987,
                          "A new method of classifying prognostic comorbidity in longitudinal "
                          "studies: development and validation")
    notes = ("With age given, the value is the combined age-comorbidity score of Charlson et al., "
             "J Clin Epidemiol 1994: one point per decade over 40 (50-59 = 1, 60-69 = 2, ...), "
             "uncapped as in the paper (MDCalc stops at 4 points for >=80). The 10-year survival "
             "estimate 0.983^(e^(0.9 x score)) is the formula MDCalc cites from Charlson 1987; it "
             "is applied to the reported value.")
    inputs = (
        Input("age", "Age (optional; adds the 1994 age points)", "years", low=0, high=120,
              required=False),
        *(_flag(name, f"{desc} ({w})") for name, desc, w in _WEIGHTS),
        Input("diabetes", "Diabetes: none, uncomplicated (1) or with end-organ damage (2)",
              kind="choice", choices=tuple(_GRADED["diabetes"]), required=False, default="none"),
        Input("liver_disease", "Liver disease: none, mild (1) or moderate/severe with portal "
                               "hypertension (3)", kind="choice",
              choices=tuple(_GRADED["liver_disease"]), required=False, default="none"),
        Input("solid_tumor", "Solid tumour: none, localized (2) or metastatic (6)",
              kind="choice", choices=tuple(_GRADED["solid_tumor"]), required=False,
              default="none"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        points = {name: w * int(v[name]) for name, _, w in _WEIGHTS}
        points.update({name: grades[v[name]] for name, grades in _GRADED.items()})
        comorbidity = sum(points.values())
        age_adjusted = v["age"] is not None
        if age_adjusted:
            # each full decade past 40: 40-49 -> 0, 50-59 -> 1, ...
            points["age"] = max(0, (int(v["age"]) - 40) // 10)
        score = sum(points.values())
        survival = 100 * 0.983 ** math.exp(0.9 * score)
        group, mortality = next((g, m) for hi, g, m in _ONE_YEAR_MORTALITY if comorbidity <= hi)
        kind = "age-adjusted Charlson score" if age_adjusted else "Charlson comorbidity index"
        band = (f"{kind} {score}; estimated 10-year survival {round_half_up(survival)}% "
                f"(comorbidity index group {group}: 1-year mortality {mortality}% in Charlson 1987)")
        return self.result(v, score, "points", band, points, comorbidity_index=comorbidity,
                           age_adjusted=age_adjusted, ten_year_survival_percent=round_half_up(survival, 1),
                           one_year_mortality_percent=mortality)
