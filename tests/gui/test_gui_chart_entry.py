"""Chart entry in the app, as a clinician does it: vitals, a lab result, stop a medicine, add an allergy,
resolve a problem, and the flags change; bad input gets a message beside its field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gui_support import FAST_KDF, PASSWORD, USER, resolve_first_problem, save_dialog
from PySide6.QtWidgets import QWidget

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "01_arthur_sampleton_diabetes_ckd.json"


@pytest.fixture
def arthur_db(tmp_path: Path) -> Path:
    from assistant.services.importing import import_files
    from assistant.store.database import Store

    path = tmp_path / "entry" / "clinical.db"
    path.parent.mkdir()
    store, _ = Store.create(path, USER, PASSWORD, display_name="Dr Admin", kdf=FAST_KDF)
    import_files(store, [DEMO])
    store.close()
    return path


def _flags(qtbot: Any, view: Any, before: Any = None) -> Any:
    qtbot.waitUntil(lambda: view.overview.risk is not None and view.overview.risk is not before, timeout=20000)
    return view.overview.risk


def test_done_when_walk(qtbot: Any, make_window: Any, arthur_db: Path, gui: Any, tmp_path: Path) -> None:
    window = make_window(arthur_db)
    gui.sign_in(window)
    view = gui.open_patient(window, "Arthur")
    risk0 = _flags(qtbot, view)
    shots = tmp_path / "shots"
    shots.mkdir()

    view.show_tab("labs")
    labs_bar = view.entry_bars["labs"]
    labs_bar.buttons["Record vitals"].click()
    vitals = labs_bar.dialog
    vitals.bp.setText("400/20")
    vitals.save()
    assert "400" in vitals.error_text("bp") and vitals.isVisible()  # refused, the message beside the field
    vitals.bp.setText("82/128")
    vitals.save()
    assert "not below systolic" in vitals.error_text("bp")
    vitals.bp.setText("128/82")
    vitals.edits["pulse"].setText("72")
    vitals.edits["spo2"].setText("97")
    save_dialog(qtbot, vitals)
    assert any(o.recorded_by == "Dr Admin" and o.code.code == "85354-9" for o in view.record.observations)

    labs_bar.buttons["Record lab result"].click()
    lab = labs_bar.dialog
    lab.select_test("potassium")
    assert "3.5–5.1" in lab.range.text()
    lab.value.setText("6.3")
    lab.unit.setEditText("mg/dL")
    lab.save()
    qtbot.waitUntil(lambda: "not a unit of Potassium" in lab.error_text("unit"), timeout=5000)
    assert lab.grab().save(str(shots / "lab-error.png"))
    lab.unit.setEditText("mmol/L")
    save_dialog(qtbot, lab)
    potassium = next(o for o in view.record.observations if o.value == 6.3)
    qtbot.waitUntil(lambda: any(potassium.ref in f.evidence for f in view.overview.risk.flags), timeout=20000)
    critical = [f for f in view.overview.risk.flags if potassium.ref in f.evidence]
    assert critical[0].severity == "critical" and "Potassium" in critical[0].title
    shown = view.overview.flags.findChildren(QWidget)
    assert any("Potassium" in (getattr(w, "text", lambda: "")() or "") for w in shown)

    meds = view.ensure("medications")
    med = next(m for m in view.record.medications if m.is_active)
    assert meds.select_ref(med.ref)
    bar = view.entry_bars["medications"]
    qtbot.waitUntil(lambda: bar.buttons["Stop"].isEnabled(), timeout=5000)
    bar.buttons["Stop"].click()
    stop = bar.dialog
    stop.save()  # checked on the database thread: the message still lands beside the field
    qtbot.waitUntil(lambda: "why it is stopped" in stop.error_text("reason"), timeout=5000)
    stop.reason.setText("no longer needed")
    save_dialog(qtbot, stop)
    assert not view.record.entry(med.ref).is_active

    allergies = view.entry_bars["allergies"] if "allergies" in view.entry_bars else None
    if allergies is None:
        view.ensure("allergies")
        allergies = view.entry_bars["allergies"]
    allergies.buttons["Record allergy"].click()
    allergy = allergies.dialog
    allergy.substance.setText("Penicillin")
    allergy.reaction.setText("hives")
    save_dialog(qtbot, allergy)
    assert [a.substance for a in view.record.active_allergies] == ["Penicillin"]

    resolve_first_problem(qtbot, view)
    qtbot.waitUntil(lambda: view.overview._risk_task is None, timeout=20000)
    risk2 = view.overview.risk
    assert {f.id for f in risk2.flags} != {f.id for f in risk0.flags}
    assert view.tabs.tabText(view.tabs.indexOf(view._pages["allergies"])) == "Allergies (1)"
    assert (shots / "lab-error.png").stat().st_size > 1000


def _row_tip(tab: Any, ref: str) -> str:
    from PySide6.QtCore import Qt

    row = tab.model.row_of(lambda e: e.ref == ref)
    return str(tab.model.data(tab.model.index(row, 0), Qt.ItemDataRole.ToolTipRole) or "")


def _status_text(tab: Any, ref: str) -> str:
    row = tab.model.row_of(lambda e: e.ref == ref)
    col = [c.title for c in tab.model.columns].index("Status")
    return str(tab.model.data(tab.model.index(row, col)))


def test_correct_an_allergy_and_a_medicine_in_the_app(qtbot: Any, make_window: Any, arthur_db: Path,
                                                       gui: Any) -> None:
    window = make_window(arthur_db)
    gui.sign_in(window)
    view = gui.open_patient(window, "Arthur")
    _flags(qtbot, view)
    allergies_tab = view.ensure("allergies")
    abar = view.entry_bars["allergies"]
    abar.buttons["Record allergy"].click()
    abar.dialog.substance.setText("Penicillin")
    abar.dialog.reaction.setText("hives")
    save_dialog(qtbot, abar.dialog)
    old_allergy = view.record.active_allergies[0]
    assert allergies_tab.select_ref(old_allergy.ref)
    qtbot.waitUntil(lambda: abar.buttons["Correct"].isEnabled(), timeout=5000)
    abar.buttons["Correct"].click()
    fix = abar.dialog
    fix.edits["reaction"].setText("anaphylaxis")
    save_dialog(qtbot, fix)
    (new_allergy,) = view.record.active_allergies
    assert new_allergy.reaction == "anaphylaxis" and new_allergy.supersedes == old_allergy.ref
    shown = {e.ref for e in allergies_tab.model.objects()}
    assert {old_allergy.ref, new_allergy.ref} <= shown  # both versions visible
    assert _status_text(allergies_tab, old_allergy.ref) == "Entered in error"
    tip = _row_tip(allergies_tab, old_allergy.ref)
    assert tip.startswith("Corrected by Dr Admin") and "Penicillin" in tip and "replaced by" in tip
    assert allergies_tab.select_ref(old_allergy.ref)
    qtbot.waitUntil(lambda: not abar.buttons["Correct"].isEnabled(), timeout=5000)  # correct the new one
    # Its status history, read from the audit log, under its details.
    qtbot.waitUntil(lambda: "Status history" in allergies_tab.detail.toPlainText(), timeout=5000)
    assert "by Dr Admin: corrected" in allergies_tab.detail.toPlainText()  # the display name, not the login

    meds_tab = view.ensure("medications")
    med = next(m for m in view.record.medications if m.is_active)
    assert meds_tab.select_ref(med.ref)
    mbar = view.entry_bars["medications"]
    qtbot.waitUntil(lambda: mbar.buttons["Correct"].isEnabled(), timeout=5000)
    risk = view.overview.risk
    mbar.buttons["Correct"].click()
    mfix = mbar.dialog
    mfix.edits["dose_text"].setText("")
    mfix.save()
    qtbot.waitUntil(lambda: "empty" in mfix.error_text("dose_text"), timeout=5000)
    mfix.edits["dose_text"].setText("250 mg")
    save_dialog(qtbot, mfix)
    new_med = mfix.result_saved.added[0]
    assert view.record.entry(med.ref).status == "entered-in-error"
    assert view.record.entry(new_med.ref).dose_text == "250 mg" and new_med.is_active
    assert {med.ref, new_med.ref} <= {e.ref for e in meds_tab.model.objects()}
    assert "replaced by" in _row_tip(meds_tab, med.ref)
    flags = _flags(qtbot, view, risk)
    qtbot.waitUntil(lambda: view.overview._risk_task is None, timeout=20000)
    evidence = {r for f in view.overview.risk.flags for r in f.evidence}
    assert flags is not None and not evidence & {med.ref, old_allergy.ref}

    from assistant.store.database import Store

    window.close()
    store = Store.open(arthur_db, USER, PASSWORD)
    try:
        rows = [e for e in store.audit.events(view.record.patient.id, limit=200) if e.action == "entry.correct"]
    finally:
        store.close()
    assert sum("supersedes" in r.detail for r in rows) == 2 and len(rows) == 4


def test_the_status_history_names_the_person_not_the_login(qtbot: Any, make_window: Any, arthur_db: Path,
                                                           gui: Any, tmp_path: Path) -> None:
    import re

    window = make_window(arthur_db)
    gui.sign_in(window)
    view = gui.open_patient(window, "Arthur")
    meds = view.ensure("medications")
    med = next(m for m in view.record.medications if m.is_active)
    assert meds.select_ref(med.ref)
    bar = view.entry_bars["medications"]
    qtbot.waitUntil(lambda: bar.buttons["Stop"].isEnabled(), timeout=5000)
    bar.buttons["Stop"].click()
    bar.dialog.reason.setText("no longer needed")
    save_dialog(qtbot, bar.dialog)
    assert meds.select_ref(med.ref)
    qtbot.waitUntil(lambda: "Status history" in meds.detail.toPlainText(), timeout=5000)
    text = meds.detail.toPlainText()
    assert re.search(r"Stopped \d{4}-\d\d-\d\d \d\d:\d\d by Dr Admin: no longer needed", text), text
    assert "by admin" not in text
    shot = tmp_path / "status-history.png"  # the detail pane as a clinician sees it
    view.show_tab("medications")
    window.resize(1400, 1000)
    qtbot.wait(50)
    meds.detail.verticalScrollBar().setValue(meds.detail.verticalScrollBar().maximum())  # the history: at the foot
    assert window.grab().save(str(shot)) and shot.stat().st_size > 1000
