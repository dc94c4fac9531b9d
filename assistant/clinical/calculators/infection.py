"""Infection and sepsis scores: CURB-65, qSOFA, SIRS criteria, Centor/McIsaac."""

from __future__ import annotations

from typing import Any

from .base import Calculator, Input, Reference, Result, register


def _flag(name: str, description: str) -> Input:
    # A checklist criterion: absent unless stated, exactly as on the published score sheets.
    return Input(name, description, kind="bool", required=False, default=False)


def _temperature(name: str = "temperature") -> Input:
    return Input(name, "Body temperature", "°C", low=25, high=45, alt_units=("°F",))


def _celsius(value: float) -> float:
    # Fahrenheit input arrives as e.g. 38.00000000000006 after conversion; round the float noise
    # away so a value exactly on a published cut-off (100.4 F = 38.0 C) lands on the right side.
    return round(value, 2)


_RR = Input("respiratory_rate", "Respiratory rate", "/min", low=0, high=80)
_SBP = Input("sbp", "Systolic blood pressure", "mmHg", low=30, high=300)


@register
class CURB65(Calculator):
    id = "curb65"
    title = "CURB-65 severity score for community-acquired pneumonia"
    reference = Reference("Lim", "Thorax", 2003,
                          "Defining community acquired pneumonia severity on presentation to "
                          "hospital: an international derivation and validation study")
    inputs = (
        _flag("confusion", "New confusion (disorientation in person, place or time; AMT <=8)"),
        Input("urea", "Serum urea (BUN accepted in mg/dL)", "mmol/L", low=0.5, high=100,
              alt_units=("mg/dL",), analyte="bun"),
        _RR,
        _SBP,
        Input("dbp", "Diastolic blood pressure", "mmHg", low=10, high=200),
        Input("age", "Age", "years", low=16, high=120),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        points = {
            "confusion": int(v["confusion"]),
            "urea": int(v["urea"] > 7),  # >7 mmol/L, i.e. BUN >19.6 mg/dL
            "respiratory_rate": int(v["respiratory_rate"] >= 30),
            "blood_pressure": int(v["sbp"] < 90 or v["dbp"] <= 60),
            "age": int(v["age"] >= 65),
        }
        score = sum(points.values())
        # Lim 2003 groups with their 30-day mortality (derivation and validation combined)
        if score <= 1:
            band = "group 1, low risk (30-day mortality 1.5%): likely suitable for home treatment"
        elif score == 2:
            band = ("group 2, intermediate risk (30-day mortality 9.2%): consider hospital-"
                    "supervised treatment")
        else:
            band = ("group 3, severe pneumonia (30-day mortality 22%): manage in hospital; "
                    "assess for ICU, especially at 4-5")
        return self.result(v, score, "points", band, points)


@register
class QSOFA(Calculator):
    id = "qsofa"
    title = "Quick SOFA (qSOFA) for suspected infection outside the ICU"
    reference = Reference("Seymour", "JAMA", 2016,
                          "Assessment of clinical criteria for sepsis: for the Third International "
                          "Consensus Definitions for Sepsis and Septic Shock (Sepsis-3)")
    inputs = (
        _RR,
        _SBP,
        _flag("altered_mentation", "Altered mentation"),
        Input("gcs", "Glasgow Coma Scale (optional; <15 counts as altered mentation)",
              kind="integer", low=3, high=15, required=False),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        altered = v["altered_mentation"] or (v["gcs"] is not None and v["gcs"] < 15)
        points = {
            "respiratory_rate": int(v["respiratory_rate"] >= 22),
            "altered_mentation": int(altered),
            "sbp": int(v["sbp"] <= 100),
        }
        score = sum(points.values())
        band = ("positive: increased risk of death or prolonged ICU stay; assess for organ "
                "dysfunction" if score >= 2 else "negative")
        return self.result(v, score, "points", band, points)


@register
class SIRS(Calculator):
    id = "sirs"
    title = "Systemic inflammatory response syndrome (SIRS) criteria"
    reference = Reference("Bone", "Chest", 1992,
                          "Definitions for sepsis and organ failure and guidelines for the use of "
                          "innovative therapies in sepsis")
    notes = "The 1992 sepsis definitions were superseded by Sepsis-3 (Singer, JAMA 2016)."
    inputs = (
        _temperature(),
        Input("heart_rate", "Heart rate", "/min", low=20, high=300),
        _RR,
        Input("paco2", "PaCO2 (optional)", "mmHg", low=5, high=200, required=False),
        Input("wbc", "White cell count", "10^9/L", low=0, high=500),
        Input("bands", "Immature (band) neutrophils (optional)", "%", low=0, high=100,
              required=False),
        _flag("suspected_infection", "Confirmed or suspected infection"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        t = _celsius(v["temperature"])
        bands = v["bands"]
        points = {
            "temperature": int(t > 38 or t < 36),
            "heart_rate": int(v["heart_rate"] > 90),
            "respiratory": int(v["respiratory_rate"] > 20
                               or (v["paco2"] is not None and v["paco2"] < 32)),
            "wbc": int(v["wbc"] > 12 or v["wbc"] < 4 or (bands is not None and bands > 10)),
        }
        met = sum(points.values())
        if met < 2:
            band = "SIRS criteria not met"
        elif v["suspected_infection"]:
            band = f"SIRS ({met}/4) with infection: sepsis by the 1992 ACCP/SCCM definition"
        else:
            band = f"SIRS present ({met}/4 criteria)"
        return self.result(v, met, "criteria", band, points)


@register
class Centor(Calculator):
    id = "centor"
    title = "Centor score with McIsaac age modification (streptococcal pharyngitis)"
    reference = Reference("McIsaac", "CMAJ", 1998,
                          "A clinical score to reduce unnecessary antibiotic use in patients with "
                          "sore throat")
    notes = ("The value is the McIsaac (modified Centor) score, -1 to 5: the four criteria of "
             "Centor et al., Med Decis Making 1981, plus age. The original Centor score (0-4) is "
             "given as details.centor_score.")
    inputs = (
        Input("age", "Age", "years", low=3, high=120),
        _flag("tonsillar_exudate", "Tonsillar swelling or exudate"),
        _flag("tender_anterior_nodes", "Swollen, tender anterior cervical lymph nodes"),
        _flag("fever", "Fever: history of fever (Centor) / temperature >38 C (McIsaac)"),
        # phrased as absence so that an unstated input cannot add a point
        _flag("cough_absent", "Absence of cough"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        points = {name: int(v[name]) for name in (
            "tonsillar_exudate", "tender_anterior_nodes", "fever", "cough_absent")}
        centor = sum(points.values())
        age = int(v["age"])  # McIsaac bands in completed years: 3-14 +1, 15-44 0, >=45 -1
        points["age"] = 1 if age <= 14 else 0 if age <= 44 else -1
        score = centor + points["age"]
        # McIsaac 1998 recommended management by score
        if score <= 1:
            band = "no throat culture or antibiotic"
        elif score <= 3:
            band = "throat culture (or rapid antigen test); antibiotic only if positive"
        else:
            band = "culture and consider empirical antibiotic"
        return self.result(v, score, "points", f"McIsaac score {score}: {band}", points,
                           centor_score=centor, score_type="McIsaac (modified Centor)")
