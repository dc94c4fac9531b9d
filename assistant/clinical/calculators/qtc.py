"""Heart-rate corrected QT interval: Bazett, Fridericia, Framingham (Sagie), Hodges and Rautaharju."""

from __future__ import annotations

import math
from abc import abstractmethod
from typing import Any, ClassVar

from assistant.errors import BadInputError

from .base import Calculator, Input, Reference, Result, register, round_half_up

QTC_INPUTS = (
    Input("qt", "Measured QT interval", "ms", low=150, high=800, alt_units=("s",)),
    Input("heart_rate", "Heart rate (give this or rr_interval)", "/min", required=False, low=20, high=300),
    Input("rr_interval", "RR interval (give this or heart_rate)", "ms", required=False, low=200, high=3000,
          alt_units=("s",)),
    Input("sex", "Sex, for sex-specific limits (optional)", kind="choice", choices=("female", "male"),
          required=False),
)


def aha_band(qtc: int, sex: str | None) -> str:
    """AHA/ACCF/HRS 2009 (Rautaharju, Circulation 2009;119:e241) limits; > 500 ms from Drew 2010."""
    if qtc > 500:
        # Drew et al. Circulation 2010;121:1047 (torsade prevention in hospital): QTc > 500 ms = high risk.
        return "markedly prolonged (> 500 ms): high risk of torsade de pointes"
    limit = {"male": 450, "female": 460}.get(sex or "")
    if limit is not None and qtc >= limit:
        return f"prolonged (>= {limit} ms in {'men' if sex == 'male' else 'women'})"
    if limit is None and qtc >= 460:
        return "prolonged (>= 460 ms women, >= 450 ms men)"
    if limit is None and qtc >= 450:
        return "borderline: prolonged in men (>= 450 ms), normal in women (< 460 ms); give sex"
    if qtc <= 390:
        return "short (<= 390 ms)"
    return "normal"


class _QTc(Calculator):
    """Shared input handling: heart rate or RR interval (exactly one), QT in ms."""

    inputs: ClassVar[tuple[Input, ...]] = QTC_INPUTS

    @abstractmethod
    def _correct(self, qt_ms: float, rr_s: float, hr: float) -> float: ...

    def _rate(self, v: dict[str, Any]) -> tuple[float, float]:
        hr, rr = v["heart_rate"], v["rr_interval"]
        if hr is None and rr is None:
            raise BadInputError(f"{self.id}: missing required input heart_rate (or rr_interval)")
        if hr is not None and rr is not None:
            raise BadInputError(f"{self.id}: give heart_rate or rr_interval, not both")
        if hr is not None:
            return 60.0 / hr, hr
        return rr / 1000.0, 60000.0 / rr

    def _band(self, qtc: int, v: dict[str, Any]) -> str:
        return aha_band(qtc, v["sex"])

    def _compute(self, v: dict[str, Any]) -> Result:
        rr_s, hr = self._rate(v)
        qtc = self._correct(v["qt"], rr_s, hr)
        shown = round_half_up(qtc)
        return self.result(v, shown, "ms", self._band(shown, v), rr_interval_s=round_half_up(rr_s, 4),
                           heart_rate=round_half_up(hr, 1), unrounded=round_half_up(qtc, 2))


@register
class QTcBazett(_QTc):
    id = "qtc_bazett"
    title = "QTc (Bazett)"
    reference = Reference("Bazett", "Heart", 1920, "An analysis of the time-relations of electrocardiograms",
                          et_al=False)
    notes = "QTc = QT / sqrt(RR in s). Over-corrects at fast and under-corrects at slow heart rates."

    def _correct(self, qt_ms: float, rr_s: float, hr: float) -> float:
        return qt_ms / math.sqrt(rr_s)


@register
class QTcFridericia(_QTc):
    id = "qtc_fridericia"
    title = "QTc (Fridericia)"
    reference = Reference("Fridericia", "Acta Med Scand", 1920,
                          "Die Systolendauer im Elektrokardiogramm bei normalen Menschen und bei Herzkranken",
                          et_al=False)
    notes = "QTc = QT / cube root(RR in s)."

    def _correct(self, qt_ms: float, rr_s: float, hr: float) -> float:
        return qt_ms / rr_s ** (1 / 3)


@register
class QTcFramingham(_QTc):
    id = "qtc_framingham"
    title = "QTc (Framingham, Sagie)"
    reference = Reference("Sagie", "Am J Cardiol", 1992, "An improved method for adjusting the QT interval for "
                          "heart rate (the Framingham Heart Study)")
    notes = "QTc = QT + 0.154 x (1 - RR) in seconds, i.e. QT + 154 ms x (1 - RR in s)."

    def _correct(self, qt_ms: float, rr_s: float, hr: float) -> float:
        return qt_ms + 154.0 * (1 - rr_s)


@register
class QTcHodges(_QTc):
    id = "qtc_hodges"
    title = "QTc (Hodges)"
    reference = Reference("Hodges", "J Am Coll Cardiol", 1983, "Bazett's QT correction reviewed: evidence that "
                          "a linear QT correction for heart rate is better (abstract)")
    notes = "QTc = QT + 1.75 x (heart rate - 60), QT in ms."

    def _correct(self, qt_ms: float, rr_s: float, hr: float) -> float:
        return qt_ms + 1.75 * (hr - 60)


# Rautaharju: the 2009 AHA/ACCF/HRS recommendations (Rautaharju et al. Circulation 2009) endorse a
# linear regression correction without fixing one formula, so we use the exactly citable one from
# Rautaharju, Mason & Akiyama, Int J Cardiol 2014;174:535: QTcMod = QT x (120 + HR) / 180, with the
# age- and sex-specific prolongation criteria of that paper when age and sex are given.
_RAUTAHARJU_2014_LIMITS = ((40, {"male": 430, "female": 440}), (70, {"male": 440, "female": 450}),
                           (200, {"male": 455, "female": 460}))


@register
class QTcRautaharju(_QTc):
    id = "qtc_rautaharju"
    title = "QTc (Rautaharju 2014, QT x (120 + HR) / 180)"
    reference = Reference("Rautaharju", "Int J Cardiol", 2014, "New age- and sex-specific criteria for QT "
                          "prolongation based on rate correction formulas that minimize bias at the upper "
                          "normal limits")
    notes = ("QTc = QT x (120 + HR) / 180. With age and sex, prolongation uses the 2014 age/sex criteria "
             "(< 40 y: men 430, women 440; 40-69: 440/450; >= 70: 455/460 ms); otherwise AHA 2009 limits.")
    inputs = (*QTC_INPUTS, Input("age", "Age, for the age-specific criteria (optional)", "years",
                                 required=False, low=5, high=120))

    def _correct(self, qt_ms: float, rr_s: float, hr: float) -> float:
        return qt_ms * (120 + hr) / 180

    def _band(self, qtc: int, v: dict[str, Any]) -> str:
        if qtc > 500 or v["age"] is None or v["sex"] is None:
            return aha_band(qtc, v["sex"])
        limit = next(lim[v["sex"]] for upper, lim in _RAUTAHARJU_2014_LIMITS if v["age"] < upper)
        # The criteria are upper normal limits; a QTc at or above the limit is reported as prolonged.
        if qtc >= limit:
            return f"prolonged (>= {limit} ms for this age and sex, Rautaharju 2014)"
        return f"normal for age and sex (< {limit} ms, Rautaharju 2014)"
