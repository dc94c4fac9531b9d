"""Dosing calculators: morphine milligram equivalents, corticosteroid equivalents, maintenance fluids."""

from __future__ import annotations

from typing import Any

from assistant.errors import BadInputError

from .base import Calculator, Input, Reference, Result, register, round_half_up

# CDC 2016 (Dowell, MMWR Recomm Rep 2016;65(1)) MME conversion factors, the value's default. Tapentadol
# 0.4 and tramadol 0.1 are from CDC's 2016 oral MME conversion file, not the MMWR table. Methadone is
# dose-dependent in 2016 (see _methadone_2016). CDC 2022 (Dowell, MMWR Recomm Rep 2022;71(3)) changed
# hydromorphone to 5, tramadol to 0.2 and methadone to a single 4.7; it can be chosen with `guideline`.
# Fentanyl is written in the units clinicians prescribe it in: transdermal patches in mcg/h (2.4 per mcg/h,
# both tables), buccal or sublingual tablets and lozenges in mcg per day (0.13 per mcg: CDC 2022 table 1 and
# the CDC 2016 conversion file alike).
_MME_2016 = {"codeine": 0.15, "fentanyl_transdermal": 2.4, "fentanyl_buccal": 0.13, "hydrocodone": 1.0,
             "hydromorphone": 4.0, "morphine": 1.0, "oxycodone": 1.5, "oxymorphone": 3.0, "tapentadol": 0.4,
             "tramadol": 0.1}
_MME_2022 = {**_MME_2016, "hydromorphone": 5.0, "tramadol": 0.2, "methadone": 4.7}
_OPIOIDS = tuple(sorted({*_MME_2016, "methadone"}))
_DOSE_FIELD = {"fentanyl_transdermal": "patch_rate", "fentanyl_buccal": "daily_dose_mcg"}
_DOSE_FIELD_UNITS = {"daily_dose": "mg/day", "patch_rate": "mcg/h", "daily_dose_mcg": "mcg/day"}


def _methadone_2016(mg_per_day: float) -> tuple[float, str]:
    """CDC 2016 methadone factors: 1-20 mg/day 4, 21-40 8, 41-60 10, 61-80 12."""
    if mg_per_day <= 20:
        return 4.0, ""
    if mg_per_day <= 40:
        return 8.0, ""
    if mg_per_day <= 60:
        return 10.0, ""
    # CDC 2016 tabulates 61-80 mg/day as 12 and gives nothing above 80; 12 is used, with a warning.
    return 12.0, "" if mg_per_day <= 80 else "methadone above 80 mg/day: beyond the CDC 2016 table (factor 12 used)"


def _factor(drug: str, dose: float, guideline: str) -> tuple[float, str]:
    if guideline == "cdc2022":
        return _MME_2022[drug], ""
    if drug == "methadone":
        return _methadone_2016(dose)
    return _MME_2016[drug], ""


@register
class MorphineMME(Calculator):
    id = "morphine_mme"
    title = "Morphine milligram equivalents (MME/day)"
    reference = Reference("Dowell", "MMWR Recomm Rep", 2016, "CDC guideline for prescribing opioids for "
                          "chronic pain - United States, 2016")
    notes = ("CDC 2016 factors by default (methadone dose-dependent); guideline=cdc2022 uses the 2022 table. "
             "For risk assessment only: do not use MME to convert between opioids (incomplete cross-tolerance).")
    inputs = (
        Input("drug", "Opioid", kind="choice", choices=_OPIOIDS),
        Input("daily_dose", "Total daily dose (all but fentanyl)", "mg/day", required=False,
              low=0.1, high=10000),
        Input("patch_rate", "Transdermal fentanyl patch rate", "mcg/h", required=False, low=1, high=1000),
        Input("daily_dose_mcg", "Buccal or sublingual fentanyl: total micrograms a day", "mcg/day",
              required=False, low=1, high=20000),
        Input("guideline", "Conversion table: cdc2016 or cdc2022", kind="choice", choices=("cdc2016", "cdc2022"),
              required=False, default="cdc2016"),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        drug = v["drug"]
        # Each opioid takes its dose in one field, the unit it is prescribed in; a dose in another field
        # (e.g. a patch rate in mg/day) would be off by orders of magnitude, so it is refused.
        field = _DOSE_FIELD.get(drug, "daily_dose")
        given = [f for f in _DOSE_FIELD_UNITS if v[f] is not None]
        if given != [field]:
            raise BadInputError(f"{self.id}: {drug} needs {field} ({_DOSE_FIELD_UNITS[field]}) and no other dose")
        dose = v[field]
        factor, warning = _factor(drug, dose, v["guideline"])
        mme = dose * factor
        other = "cdc2022" if v["guideline"] == "cdc2016" else "cdc2016"
        other_factor, _ = _factor(drug, dose, other)
        shown = round_half_up(mme, 1)
        # CDC 2016 recommendation 5: reassess at >= 50 MME/day, avoid or carefully justify >= 90 MME/day.
        if shown >= 90:
            band = ">= 90 MME/day: avoid or carefully justify; offer naloxone (CDC 2016)"
        elif shown >= 50:
            band = "50-89 MME/day: increased overdose risk, reassess benefits and risks; offer naloxone (CDC 2016)"
        else:
            band = "< 50 MME/day"
        if warning:
            band += f"; {warning}"
        return self.result(v, shown, "MME/day", band, conversion_factor=factor, dose_unit=_DOSE_FIELD_UNITS[field],
                           **{f"mme_{other}": round_half_up(dose * other_factor, 1)})


# Equivalent glucocorticoid (anti-inflammatory) doses in mg, Liu et al. 2013, table 1, except betamethasone.
# Betamethasone: 0.75 mg, the value of the BNF ("prednisolone 5 mg = betamethasone 750 micrograms"),
# Goodman & Gilman and most tables, which give betamethasone the potency of dexamethasone (about 25-30 times
# hydrocortisone, Meikle & Tyler, Am J Med 1977). Liu 2013 (the source this code cited) lists 0.6 mg, the
# low end of the "0.6-0.75 mg" quoted from Meikle & Tyler; no table gives betamethasone a potency above
# dexamethasone's, so 0.75 is used and the 0.6 mg reading is reported beside it in the details.
_STEROID_EQUIV = {"cortisone": 25.0, "hydrocortisone": 20.0, "prednisone": 5.0, "prednisolone": 5.0,
                  "methylprednisolone": 4.0, "triamcinolone": 4.0, "dexamethasone": 0.75, "betamethasone": 0.75}
_BETAMETHASONE_LOW = 0.6
_STEROIDS = tuple(_STEROID_EQUIV)


@register
class SteroidConversion(Calculator):
    id = "steroid_conversion"
    title = "Corticosteroid dose conversion (glucocorticoid equivalents)"
    reference = Reference("Liu", "Allergy Asthma Clin Immunol", 2013, "A practical guide to the monitoring and "
                          "management of the complications of systemic corticosteroid therapy")
    notes = ("Equivalent doses (mg): hydrocortisone 20, cortisone 25, prednisone 5, prednisolone 5, "
             "methylprednisolone 4, triamcinolone 4, dexamethasone 0.75, betamethasone 0.75 (BNF; Liu 2013 lists "
             "0.6, reported in the details). Systemic (oral/IV) glucocorticoid effect only; mineralocorticoid "
             "effect and duration differ.")
    inputs = (
        Input("from_drug", "Current corticosteroid", kind="choice", choices=_STEROIDS),
        Input("dose", "Current dose", "mg", low=0.01, high=10000, alt_units=("mcg",)),
        Input("to_drug", "Corticosteroid to convert to", kind="choice", choices=_STEROIDS),
    )

    def _compute(self, v: dict[str, Any]) -> Result:
        prednisone_eq = v["dose"] / _STEROID_EQUIV[v["from_drug"]] * _STEROID_EQUIV["prednisone"]
        converted = v["dose"] / _STEROID_EQUIV[v["from_drug"]] * _STEROID_EQUIV[v["to_drug"]]
        details: dict[str, Any] = {"prednisone_equivalent_mg": round_half_up(prednisone_eq, 2),
                                   "equivalent_doses_mg": f"{v['from_drug']} {_STEROID_EQUIV[v['from_drug']]:g}, "
                                                          f"{v['to_drug']} {_STEROID_EQUIV[v['to_drug']]:g}"}
        if "betamethasone" in (v["from_drug"], v["to_drug"]) and v["from_drug"] != v["to_drug"]:
            low = {**_STEROID_EQUIV, "betamethasone": _BETAMETHASONE_LOW}
            details["converted_with_betamethasone_0_6_mg"] = round_half_up(
                v["dose"] / low[v["from_drug"]] * low[v["to_drug"]], 2)
        return self.result(v, round_half_up(converted, 2), "mg",
                           f"equivalent glucocorticoid dose of {v['to_drug']}; mineralocorticoid effect and "
                           "duration of action differ", **details)


@register
class MaintenanceFluids(Calculator):
    id = "maintenance_fluids"
    title = "Maintenance fluid rate (Holliday-Segar 4-2-1 rule)"
    reference = Reference("Holliday", "Pediatrics", 1957, "The maintenance need for water in parenteral "
                          "fluid therapy")
    notes = ("Value: 4 mL/kg/h for the first 10 kg, 2 for the next 10, 1 for each kg above 20. Details: the "
             "daily form 100/50/20 mL/kg/day, which is slightly lower per hour above 20 kg. Not for neonates; "
             "adults are commonly given 25-30 mL/kg/day (NICE CG174, 2013).")
    inputs = (Input("weight", "Body weight", "kg", low=2, high=250, alt_units=("lb",)),)

    def _compute(self, v: dict[str, Any]) -> Result:
        w = v["weight"]
        per_hour = 4 * min(w, 10) + 2 * min(max(w - 10, 0), 10) + 1 * max(w - 20, 0)
        per_day = 100 * min(w, 10) + 50 * min(max(w - 10, 0), 10) + 20 * max(w - 20, 0)
        return self.result(v, round_half_up(per_hour, 1), "mL/h", "maintenance water requirement (Holliday-Segar)",
                           ml_per_day=round_half_up(per_day), ml_per_hour_from_daily=round_half_up(per_day / 24, 1))
