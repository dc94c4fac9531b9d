"""Intensive-care severity scores: SOFA (Vincent 1996) and APACHE II (Knaus 1985)."""

from __future__ import annotations

from typing import Any

from assistant.errors import BadInputError

from .base import Calculator, Input, Reference, Result, register, round_half_up


def _opt(name: str, description: str, unit: str, low: float, high: float, **kw: Any) -> Input:
    return Input(name, description, unit, low=low, high=high, required=False, **kw)


def _dose(name: str, description: str) -> Input:
    return _opt(name, f"{description} dose (optional; absent = not given)", "mcg/kg/min", 0, 100)


_SOFA_SYSTEMS = ("respiration", "coagulation", "liver", "cardiovascular", "cns", "renal")


@register
class SOFA(Calculator):
    id = "sofa"
    title = "Sequential (sepsis-related) Organ Failure Assessment (SOFA)"
    reference = Reference("Vincent", "Intensive Care Med", 1996,
                          "The SOFA (Sepsis-related Organ Failure Assessment) score to describe "
                          "organ dysfunction/failure")
    notes = ("Every input is optional: an organ system with no data is left out of the total and "
             "listed in details.systems_missing, so the total is then a minimum. Vasopressor doses "
             "are for adrenergic agents given for at least 1 hour.")
    inputs = (
        _opt("pao2", "PaO2", "mmHg", 20, 700),
        _opt("fio2", "FiO2 as a fraction (0.21-1.0)", "", 0.21, 1.0),
        Input("respiratory_support", "Mechanically ventilated / on respiratory support",
              kind="bool", required=False, default=False),
        _opt("platelets", "Platelet count", "10^9/L", 0, 2000),
        _opt("bilirubin", "Serum bilirubin", "mg/dL", 0, 80, alt_units=("umol/L",),
             analyte="bilirubin"),
        _opt("map", "Mean arterial pressure", "mmHg", 10, 250),
        _dose("dopamine", "Dopamine"),
        _dose("dobutamine", "Dobutamine"),
        _dose("epinephrine", "Epinephrine (adrenaline)"),
        _dose("norepinephrine", "Norepinephrine (noradrenaline)"),
        Input("gcs", "Glasgow Coma Scale", kind="integer", low=3, high=15, required=False),
        _opt("creatinine", "Serum creatinine", "mg/dL", 0.1, 30, alt_units=("umol/L",),
             analyte="creatinine"),
        _opt("urine_output", "Urine output", "mL/day", 0, 20000),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        scored: dict[str, int] = {}
        if v["pao2"] is not None or v["fio2"] is not None:
            for name in ("pao2", "fio2"):
                if v[name] is None:
                    raise BadInputError(f"sofa: {name} is needed with "
                                        f"{'fio2' if name == 'pao2' else 'pao2'} for respiration")
            pf = v["pao2"] / v["fio2"]
            # 3 and 4 points require respiratory support; without it the score stops at 2
            if pf < 100 and v["respiratory_support"]:
                scored["respiration"] = 4
            elif pf < 200 and v["respiratory_support"]:
                scored["respiration"] = 3
            else:
                scored["respiration"] = 2 if pf < 300 else 1 if pf < 400 else 0
        if v["platelets"] is not None:
            p = v["platelets"]
            scored["coagulation"] = 4 if p < 20 else 3 if p < 50 else 2 if p < 100 else 1 if p < 150 else 0
        if v["bilirubin"] is not None:
            # Banded in mg/dL. Vincent's umol/L column (<20, 20-32, 33-101, 102-204, >204) is a
            # rounded conversion, so umol/L input converted at 17.1 can differ at an edge (20 umol/L
            # = 1.17 mg/dL scores 0 here, 1 in that column); mg/dL is the column the score defines.
            b = round(v["bilirubin"], 2)
            scored["liver"] = 0 if b < 1.2 else 1 if b < 2.0 else 2 if b < 6.0 else 3 if b < 12.0 else 4
        cv = self._cardiovascular(v)
        if cv is not None:
            scored["cardiovascular"] = cv
        if v["gcs"] is not None:
            g = v["gcs"]
            scored["cns"] = 0 if g == 15 else 1 if g >= 13 else 2 if g >= 10 else 3 if g >= 6 else 4
        renal = []
        if v["creatinine"] is not None:
            c = round(v["creatinine"], 2)
            renal.append(0 if c < 1.2 else 1 if c < 2.0 else 2 if c < 3.5 else 3 if c < 5.0 else 4)
        if v["urine_output"] is not None:
            u = v["urine_output"]
            renal.append(4 if u < 200 else 3 if u < 500 else 0)
        if renal:
            scored["renal"] = max(renal)  # the worse of creatinine and urine output
        if not scored:
            raise BadInputError("sofa: no organ system could be scored; give at least one of "
                                "pao2+fio2, platelets, bilirubin, map, gcs, creatinine, urine_output")
        missing = [s for s in _SOFA_SYSTEMS if s not in scored]
        total = sum(scored.values())
        band = f"SOFA {total} ({len(scored)}/6 organ systems scored"
        band += f"; not scored: {', '.join(missing)})" if missing else ")"
        return self.result(v, total, "points", band, scored, systems_scored=list(scored),
                           systems_missing=missing, complete=not missing)

    @staticmethod
    def _cardiovascular(v: dict[str, Any]) -> int | None:
        dopa, dobu = v["dopamine"] or 0, v["dobutamine"] or 0
        epi, norepi = v["epinephrine"] or 0, v["norepinephrine"] or 0
        if dopa > 15 or epi > 0.1 or norepi > 0.1:
            return 4
        if dopa > 5 or epi > 0 or norepi > 0:
            return 3
        if dopa > 0 or dobu > 0:
            return 2
        if v["map"] is None:
            return None  # no vasopressor and no MAP: hypotension cannot be judged
        return 1 if v["map"] < 70 else 0


Band = tuple[float, int]


def _banded(value: float, upper: tuple[Band, ...], lower: tuple[Band, ...]) -> int:
    """Knaus's tables are symmetric around a normal range: `upper` lists (threshold, points) for
    value >= threshold from the top, `lower` lists them for value < threshold from the bottom."""
    for threshold, pts in upper:
        if value >= threshold:
            return pts
    for threshold, pts in lower:
        if value < threshold:
            return pts
    return 0


# Knaus 1985 Table 1 (APACHE II acute physiology score), as (threshold, points).
_APS: dict[str, tuple[tuple[Band, ...], tuple[Band, ...]]] = {
    "temperature": (((41, 4), (39, 3), (38.5, 1)), ((30, 4), (32, 3), (34, 2), (36, 1))),
    "map": (((160, 4), (130, 3), (110, 2)), ((50, 4), (70, 2))),
    "heart_rate": (((180, 4), (140, 3), (110, 2)), ((40, 4), (55, 3), (70, 2))),
    "respiratory_rate": (((50, 4), (35, 3), (25, 1)), ((6, 4), (10, 2), (12, 1))),
    "ph": (((7.7, 4), (7.6, 3), (7.5, 1)), ((7.15, 4), (7.25, 3), (7.33, 2))),
    "hco3": (((52, 4), (41, 3), (32, 1)), ((15, 4), (18, 3), (22, 2))),
    "sodium": (((180, 4), (160, 3), (155, 2), (150, 1)), ((111, 4), (120, 3), (130, 2))),
    "potassium": (((7, 4), (6, 3), (5.5, 1)), ((2.5, 4), (3, 2), (3.5, 1))),
    "creatinine": (((3.5, 4), (2, 3), (1.5, 2)), ((0.6, 2),)),
    "hematocrit": (((60, 4), (50, 2), (46, 1)), ((20, 4), (30, 2))),
    "wbc": (((40, 4), (20, 2), (15, 1)), ((1, 4), (3, 2))),
}

# Alveolar gas equation at sea level: PAO2 = FiO2 x (760 - 47) - PaCO2 / 0.8 (Knaus gives no
# equation, only "A-aDO2"; this is the standard one).
_PATM_MINUS_PH2O = 713.0
_RQ = 0.8


def _oxygenation_points(v: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    fio2 = v["fio2"]
    if fio2 >= 0.5:
        aa = v["aa_gradient"]
        if aa is None:
            if v["pao2"] is None or v["paco2"] is None:
                raise BadInputError("apache_ii: with fio2 >= 0.5 give aa_gradient, or pao2 and "
                                    "paco2 to calculate it")
            aa = fio2 * _PATM_MINUS_PH2O - v["paco2"] / _RQ - v["pao2"]
        pts = 4 if aa >= 500 else 3 if aa >= 350 else 2 if aa >= 200 else 0
        return pts, {"oxygenation_basis": "A-a gradient", "aa_gradient": round_half_up(aa, 1)}
    if v["pao2"] is None:
        raise BadInputError("apache_ii: pao2 is required when fio2 < 0.5")
    pao2 = v["pao2"]
    pts = 0 if pao2 > 70 else 1 if pao2 >= 61 else 3 if pao2 >= 55 else 4
    return pts, {"oxygenation_basis": "PaO2"}


_CHRONIC = ("chronic_liver", "chronic_cardiovascular", "chronic_respiratory", "chronic_renal",
            "immunocompromised")


def _num(name: str, description: str, unit: str, low: float, high: float, **kw: Any) -> Input:
    return Input(name, description, unit, low=low, high=high, **kw)


def _flag(name: str, description: str) -> Input:
    return Input(name, description, kind="bool", required=False, default=False)


@register
class APACHEII(Calculator):
    id = "apache_ii"
    title = "APACHE II severity of disease score"
    reference = Reference("Knaus", "Crit Care Med", 1985,
                          "APACHE II: a severity of disease classification system")
    notes = ("Use the worst values of the first 24 ICU hours. Predicted mortality needs Knaus's "
             "diagnostic-category weights and is not calculated here.")
    inputs = (
        _num("temperature", "Core (rectal) temperature", "°C", 20, 45, alt_units=("°F",)),
        _num("map", "Mean arterial pressure", "mmHg", 10, 250),
        _num("heart_rate", "Heart rate", "/min", 0, 300),
        _num("respiratory_rate", "Respiratory rate (ventilated or not)", "/min", 0, 100),
        _num("fio2", "FiO2 as a fraction (0.21-1.0)", "", 0.21, 1.0),
        _opt("pao2", "PaO2", "mmHg", 20, 700),
        _opt("paco2", "PaCO2 (to calculate the A-a gradient when FiO2 >= 0.5)", "mmHg", 5, 200),
        _opt("aa_gradient", "A-a O2 gradient, if measured (used when FiO2 >= 0.5)", "mmHg", 0, 800),
        _opt("ph", "Arterial pH", "", 6.5, 8.0),
        _opt("hco3", "Serum bicarbonate (venous; used only without arterial pH)", "mmol/L", 1, 80),
        _num("sodium", "Serum sodium", "mmol/L", 90, 220),
        _num("potassium", "Serum potassium", "mmol/L", 1, 12),
        _num("creatinine", "Serum creatinine", "mg/dL", 0.1, 30, alt_units=("umol/L",),
             analyte="creatinine"),
        _flag("acute_renal_failure", "Acute renal failure (doubles the creatinine points)"),
        _num("hematocrit", "Haematocrit", "%", 5, 80),
        _num("wbc", "White cell count", "10^9/L", 0, 500),
        Input("gcs", "Glasgow Coma Scale", kind="integer", low=3, high=15),
        _num("age", "Age", "years", 16, 120),
        Input("admission_type", "Admission type (needed when a chronic health item is present)",
              kind="choice", choices=("nonoperative", "emergency_postoperative",
                                      "elective_postoperative"), required=False),
        _flag("chronic_liver", "Biopsy-proven cirrhosis, portal hypertension, variceal bleeding "
                               "or prior hepatic failure"),
        _flag("chronic_cardiovascular", "NYHA class IV heart failure"),
        _flag("chronic_respiratory", "Chronic lung disease with severe exercise restriction, "
                                     "chronic hypoxia/hypercapnia, polycythaemia, severe pulmonary "
                                     "hypertension or respirator dependence"),
        _flag("chronic_renal", "Chronic dialysis"),
        _flag("immunocompromised", "Immunocompromised (therapy or disease)"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        def aps(name: str, value: float) -> int:
            return _banded(value, *_APS[name])

        temp = round(v["temperature"], 2)  # strip Fahrenheit conversion noise at the cut-offs
        points: dict[str, int] = {
            "temperature": aps("temperature", temp),
            "map": aps("map", v["map"]),
            "heart_rate": aps("heart_rate", v["heart_rate"]),
            "respiratory_rate": aps("respiratory_rate", v["respiratory_rate"]),
        }
        points["oxygenation"], oxy = _oxygenation_points(v)
        # arterial pH is the variable; venous HCO3 is Knaus's fallback when no blood gas exists
        if v["ph"] is not None:
            points["ph"] = aps("ph", v["ph"])
        elif v["hco3"] is not None:
            points["hco3"] = aps("hco3", v["hco3"])
        else:
            raise BadInputError("apache_ii: give ph (or hco3 when no arterial blood gas)")
        points["sodium"] = aps("sodium", v["sodium"])
        points["potassium"] = aps("potassium", v["potassium"])
        creat = aps("creatinine", round(v["creatinine"], 2))
        points["creatinine"] = 2 * creat if v["acute_renal_failure"] else creat
        points["hematocrit"] = aps("hematocrit", v["hematocrit"])
        points["wbc"] = aps("wbc", v["wbc"])
        points["gcs"] = 15 - v["gcs"]
        aps_total = sum(points.values())

        age = v["age"]
        points["age"] = 0 if age < 45 else 2 if age < 55 else 3 if age < 65 else 5 if age < 75 else 6
        chronic = [c for c in _CHRONIC if v[c]]
        if chronic:
            if v["admission_type"] is None:
                raise BadInputError("apache_ii: admission_type is required when a chronic health "
                                    "item is present")
            points["chronic_health"] = 2 if v["admission_type"] == "elective_postoperative" else 5
        else:
            points["chronic_health"] = 0
        total = sum(points.values())
        band = (f"APACHE II {total} (acute physiology {aps_total}, age {points['age']}, "
                f"chronic health {points['chronic_health']})")
        return self.result(v, total, "points", band, points, acute_physiology_score=aps_total,
                           chronic_conditions=chronic, **oxy)

