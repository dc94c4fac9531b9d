"""Thrombosis scores: CHA2DS2-VASc, HAS-BLED, Wells for PE and DVT, and the PERC rule."""

from __future__ import annotations

from typing import Any

from .base import Calculator, Input, Reference, Result, register


def _flag(name: str, description: str) -> Input:
    # A checklist criterion: absent unless stated, exactly as on the published score sheets.
    return Input(name, description, kind="bool", required=False, default=False)


_SEX = Input("sex", "Sex", kind="choice", choices=("female", "male"))


@register
class CHA2DS2VASc(Calculator):
    id = "cha2ds2_vasc"
    title = "CHA2DS2-VASc score for stroke risk in atrial fibrillation"
    reference = Reference("Lip", "Chest", 2010,
                          "Refining clinical risk stratification for predicting stroke and "
                          "thromboembolism in atrial fibrillation using a novel risk factor-based "
                          "approach: the Euro Heart Survey on Atrial Fibrillation")
    notes = ("Sc (sex category) scores female sex; later guidance (ESC 2012 onward) treats a score "
             "made up only of female sex as low risk.")
    inputs = (
        Input("age", "Age", "years", low=18, high=120),
        _SEX,
        _flag("chf", "Congestive heart failure or moderate-to-severe LV systolic dysfunction"),
        _flag("hypertension", "Hypertension"),
        _flag("diabetes", "Diabetes mellitus"),
        _flag("stroke_tia_thromboembolism", "Previous stroke, TIA or thromboembolism"),
        _flag("vascular_disease", "Vascular disease: prior myocardial infarction, peripheral "
                                  "artery disease or aortic plaque"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        age = v["age"]
        points = {
            "chf": int(v["chf"]),
            "hypertension": int(v["hypertension"]),
            # A2 (>=75) and A (65-74) are one age criterion worth 2 or 1
            "age": 2 if age >= 75 else 1 if age >= 65 else 0,
            "diabetes": int(v["diabetes"]),
            "stroke_tia_thromboembolism": 2 * v["stroke_tia_thromboembolism"],
            "vascular_disease": int(v["vascular_disease"]),
            "sex_female": int(v["sex"] == "female"),
        }
        score = sum(points.values())
        # Lip 2010 risk categories: 0 low, 1 intermediate, >=2 high
        band = ("low risk" if score == 0 else "intermediate risk" if score == 1 else "high risk")
        only_sex = score == 1 and points["sex_female"] == 1
        return self.result(v, score, "points", band, points, female_sex_only=only_sex)


# Pisters 2010 (Table 4, Euro Heart Survey validation): major bleeds per 100 patient-years by score.
_HASBLED_BLEEDS = {0: 1.13, 1: 1.02, 2: 1.88, 3: 3.74, 4: 8.70, 5: 12.50}


@register
class HASBLED(Calculator):
    id = "has_bled"
    title = "HAS-BLED score for 1-year major bleeding risk on anticoagulation in AF"
    reference = Reference("Pisters", "Chest", 2010,
                          "A novel user-friendly score (HAS-BLED) to assess 1-year risk of major "
                          "bleeding in patients with atrial fibrillation: the Euro Heart Survey")
    inputs = (
        Input("age", "Age (E: elderly, >65 years)", "years", low=18, high=120),
        _flag("hypertension", "Uncontrolled hypertension (systolic >160 mmHg)"),
        _flag("abnormal_renal_function", "Chronic dialysis, renal transplant or serum creatinine "
                                         ">=200 umol/L (2.26 mg/dL)"),
        _flag("abnormal_liver_function", "Chronic hepatic disease (e.g. cirrhosis) or bilirubin "
                                         ">2x ULN with AST/ALT/ALP >3x ULN"),
        _flag("stroke", "Previous stroke"),
        _flag("bleeding", "Bleeding history or predisposition (e.g. anaemia)"),
        _flag("labile_inr", "Labile INR (unstable/high INRs or time in range <60%)"),
        _flag("drugs", "Concomitant antiplatelet agents or NSAIDs"),
        _flag("alcohol", "Alcohol use >=8 drinks/week"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        points = {
            "hypertension": int(v["hypertension"]),
            "abnormal_renal_function": int(v["abnormal_renal_function"]),
            "abnormal_liver_function": int(v["abnormal_liver_function"]),
            "stroke": int(v["stroke"]),
            "bleeding": int(v["bleeding"]),
            "labile_inr": int(v["labile_inr"]),
            "elderly": int(v["age"] > 65),
            "drugs": int(v["drugs"]),
            "alcohol": int(v["alcohol"]),
        }
        score = sum(points.values())
        # Pisters 2010 defines only >=3 as high risk (caution, regular review); the 0 low and
        # 1-2 moderate labels below it follow the ESC 2010 AF guideline's wording.
        band = "low risk" if score == 0 else "moderate risk" if score <= 2 else "high risk"
        rate = _HASBLED_BLEEDS.get(score)  # scores >5 had too few patients for a rate
        return self.result(v, score, "points", band, points, bleeds_per_100_patient_years=rate)


@register
class WellsPE(Calculator):
    id = "wells_pe"
    title = "Wells score for pulmonary embolism"
    reference = Reference("Wells", "Thromb Haemost", 2000,
                          "Derivation of a simple clinical model to categorize patients' probability "
                          "of pulmonary embolism: increasing the model's utility with the SimpliRED "
                          "D-dimer")
    inputs = (
        Input("heart_rate", "Heart rate", "/min", low=20, high=300),
        _flag("dvt_signs", "Clinical signs and symptoms of DVT (leg swelling and pain on "
                           "palpation of the deep veins)"),
        _flag("pe_most_likely", "An alternative diagnosis is less likely than PE"),
        _flag("immobilization_or_surgery", "Immobilisation (>=3 days) or surgery in the previous "
                                           "4 weeks"),
        _flag("previous_vte", "Previous DVT or PE"),
        _flag("hemoptysis", "Haemoptysis"),
        _flag("malignancy", "Malignancy (on treatment, treated in the last 6 months, or palliative)"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        points = {
            "dvt_signs": 3.0 * v["dvt_signs"],
            "pe_most_likely": 3.0 * v["pe_most_likely"],
            "heart_rate": 1.5 if v["heart_rate"] > 100 else 0.0,
            "immobilization_or_surgery": 1.5 * v["immobilization_or_surgery"],
            "previous_vte": 1.5 * v["previous_vte"],
            "hemoptysis": 1.0 * v["hemoptysis"],
            "malignancy": 1.0 * v["malignancy"],
        }
        score = sum(points.values())
        # Wells 2000 gives both: three categories (<2 low, 2-6 moderate, >6 high) and the
        # dichotomised model used with D-dimer (<=4 PE unlikely, >4 PE likely).
        three = ("low probability" if score < 2 else "moderate probability" if score <= 6
                 else "high probability")
        two = "PE unlikely" if score <= 4 else "PE likely"
        return self.result(v, score, "points", f"{three}; {two}", points,
                           three_tier=three, two_tier=two)


@register
class WellsDVT(Calculator):
    id = "wells_dvt"
    title = "Wells score for deep-vein thrombosis (2003 modification)"
    reference = Reference("Wells", "N Engl J Med", 2003,
                          "Evaluation of D-dimer in the diagnosis of suspected deep-vein thrombosis")
    notes = "Wells 2003 added previously documented DVT (1 point) and dichotomised at 2 points."
    inputs = (
        _flag("active_cancer", "Active cancer (treatment ongoing, within 6 months, or palliative)"),
        _flag("paralysis_or_cast", "Paralysis, paresis or recent plaster immobilisation of a leg"),
        _flag("bedridden_or_surgery", "Recently bedridden >=3 days, or major surgery within 12 "
                                      "weeks requiring general or regional anaesthesia"),
        _flag("deep_vein_tenderness", "Localised tenderness along the distribution of the deep "
                                      "venous system"),
        _flag("entire_leg_swollen", "Entire leg swollen"),
        _flag("calf_swelling", "Calf swelling >=3 cm larger than the asymptomatic side (10 cm "
                               "below the tibial tuberosity)"),
        _flag("pitting_edema", "Pitting oedema confined to the symptomatic leg"),
        _flag("collateral_veins", "Collateral superficial veins (non-varicose)"),
        _flag("previous_dvt", "Previously documented DVT"),
        _flag("alternative_diagnosis", "An alternative diagnosis at least as likely as DVT (-2)"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        points = {name: int(v[name]) for name in (
            "active_cancer", "paralysis_or_cast", "bedridden_or_surgery", "deep_vein_tenderness",
            "entire_leg_swollen", "calf_swelling", "pitting_edema", "collateral_veins",
            "previous_dvt")}
        points["alternative_diagnosis"] = -2 * v["alternative_diagnosis"]
        score = sum(points.values())
        band = "DVT likely" if score >= 2 else "DVT unlikely"
        return self.result(v, score, "points", band, points)


@register
class PERC(Calculator):
    id = "perc"
    title = "Pulmonary embolism rule-out criteria (PERC)"
    reference = Reference("Kline", "J Thromb Haemost", 2004,
                          "Clinical criteria to prevent unnecessary diagnostic testing in emergency "
                          "department patients with suspected pulmonary embolism")
    notes = "Apply only when clinical pretest probability of PE is already low."
    inputs = (
        Input("age", "Age", "years", low=0, high=120),
        Input("heart_rate", "Heart rate", "/min", low=20, high=300),
        Input("spo2", "Oxygen saturation on room air", "%", low=50, high=100),
        _flag("unilateral_leg_swelling", "Unilateral leg swelling"),
        _flag("hemoptysis", "Haemoptysis"),
        _flag("recent_surgery_or_trauma", "Surgery or trauma within 4 weeks requiring "
                                          "hospitalisation or general anaesthesia"),
        _flag("prior_vte", "Prior PE or DVT"),
        _flag("hormone_use", "Oral contraceptive, hormone replacement or oestrogen use"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        # One point per criterion NOT met; the rule is negative only when all eight are met.
        points = {
            "age": int(v["age"] >= 50),
            "heart_rate": int(v["heart_rate"] >= 100),
            "spo2": int(v["spo2"] < 95),
            "unilateral_leg_swelling": int(v["unilateral_leg_swelling"]),
            "hemoptysis": int(v["hemoptysis"]),
            "recent_surgery_or_trauma": int(v["recent_surgery_or_trauma"]),
            "prior_vte": int(v["prior_vte"]),
            "hormone_use": int(v["hormone_use"]),
        }
        failed = sum(points.values())
        if failed == 0:
            band = "PERC negative: PE excluded without further testing if pretest probability is low"
        else:
            band = f"PERC positive ({failed} criteria not met): PE not excluded by PERC"
        return self.result(v, failed, "criteria", band, points,
                           failed_criteria=[k for k, p in points.items() if p])
