"""Obstetric dating from the last menstrual period: due date (Naegele), conception date, gestational age."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from assistant.errors import BadInputError

from .base import Calculator, Input, Reference, Result, register, round_half_up

_PREGNANCY_DAYS = 280
_MAX_GESTATION_DAYS = 45 * 7  # beyond this the reference date cannot belong to this pregnancy


def _ga_band(days: int) -> str:
    """Trimester, and ACOG term categories (Committee Opinion 579, 2013) from 37 weeks."""
    weeks = days // 7
    if weeks < 14:
        return "first trimester"
    if weeks < 28:
        return "second trimester"
    if weeks < 37:
        return "third trimester, preterm (< 37 weeks)"
    if weeks < 39:
        return "early term (37+0 to 38+6 weeks)"
    if weeks < 41:
        return "full term (39+0 to 40+6 weeks)"
    if weeks < 42:
        return "late term (41+0 to 41+6 weeks)"
    return "post-term (>= 42+0 weeks)"


@register
class DueDateNaegele(Calculator):
    id = "due_date_naegele"
    title = "Estimated due date from LMP (Naegele's rule)"
    reference = Reference("Naegele", "Erfahrungen und Abhandlungen aus dem Gebiete der Krankheiten des "
                          "weiblichen Geschlechtes (Mannheim)", 1812, "Naegele's rule", et_al=False)
    # Naegele's calendar form (LMP + 1 year - 3 months + 7 days) gives 280-283 days depending on the
    # months crossed; the fixed 280 days used here is the modern convention (ACOG Committee Opinion
    # 700, 2017), so dates can differ by up to 3 days from a calendar wheel. The cycle adjustment
    # (+/- days of cycle length beyond 28) assumes ovulation 14 days before the next period.
    notes = ("Due date = LMP + 280 days + (cycle length - 28). An early ultrasound dating supersedes LMP "
             "dating when they differ by more than the ACOG thresholds. Give reference_date for the "
             "gestational age on that day.")
    inputs = (
        Input("lmp", "First day of the last menstrual period", kind="date"),
        Input("cycle_length", "Usual cycle length", "days", kind="integer", required=False, low=20, high=45,
              default=28),
        Input("reference_date", "Date at which to give the gestational age (optional)", kind="date",
              required=False),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        shift = v["cycle_length"] - 28
        edd = v["lmp"] + timedelta(days=_PREGNANCY_DAYS + shift)
        details: dict[str, Any] = {"cycle_adjustment_days": shift}
        band = "estimated due date (LMP + 280 days" + (f", {shift:+d} days for cycle length)" if shift else ")")
        ref = v["reference_date"]
        if ref is not None:
            days = (ref - v["lmp"]).days - shift
            if days < 0:
                raise BadInputError(f"reference_date: {ref.isoformat()} is before the (cycle-adjusted) LMP "
                                    f"{(v['lmp'] + timedelta(days=shift)).isoformat()}")
            if days > _MAX_GESTATION_DAYS:
                raise BadInputError(f"reference_date: {ref.isoformat()} is more than 45 weeks after the LMP")
            weeks, rem = divmod(days, 7)
            details.update(gestational_age=f"{weeks}w{rem}d", gestational_age_days=days,
                           gestational_age_weeks=round_half_up(days / 7, 2), days_to_due_date=(edd - ref).days)
            band = f"{weeks}+{rem} weeks on {ref.isoformat()}: {_ga_band(days)}"
        return self.result(v, edd.isoformat(), "", band, **details)


_ACOG_700 = Reference("American College of Obstetricians and Gynecologists", "Obstet Gynecol", 2017,
                      "Committee Opinion No. 700: Methods for estimating the due date", et_al=False)
_LMP = Input("lmp", "First day of the last menstrual period", kind="date")
_CYCLE = Input("cycle_length", "Usual cycle length", "days", kind="integer", required=False, low=20, high=45,
               default=28)


def _gestation_days(lmp: date, cycle_length: int, on: date) -> int:
    """Days of gestation on `on`, dated from the LMP and corrected for the cycle length (ACOG 700)."""
    days = (on - lmp).days - (cycle_length - 28)
    if days < 0:
        raise BadInputError(f"reference_date: {on.isoformat()} is before the (cycle-adjusted) LMP")
    if days > _MAX_GESTATION_DAYS:
        raise BadInputError(f"reference_date: {on.isoformat()} is more than 45 weeks after the LMP")
    return days


@register
class ConceptionDate(Calculator):
    id = "conception_date"
    title = "Estimated date of conception from LMP"
    reference = _ACOG_700
    # Ovulation, and so conception, is taken as 14 days before the next expected period: day 14 of a
    # 28-day cycle, day (cycle length - 14) otherwise; gestational age still counts from the LMP.
    notes = ("Conception = LMP + (cycle length - 14) days, i.e. 2 weeks after the LMP in a 28-day cycle; "
             "the due date is 266 days (38 weeks) after conception.")
    inputs = (_LMP, _CYCLE)

    def _compute(self, v: dict[str, Any]) -> Result:
        conception = v["lmp"] + timedelta(days=v["cycle_length"] - 14)
        return self.result(v, conception.isoformat(), "", "estimated conception date (ovulation 14 days before "
                           "the next expected period)",
                           due_date=(conception + timedelta(days=_PREGNANCY_DAYS - 14)).isoformat())


@register
class GestationalAge(Calculator):
    id = "gestational_age"
    title = "Gestational age from LMP"
    reference = _ACOG_700
    notes = ("Gestational (menstrual) age = days since the LMP, corrected by (cycle length - 28); written "
             "weeks+days. Early ultrasound dating supersedes LMP dating beyond the ACOG thresholds.")
    inputs = (_LMP, Input("reference_date", "Date at which to give the gestational age", kind="date"), _CYCLE)

    def _compute(self, v: dict[str, Any]) -> Result:
        days = _gestation_days(v["lmp"], v["cycle_length"], v["reference_date"])
        weeks, rem = divmod(days, 7)
        edd = v["lmp"] + timedelta(days=_PREGNANCY_DAYS + v["cycle_length"] - 28)
        return self.result(v, f"{weeks}w{rem}d", "", f"{weeks}+{rem} weeks: {_ga_band(days)}",
                           gestational_age_weeks=weeks, gestational_age_extra_days=rem,
                           gestational_age_days=days, due_date=edd.isoformat())
