"""Bedside acuity: National Early Warning Score 2 (NEWS2) and the Glasgow Coma Scale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Calculator, Input, Reference, Result, register, round_half_up

_CONSCIOUSNESS = ("alert", "confusion", "voice", "pain", "unresponsive")


def _rr_points(rr: int) -> int:
    return 3 if rr <= 8 else 1 if rr <= 11 else 0 if rr <= 20 else 2 if rr <= 24 else 3


def _spo2_scale1_points(s: int) -> int:
    return 3 if s <= 91 else 2 if s <= 93 else 1 if s <= 95 else 0


def _spo2_scale2_points(s: int, on_oxygen: bool) -> int:
    # Scale 2 (target 88-92%, hypercapnic respiratory failure): low values score as in scale 1
    # shifted down; 93% and above scores 0 on air but is penalised on oxygen (over-oxygenation).
    if s <= 83:
        return 3
    if s <= 85:
        return 2
    if s <= 87:
        return 1
    if s <= 92 or not on_oxygen:
        return 0
    return 1 if s <= 94 else 2 if s <= 96 else 3


def _sbp_points(sbp: int) -> int:
    return 3 if sbp <= 90 else 2 if sbp <= 100 else 1 if sbp <= 110 else 0 if sbp <= 219 else 3


def _pulse_points(p: int) -> int:
    return (3 if p <= 40 else 1 if p <= 50 else 0 if p <= 90 else 1 if p <= 110
            else 2 if p <= 130 else 3)


def _temp_points(t: float) -> int:
    return 3 if t <= 35.0 else 1 if t <= 36.0 else 0 if t <= 38.0 else 1 if t <= 39.0 else 2


@register
class NEWS2(Calculator):
    id = "news2"
    title = "National Early Warning Score 2 (NEWS2)"
    reference = Reference("Royal College of Physicians", "RCP report, London", 2017,
                          "National Early Warning Score (NEWS) 2: standardising the assessment of "
                          "acute-illness severity in the NHS", et_al=False)
    notes = ("SpO2 scale 2 is only for patients with hypercapnic respiratory failure whose target "
             "saturation (88-92%) has been prescribed by a clinician.")
    # Charted observations are whole numbers (temperature to one decimal), so the bands are
    # defined on those; integer inputs keep a value such as 91.5% from falling between bands.
    inputs = (
        Input("respiratory_rate", "Respiration rate", "/min", kind="integer", low=0, high=80),
        Input("spo2", "Oxygen saturation", "%", kind="integer", low=50, high=100),
        Input("spo2_scale", "SpO2 scale: 1 (default) or 2 (prescribed target 88-92%)",
              kind="choice", choices=("1", "2"), required=False, default="1"),
        Input("on_oxygen", "Receiving supplemental oxygen (false = breathing air)", kind="bool"),
        Input("sbp", "Systolic blood pressure", "mmHg", kind="integer", low=30, high=300),
        Input("pulse", "Pulse rate", "/min", kind="integer", low=20, high=300),
        Input("consciousness", "ACVPU: alert, new confusion, responds to voice, to pain, or "
                               "unresponsive", kind="choice", choices=_CONSCIOUSNESS),
        Input("temperature", "Temperature", "°C", low=25, high=45, alt_units=("°F",)),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        # NEWS2 charts temperature to one decimal place (bands such as 35.1-36.0); rounding
        # also removes the float noise of a Fahrenheit conversion.
        temp = round_half_up(v["temperature"], 1)
        scale = v["spo2_scale"]
        spo2 = (_spo2_scale2_points(v["spo2"], v["on_oxygen"]) if scale == "2"
                else _spo2_scale1_points(v["spo2"]))
        points = {
            "respiratory_rate": _rr_points(v["respiratory_rate"]),
            "spo2": spo2,
            "air_or_oxygen": 2 if v["on_oxygen"] else 0,
            "sbp": _sbp_points(v["sbp"]),
            "pulse": _pulse_points(v["pulse"]),
            "consciousness": 0 if v["consciousness"] == "alert" else 3,
            "temperature": _temp_points(temp),
        }
        score = sum(points.values())
        red = [k for k, p in points.items() if p == 3]
        # RCP 2017 clinical risk: aggregate 0-4 low, a 3 in any single parameter low-medium,
        # 5-6 medium, >=7 high. A single 3 only matters while the aggregate is still 0-4.
        if score >= 7:
            band = "high clinical risk: emergency response"
        elif score >= 5:
            band = "medium clinical risk: urgent response (key threshold)"
        elif red:
            band = "low-medium clinical risk (score of 3 in a single parameter): urgent ward-based response"
        else:
            band = "low clinical risk: ward-based response"
        return self.result(v, score, "points", band, points, red_parameters=red,
                           spo2_scale=int(scale))


_EYE = {4: "spontaneous", 3: "to speech", 2: "to pain", 1: "none"}
_VERBAL = {5: "oriented", 4: "confused", 3: "inappropriate words", 2: "incomprehensible sounds",
           1: "none"}
_MOTOR = {6: "obeys commands", 5: "localises pain", 4: "normal flexion (withdrawal)",
          3: "abnormal flexion", 2: "extension", 1: "none"}


# Components that cannot be tested (Teasdale et al., Lancet Neurol 2014; glasgowcomascale.org): the
# component is recorded as not testable with its reason, never given a pseudo-score of 1, and no total
# is reported. "C" (eyes closed by swelling) and "T" (intubated or tracheostomy, verbal) are the
# conventional codes; "NT" is any other reason (e.g. a motor response prevented by paralysis).
_NOT_TESTABLE = {"C": "eyes closed by swelling or bandage", "T": "intubated or tracheostomy", "NT": "not testable"}


def _component(name: str, levels: dict[int, str], codes: tuple[str, ...]) -> Input:
    scale = ", ".join(f"{k} {d}" for k, d in levels.items())
    untestable = ", ".join(f"{c} {_NOT_TESTABLE[c]}" for c in codes)
    return Input(name, f"{name.capitalize()} response: {scale}; or {untestable}", kind="choice",
                 choices=(*(str(k) for k in sorted(levels)), *codes))


@register
class GCS(Calculator):
    id = "gcs"
    title = "Glasgow Coma Scale"
    reference = Reference("Teasdale", "Lancet", 1974,
                          "Assessment of coma and impaired consciousness. A practical scale")
    notes = ("The summed 3-15 score with six motor levels is from Teasdale & Jennett 1976; the "
             "mild/moderate/severe bands are the conventional head-injury classification. A component "
             "that cannot be tested is given as C (eyes closed by swelling), T (verbal: intubated) or NT: "
             "the total is then 'NT' (not reported, Teasdale et al. Lancet Neurol 2014), and the details "
             "give the testable components, their sum and the older suffixed form such as '7T'.")
    inputs = (
        _component("eye", _EYE, ("C", "NT")),
        _component("verbal", _VERBAL, ("T", "NT")),
        _component("motor", _MOTOR, ("NT",)),
    )

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        # Whole numbers arrive as 4 or 4.0 (a score) as well as "4"; the choices are spelled "4".
        def spelled(x: Any) -> Any:
            return str(int(x)) if isinstance(x, int | float) and not isinstance(x, bool) and x == int(x) else x

        return super().validate({k: spelled(x) for k, x in raw.items()})

    def _compute(self, v: dict[str, Any]) -> Result:
        levels = {"eye": _EYE, "verbal": _VERBAL, "motor": _MOTOR}
        scored = {k: int(v[k]) for k in levels if v[k].isdigit()}
        notation = "".join(f"{k[0].upper()}{v[k]}" for k in levels)
        described = {k: levels[k][scored[k]] if k in scored else _NOT_TESTABLE[v[k]] for k in levels}
        if len(scored) == len(levels):
            score = sum(scored.values())
            band = ("severe (coma)" if score <= 8 else "moderate" if score <= 12 else "mild"
                    if score <= 14 else "normal")
            return self.result(v, score, "points", band, scored, notation=notation, **described)
        untested = [k for k in levels if k not in scored]
        partial = sum(scored.values())
        suffix = "".join(v[k] if v[k] != "NT" else "" for k in untested)
        band = ("total not reported: " + ", ".join(f"{k} {described[k]}" for k in untested)
                + f"; testable components {' '.join(f'{k[0].upper()}{scored[k]}' for k in scored) or 'none'}"
                + " (report the components, not a total; Teasdale 2014)")
        return self.result(v, "NT", "", band, scored, notation=notation, not_testable=untested,
                           sum_of_testable=partial, suffixed_total=f"{partial}{suffix or 'NT'}", **described)
