"""The course of kidney function: KDIGO GFR/albuminuria categories and risk, CKD progression and acute kidney disease."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assistant.clinical.calculators.renal import kdigo_gfr_category
from assistant.clinical.extract import Chart, Measurement, fmt
from assistant.clinical.knowledge import KnowledgeError, derived_table, read_csv, read_toml

YEAR_DAYS = 365.25


def cfg() -> dict[str, Any]:
    return dict(read_toml("rules.toml")["ckd_course"])


def gfr_category(egfr: float) -> str:
    """'G3b' for 41 (KDIGO 2012 table 5)."""
    return kdigo_gfr_category(round(egfr)).split(":")[0]


def albuminuria_category(uacr_mg_g: float) -> str:
    """KDIGO 2012 table 6: A1 < 30, A2 30-300, A3 > 300 mg/g."""
    c = cfg()
    return "A1" if uacr_mg_g < c["a2_from"] else "A2" if uacr_mg_g <= c["a3_above"] else "A3"


@dataclass(frozen=True)
class RiskCell:
    gfr: str
    albuminuria: str
    risk: str  # low, moderate, high, very high
    per_year: int  # monitoring visits a year
    source: str


@derived_table
def heat_map() -> dict[tuple[str, str], RiskCell]:
    out = {}
    for n, row in enumerate(read_csv("ckd_heatmap.csv"), start=1):
        try:
            cell = RiskCell(row["gfr"], row["albuminuria"], row["risk"], int(row["per_year"]), row["source"])
        except (KeyError, ValueError) as e:
            raise KnowledgeError(f"ckd_heatmap.csv row {n}: {e}") from e
        if not cell.source or cell.per_year < 1:
            raise KnowledgeError(f"ckd_heatmap.csv row {n}: per_year >= 1 and a source are required")
        out[(cell.gfr, cell.albuminuria)] = cell
    return out


def latest_uacr(chart: Chart) -> tuple[float, str, datetime] | None:
    """The newest urine albumin/creatinine ratio in mg/g within `uacr_days`: (value, ref, when)."""
    found = uacr_series(chart, cfg()["uacr_days"])
    return found[-1] if found else None


def uacr_series(chart: Chart, days: int) -> list[tuple[float, str, datetime]]:
    """Urine albumin/creatinine ratios in mg/g within `days`, oldest first."""
    c = cfg()
    since = chart.as_of - timedelta(days=days)
    out = []
    for o in chart.record.observations_for(*c["uacr_loinc"]):
        factor = c["uacr_factor"].get(o.unit.replace(" ", ""))
        if (o.effective is None or o.value is None or factor is None or o.effective > chart.as_of
                or o.effective < since or o.status in ("entered-in-error", "cancelled")):
            continue
        out.append((o.value * factor, o.ref, o.effective))
    return out[::-1]


def risk_cell(chart: Chart) -> RiskCell | None:
    """The KDIGO heat-map cell for the newest eGFR and UACR (albuminuria unmeasured: the A1 row, the
    fewest visits that GFR category calls for); None without a current eGFR."""
    egfr = chart.egfr()
    if egfr is None:
        return None
    uacr = latest_uacr(chart)
    return heat_map().get((gfr_category(egfr.value), albuminuria_category(uacr[0]) if uacr else "A1"))


def stage_label(chart: Chart) -> str:
    """'G3b A2' (or 'G3b' when albuminuria is unmeasured)."""
    egfr = chart.egfr()
    if egfr is None:
        return ""
    uacr = latest_uacr(chart)
    return gfr_category(egfr.value) + (f" {albuminuria_category(uacr[0])}" if uacr else "")


def slope_per_year(values: list[Measurement]) -> float:
    """Least-squares eGFR change in mL/min/1.73 m2 a year (negative: falling)."""
    t0 = values[-1].when
    xs = [(m.when - t0).total_seconds() / 86400 / YEAR_DAYS for m in values]
    ys = [m.value for m in values]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


@dataclass(frozen=True)
class Course:
    """How eGFR has moved: `acute` = acute kidney disease (KDIGO AKD), never called progression."""

    newest: Measurement
    base: Measurement
    drop_percent: float
    cat_before: str
    cat_now: str
    slope: float | None  # per year, when enough values over enough time
    dropped: bool  # a drop of more than drop_percent within window_days
    certain: bool  # KDIGO certain drop: that drop with a fall in GFR category
    rapid: bool  # KDIGO rapid progression: sustained decline > 5 a year
    acute: str  # '' or why the fall is acute kidney disease

    @property
    def chronic(self) -> bool:
        """A chronic fall worth a flag: KDIGO progression (or a drop > 25 %), not an acute change."""
        return not self.acute and (self.dropped or self.rapid)

    @property
    def months(self) -> int:
        return max(1, round((self.newest.when - self.base.when).days / 30.44))

    @property
    def progression(self) -> bool:
        """KDIGO progression (certain drop or rapid decline) that is not an acute change."""
        return not self.acute and (self.certain or self.rapid)

    def describe(self) -> str:
        """'eGFR 56 -> 41 in 15 months (-27 %, G3a to G3b: certain drop; about 11.6 a year: rapid decline)'."""
        why = []
        if self.certain:
            why.append(f"{self.cat_before} to {self.cat_now}: certain drop")
        if self.rapid and self.slope is not None:
            why.append(f"about {fmt(round(-self.slope, 1))} mL/min/1.73 m2 a year: rapid decline")
        return (f"eGFR {fmt(self.base.value)} -> {fmt(self.newest.value)} in {self.months} months "
                f"(-{fmt(round(self.drop_percent))} %" + "".join(f"; {w}" for w in why) + ")")


def _acute_setting(chart: Chart, when: datetime) -> bool:
    """The value was taken during an emergency or inpatient encounter (acute illness)."""
    acute = read_toml("rules.toml")["encounters"]["acute_classes"]
    for e in chart.record.encounters:
        if e.class_code.upper() not in acute or e.start is None:
            continue
        end = e.end or chart.as_of
        if e.start - timedelta(days=1) <= when <= end + timedelta(days=1):
            return True
    return False


def _acute(chart: Chart, values: list[Measurement], c: dict[str, Any]) -> str:
    """Why a fall is AKD (KDIGO 2012 AKI guideline, table 7), or ''."""
    newest, earlier = values[0], values[1:]
    recent = [m for m in earlier if newest.when - m.when <= timedelta(days=c["akd_days"])]
    if recent:
        peak = max(recent, key=lambda m: m.value)
        fall = 100 * (peak.value - newest.value) / peak.value
        if fall >= c["akd_drop_percent"]:
            return f"a fall of {fmt(round(fall))}% within {c['akd_days'] // 30} months"
    cat = gfr_category(newest.value)
    # No earlier value at the new GFR category confirms it, and it was measured in acute illness:
    # eGFR assumes a steady state, so a value taken then cannot stage chronic disease.
    unconfirmed = all(gfr_category(m.value) != cat and m.value > newest.value for m in earlier)
    if unconfirmed and _acute_setting(chart, newest.when):
        return "measured during an emergency or inpatient episode, with no earlier value this low"
    return ""


def course(chart: Chart) -> Course | None:
    """The eGFR course, or None with fewer than 2 values or no fall."""
    c = cfg()
    long = chart.measurements("egfr", chart.as_of - timedelta(days=c["slope_window_days"]))
    short = [m for m in long if m.when >= chart.as_of - timedelta(days=c["window_days"])]
    if len(long) < 2:
        return None
    newest = long[0]
    span = (newest.when - long[-1].when).days
    slope = (slope_per_year(long) if len(long) >= c["slope_min_values"] and span >= c["slope_min_days"]
             else None)
    rapid = slope is not None and -slope > c["rapid_per_year"] and newest.value < long[-1].value
    base = max(short[1:] if len(short) >= 2 and not rapid else long[1:], key=lambda m: (m.value, m.when))
    if base.value <= 0 or newest.value >= base.value:
        return None
    drop = 100 * (base.value - newest.value) / base.value
    cat_before, cat_now = gfr_category(base.value), gfr_category(newest.value)
    dropped = base.when >= chart.as_of - timedelta(days=c["window_days"]) and drop > c["drop_percent"]
    certain = cat_now != cat_before and drop >= c["certain_drop_percent"]
    return Course(newest, base, drop, cat_before, cat_now, slope, dropped, certain, rapid,
                  _acute(chart, long, c))
