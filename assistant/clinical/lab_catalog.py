"""The lab tests a clinician can enter: loinc_map.csv analytes with a reference range, named and united."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.clinical.display_names import display_table
from assistant.clinical.extract.codes import analytes
from assistant.clinical.knowledge import derived_table
from assistant.clinical.reference_ranges import LabRange, general_range
from assistant.clinical.units import display_unit, unit_key
from assistant.records.domain import LOINC, Coding
from assistant.records.entry_checks import FieldError


@dataclass(frozen=True)
class LabTest:
    """One test of the picklist: the analyte's first LOINC code, its unit and its adult range."""

    key: str  # the analyte name in loinc_map.csv ('potassium')
    name: str  # as a clinician reads it ('Potassium')
    loinc: str
    unit: str  # the unit results are reported in ('mmol/L')
    units: frozenset[str]  # unit_key of every spelling that means it

    @property
    def coding(self) -> Coding:
        return Coding(LOINC, self.loinc, self.name)

    @property
    def unit_shown(self) -> str:
        return display_unit(self.unit)

    def fits(self, unit: str) -> bool:
        return unit_key(unit) in self.units

    def range_for(self, sex: str) -> LabRange | None:
        return general_range(self.key, sex, self.unit)

    def label(self) -> str:
        return f"{self.name} ({self.unit_shown})" if self.unit_shown else self.name


# Analytes of loinc_map.csv measured at the bedside or by imaging, not sent to a laboratory: they are
# entered as vital signs (records/chart_entry.VITALS) or not entered here at all.
NOT_LABORATORY = frozenset({"sbp", "dbp", "heart_rate", "respiratory_rate", "spo2", "temperature",
                            "o2_flow", "fio2", "gcs", "consciousness", "weight", "height", "bmi",
                            "smoking_status", "lvef"})


def _code(codes: tuple[str, ...], names: dict[str, str]) -> str:
    # Serum or plasma before whole blood: what a clinic's laboratory reports ('Potassium' 2823-3,
    # not 'Potassium (blood)' 6298-4); otherwise loinc_map.csv's first code.
    return sorted(codes, key=lambda c: "(blood" in names.get(c, ""))[0]


@derived_table
def lab_tests() -> tuple[LabTest, ...]:
    """The picklist: every laboratory analyte of loinc_map.csv, by name."""
    names = display_table()
    out = []
    for key, a in analytes().items():
        if key in NOT_LABORATORY:
            continue
        code = _code(a.loinc, names)
        out.append(LabTest(key, names.get(code, a.display), code, a.unit, a.same_units))
    return tuple(sorted(out, key=lambda t: t.name.lower()))


def find_test(text: str) -> LabTest:
    """A test by analyte key, LOINC code or name ('potassium', '2823-3', 'Potassium')."""
    want = text.strip().lower()
    for t in lab_tests():
        if want in (t.key, t.loinc, t.name.lower()) or want in (c.lower() for c in analytes()[t.key].loinc):
            return t
    raise FieldError("test", f"no test {text.strip()!r} in the list; choose one of "
                             f"{', '.join(t.key for t in lab_tests())}")


def check_unit(test: LabTest, unit: str) -> str:
    """The unit a result is stored in: the test's own when none is given; one of another kind is refused."""
    if not unit.strip():
        return test.unit
    if not test.fits(unit):
        raise FieldError("unit", f"{unit.strip()} is not a unit of {test.name}; it is reported in "
                                 f"{test.unit_shown or 'no unit'}")
    return unit.strip()


def interpretation(test: LabTest, value: float, sex: str) -> tuple[float | None, float | None, str]:
    """(reference low, high, v3 interpretation code: LL/L/N/H/HH) from lab_reference_ranges.csv."""
    r = test.range_for(sex)
    if r is None:
        return None, None, ""
    if r.critical_low is not None and value <= r.critical_low:
        code = "LL"
    elif r.critical_high is not None and value >= r.critical_high:
        code = "HH"
    elif r.low is not None and value < r.low:
        code = "L"
    elif r.high is not None and value > r.high:
        code = "H"
    else:
        code = "N"
    return r.low, r.high, code
