"""Monitoring lines: one line per test when templates overlap, at the stricter interval."""

from __future__ import annotations

from assistant.assist.careplan.monitor_merge import merge_covered
from assistant.assist.careplan.templates import MonitorSpec

K = ("6298-4", "2823-3")
BMP = K + ("2160-0", "38483-4")


def test_a_test_covered_by_a_combined_one_merges_into_it_at_the_stricter_interval() -> None:
    potassium = MonitorSpec("potassium", "Potassium", K, "every 6 months", 6)
    bmp = MonitorSpec("bmp", "Potassium and creatinine", BMP, "yearly", 12)
    out = merge_covered({"potassium": (potassium, ["ckd"]), "bmp": (bmp, ["hypertension"])})
    assert list(out) == ["bmp"]
    spec, conditions = out["bmp"]
    assert (spec.months, spec.interval) == (6, "every 6 months") and conditions == ["hypertension", "ckd"]


def test_tests_with_other_codes_are_left_alone() -> None:
    egfr = MonitorSpec("egfr", "eGFR", ("33914-3",), "yearly", 12)
    bmp = MonitorSpec("bmp", "Potassium and creatinine", BMP, "yearly", 12)
    assert set(merge_covered({"egfr": (egfr, []), "bmp": (bmp, [])})) == {"egfr", "bmp"}
