"""Respiratory infection scores: Pneumonia Severity Index (PSI/PORT) and FeverPAIN for sore throat."""

from __future__ import annotations

from typing import Any

from .base import Calculator, Input, Reference, Result, register


def _flag(name: str, description: str) -> Input:
    return Input(name, description, kind="bool", required=False, default=False)


def _finding(name: str, description: str, unit: str, low: float, high: float, **kw: Any) -> Input:
    # Fine 1997 counted a test that was not done as normal, so each examination or laboratory value
    # is optional; the details list which were not given.
    return Input(name, description, unit, required=False, low=low, high=high, **kw)


# Fine 1997, table 2: points per characteristic. Each is (input, test on the value, points).
_COMORBIDITY = (("neoplastic_disease", 30), ("liver_disease", 20), ("heart_failure", 10),
                ("cerebrovascular_disease", 10), ("renal_disease", 10))
_FINDINGS: tuple[tuple[str, Any, int], ...] = (
    ("respiratory_rate", lambda x: x >= 30, 20),
    ("sbp", lambda x: x < 90, 20),
    ("temperature", lambda x: x < 35 or x >= 40, 15),
    ("pulse", lambda x: x >= 125, 10),
    ("ph", lambda x: x < 7.35, 30),
    ("bun", lambda x: x >= 30, 20),
    ("sodium", lambda x: x < 130, 20),
    ("glucose", lambda x: x >= 250, 10),
    ("hematocrit", lambda x: x < 30, 10),
    ("pao2", lambda x: x < 60, 10),
    ("spo2", lambda x: x < 90, 10),  # Fine 1997: PaO2 < 60 mmHg or SaO2 < 90%; one 10-point item
)
# Fine 1997, table 3: 30-day mortality by class in the derivation and validation cohorts.
_CLASSES = (("I", "0.1-0.4%", "outpatient care"), ("II", "0.6-0.7%", "outpatient care"),
            ("III", "0.9-2.8%", "outpatient care or brief observation"),
            ("IV", "8.2-9.3%", "inpatient care"), ("V", "27.0-31.1%", "inpatient care"))


@register
class PneumoniaSeverityIndex(Calculator):
    id = "psi_port"
    title = "Pneumonia Severity Index (PSI / PORT score)"
    reference = Reference("Fine", "N Engl J Med", 1997, "A prediction rule to identify low-risk patients with "
                          "community-acquired pneumonia", "10.1056/NEJM199701233360402")
    notes = ("Age (women minus 10) + 10 for nursing-home residence + comorbidity, examination, laboratory and "
             "radiographic points. Class I: age <= 50 with none of the comorbidities or examination findings; "
             "II <= 70, III 71-90, IV 91-130, V > 130 points. Values not given count as normal, as in Fine 1997. "
             "For adults with community-acquired pneumonia; clinical judgement and oxygenation override it.")
    inputs = (
        Input("age", "Age", "years", low=18, high=120),
        Input("sex", "Sex", kind="choice", choices=("female", "male")),
        _flag("nursing_home", "Nursing-home resident"),
        _flag("neoplastic_disease", "Active cancer (other than basal or squamous skin cancer) within a year"),
        _flag("liver_disease", "Liver disease (cirrhosis or other chronic liver disease)"),
        _flag("heart_failure", "Congestive heart failure"),
        _flag("cerebrovascular_disease", "Cerebrovascular disease (stroke or TIA)"),
        _flag("renal_disease", "Chronic renal disease"),
        _flag("altered_mental_status", "Altered mental status (disorientation, stupor or coma)"),
        _finding("respiratory_rate", "Respiration rate", "/min", 0, 80),
        _finding("sbp", "Systolic blood pressure", "mmHg", 30, 300),
        _finding("temperature", "Temperature", "°C", 25, 45, alt_units=("°F",)),
        _finding("pulse", "Pulse rate", "/min", 20, 300),
        _finding("ph", "Arterial pH", "", 6.5, 8.0),
        _finding("bun", "Blood urea nitrogen (urea in mmol/L accepted)", "mg/dL", 1, 300,
                 alt_units=("mmol/L",), analyte="bun"),
        _finding("sodium", "Serum sodium", "mmol/L", 90, 200),
        _finding("glucose", "Serum glucose", "mg/dL", 10, 3000, alt_units=("mmol/L",), analyte="glucose"),
        _finding("hematocrit", "Haematocrit", "%", 5, 75),
        _finding("pao2", "Arterial PaO2", "mmHg", 20, 700),
        _finding("spo2", "Oxygen saturation (used with PaO2 as one item)", "%", 50, 100),
        _flag("pleural_effusion", "Pleural effusion on the chest radiograph"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        age = int(v["age"])  # whole years, as Fine 1997 scored them
        points: dict[str, int] = {"age": age - 10 if v["sex"] == "female" else age}
        if v["nursing_home"]:
            points["nursing_home"] = 10
        points.update({k: p for k, p in _COMORBIDITY if v[k]})
        if v["altered_mental_status"]:
            points["altered_mental_status"] = 20
        for name, abnormal, p in _FINDINGS:
            if v[name] is not None and abnormal(v[name]):
                key = "oxygenation" if name in ("pao2", "spo2") else name
                points[key] = p
        if v["pleural_effusion"]:
            points["pleural_effusion"] = 10
        total = sum(points.values())
        exam = {"altered_mental_status", "respiratory_rate", "sbp", "temperature", "pulse"}
        # Step 1 of Fine 1997: class I needs age <= 50 and no comorbidity or examination finding.
        step1 = v["age"] <= 50 and not any(k in points for k in {*dict(_COMORBIDITY), *exam})
        idx = 0 if step1 else 1 if total <= 70 else 2 if total <= 90 else 3 if total <= 130 else 4
        cls, mortality, site = _CLASSES[idx]
        not_given = [name for name, _, _ in _FINDINGS if v[name] is None and name not in ("pao2", "spo2")]
        if v["pao2"] is None and v["spo2"] is None:
            not_given.append("pao2/spo2")
        return self.result(v, total, "points", f"risk class {cls}: 30-day mortality {mortality}; {site} (Fine 1997)",
                           points, risk_class=cls, not_given_counted_normal=not_given)


@register
class FeverPAIN(Calculator):
    id = "feverpain"
    title = "FeverPAIN score for acute sore throat"
    reference = Reference("Little", "BMJ", 2013, "Clinical score and rapid antigen detection test to guide "
                          "antibiotic use for sore throats: randomised controlled trial of PRISM (primary "
                          "care streptococcal management)", "10.1136/bmj.f5806")
    notes = ("One point each: Fever in the past 24 h, Purulence, Attend rapidly (within 3 days of onset), "
             "severely Inflamed tonsils, No cough or coryza. Advice bands from NICE NG84 (2018).")
    inputs = (
        _flag("fever", "Fever in the past 24 hours"),
        _flag("purulence", "Pharyngeal or tonsillar exudate (purulence)"),
        _flag("attend_rapidly", "Attended within 3 days of symptom onset"),
        _flag("inflamed_tonsils", "Severely inflamed tonsils"),
        _flag("no_cough_or_coryza", "No cough or coryza"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        points = {k: int(v[k]) for k in ("fever", "purulence", "attend_rapidly", "inflamed_tonsils",
                                         "no_cough_or_coryza")}
        score = sum(points.values())
        # Little 2013 (PRISM cohorts): streptococci isolated in about 13-18% (0-1), 34-40% (2-3), 62-65% (4-5).
        if score <= 1:
            band = "0-1: streptococci about 13-18%; no antibiotic (NICE NG84)"
        elif score <= 3:
            band = "2-3: streptococci about 34-40%; consider no antibiotic or a back-up prescription (NICE NG84)"
        else:
            band = "4-5: streptococci about 62-65%; consider an immediate or back-up antibiotic (NICE NG84)"
        return self.result(v, score, "points", band, points)
