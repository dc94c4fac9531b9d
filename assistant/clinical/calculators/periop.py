"""Perioperative risk: Revised Cardiac Risk Index (Lee) and the Caprini 2005 VTE risk assessment."""

from __future__ import annotations

from typing import Any

from assistant.errors import BadInputError

from .base import Calculator, Input, Reference, Result, register


def _flag(name: str, description: str) -> Input:
    # A checklist criterion: absent unless stated, exactly as on the published score sheets.
    return Input(name, description, kind="bool", required=False, default=False)


# Lee 1999 validation cohort (Table 4): major cardiac complication rate by class (I-IV).
_RCRI_CLASSES = (("I", 0.4), ("II", 0.9), ("III", 6.6), ("IV", 11.0))


@register
class RCRI(Calculator):
    id = "rcri"
    title = "Revised Cardiac Risk Index for major noncardiac surgery"
    reference = Reference("Lee", "Circulation", 1999,
                          "Derivation and prospective validation of a simple index for prediction "
                          "of cardiac risk of major noncardiac surgery")
    inputs = (
        Input("creatinine", "Preoperative serum creatinine", "mg/dL", low=0.1, high=30,
              alt_units=("umol/L",), analyte="creatinine"),
        _flag("high_risk_surgery", "High-risk surgery: intraperitoneal, intrathoracic or "
                                   "suprainguinal vascular"),
        _flag("ischemic_heart_disease", "Ischaemic heart disease (MI, positive stress test, "
                                        "angina, nitrate use, pathological Q waves)"),
        _flag("heart_failure", "History of congestive heart failure"),
        _flag("cerebrovascular_disease", "History of stroke or TIA"),
        _flag("insulin_diabetes", "Diabetes treated with insulin"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        points = {name: int(v[name]) for name in (
            "high_risk_surgery", "ischemic_heart_disease", "heart_failure",
            "cerebrovascular_disease", "insulin_diabetes")}
        # Lee 1999: preoperative creatinine >2.0 mg/dL (177 umol/L)
        points["creatinine"] = int(v["creatinine"] > 2.0)
        score = sum(points.values())
        klass, rate = _RCRI_CLASSES[min(score, 3)]
        band = f"class {klass}: major cardiac complication rate {rate:g}% (Lee 1999 validation)"
        return self.result(v, score, "points", band, points, risk_class=klass,
                           complication_rate_percent=rate)


# Caprini 2005 risk factor form: (input name, description, points, women only).
_CAPRINI_FACTORS: tuple[tuple[str, str, int, bool], ...] = (
    ("minor_surgery", "Minor surgery planned", 1, False),
    ("recent_major_surgery", "History of prior major surgery (<1 month)", 1, False),
    ("varicose_veins", "Varicose veins", 1, False),
    ("inflammatory_bowel_disease", "History of inflammatory bowel disease", 1, False),
    ("swollen_legs", "Swollen legs (current)", 1, False),
    ("obesity", "Obesity (BMI >25)", 1, False),
    ("acute_mi", "Acute myocardial infarction", 1, False),
    ("chf", "Congestive heart failure (<1 month)", 1, False),
    ("sepsis", "Sepsis (<1 month)", 1, False),
    ("serious_lung_disease", "Serious lung disease incl. pneumonia (<1 month)", 1, False),
    ("copd", "Abnormal pulmonary function (COPD)", 1, False),
    ("bed_rest", "Medical patient currently at bed rest", 1, False),
    ("other_risk_factor", "Other risk factor (as listed on the form)", 1, False),
    ("hormones", "Oral contraceptives or hormone replacement therapy", 1, True),
    ("pregnancy_postpartum", "Pregnancy or postpartum (<1 month)", 1, True),
    ("obstetric_history", "History of unexplained stillborn infant, recurrent spontaneous abortion "
                          "(>=3), premature birth with toxaemia or growth-restricted infant", 1, True),
    ("arthroscopic_surgery", "Arthroscopic surgery", 2, False),
    ("malignancy", "Malignancy (present or previous)", 2, False),
    ("major_surgery", "Major surgery (>45 minutes)", 2, False),
    ("laparoscopic_surgery", "Laparoscopic surgery (>45 minutes)", 2, False),
    ("confined_to_bed", "Patient confined to bed (>72 hours)", 2, False),
    ("plaster_cast", "Immobilising plaster cast (<1 month)", 2, False),
    ("central_venous_access", "Central venous access", 2, False),
    ("history_vte", "History of DVT/PE", 3, False),
    ("family_history_thrombosis", "Family history of thrombosis", 3, False),
    ("factor_v_leiden", "Positive factor V Leiden", 3, False),
    ("prothrombin_20210a", "Positive prothrombin 20210A", 3, False),
    ("elevated_homocysteine", "Elevated serum homocysteine", 3, False),
    ("lupus_anticoagulant", "Positive lupus anticoagulant", 3, False),
    ("anticardiolipin_antibodies", "Elevated anticardiolipin antibodies", 3, False),
    ("hit", "Heparin-induced thrombocytopenia (HIT)", 3, False),
    ("other_thrombophilia", "Other congenital or acquired thrombophilia", 3, False),
    ("arthroplasty", "Elective major lower extremity arthroplasty", 5, False),
    ("hip_pelvis_leg_fracture", "Hip, pelvis or leg fracture (<1 month)", 5, False),
    ("stroke", "Stroke (<1 month)", 5, False),
    ("multiple_trauma", "Multiple trauma (<1 month)", 5, False),
    ("spinal_cord_injury", "Acute spinal cord injury with paralysis (<1 month)", 5, False),
)


@register
class Caprini(Calculator):
    id = "caprini"
    title = "Caprini venous thromboembolism risk assessment (2005)"
    reference = Reference("Caprini", "Dis Mon", 2005,
                          "Thrombosis risk assessment as a guide to quality patient care",
                          et_al=False)
    notes = ("Risk levels follow Caprini 2005 (0-1 low, 2 moderate, 3-4 high, >=5 highest); "
             "MDCalc shows the later Bahl 2010 / Pannucci bands instead.")
    inputs = (
        Input("age", "Age", "years", low=0, high=120),
        Input("sex", "Sex (needed only to check the women-only factors)", kind="choice",
              choices=("female", "male"), required=False),
    ) + tuple(_flag(name, f"{desc} ({pts} point{'s' if pts > 1 else ''}"
                          f"{', women only' if women else ''})")
              for name, desc, pts, women in _CAPRINI_FACTORS)

    def _compute(self, v: dict[str, Any]) -> Result:
        if v["sex"] == "male":
            wrong = [name for name, _, _, women in _CAPRINI_FACTORS if women and v[name]]
            if wrong:
                raise BadInputError(f"caprini: {', '.join(wrong)} apply to women only, but sex is male")
        age = int(v["age"])  # bands are in completed years: 41-60, 61-74, >=75
        points = {"age": 3 if age >= 75 else 2 if age >= 61 else 1 if age >= 41 else 0}
        points.update({name: pts * int(v[name]) for name, _, pts, _ in _CAPRINI_FACTORS})
        score = sum(points.values())
        # Caprini 2005 table: risk level and DVT incidence without prophylaxis
        if score <= 1:
            level, dvt = "low", "<10%"
        elif score == 2:
            level, dvt = "moderate", "10-20%"
        elif score <= 4:
            level, dvt = "high", "20-40%"
        else:
            level, dvt = "highest", "40-80%"
        return self.result(v, score, "points", f"{level} risk (DVT incidence {dvt})", points,
                           risk_level=level, dvt_incidence=dvt)
