"""Demo patients (resources/demo) and the demo database (`python -m assistant.demo`)."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from assistant import demo
from assistant.records.domain import Observation
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord
from assistant.store.database import Store
from support import FAST_KDF, PASSWORD, ROOT

DEMO_DIR = ROOT / "resources" / "demo"
# The scenarios are checked as the demo database made today holds them: every date moved so that
# the bundles' anchor day is today (assistant/demo.py), whatever day the tests run.
TODAY = datetime.now(UTC).date()
UNICODE_NAME = "Zoë Müller-Łukasiewicz"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo", DEMO_DIR / "make_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _records() -> dict[str, PatientRecord]:
    out = {}
    for path in sorted(DEMO_DIR.glob("*.json")):
        parsed = demo.parse_demo(path, TODAY)
        assert len(parsed.patients) == 1, path
        rec = PatientRecord.build(parsed.patients[0], parsed.entries)
        out[rec.patient.mrn] = rec
    return out


@pytest.fixture(scope="module")
def records() -> dict[str, PatientRecord]:
    return _records()


def _values(rec: PatientRecord, loinc: str) -> list[float]:
    """Values of one LOINC code, oldest first."""
    return [o.value for o in reversed(rec.observations_for(loinc)) if o.value is not None]


def _active_codes(rec: PatientRecord) -> set[str]:
    return {c.code for cond in rec.active_conditions for c in cond.codes}


def _active_med_names(rec: PatientRecord) -> str:
    # on the demo's day (today): an order with an end date is not active after it
    day = datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC)
    return " | ".join(m.name.lower() for m in rec.active_medications_at(day))


def _days_ago(o: Observation) -> int:
    assert o.effective is not None
    return (TODAY - o.effective.date()).days


# --- the bundles ----------------------------------------------------------------------------------
def test_five_bundles_parse_and_are_marked_demo() -> None:
    files = sorted(DEMO_DIR.glob("*.json"))
    assert len(files) == 5
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["resourceType"] == "Bundle" and doc["type"] == "transaction"
        for entry in doc["entry"]:
            res = entry["resource"]
            assert entry["fullUrl"] == f"urn:uuid:{res['id']}"
            assert entry["request"] == {"method": "POST", "url": res["resourceType"]}
            assert any(t["code"] == "DEMO" for t in res["meta"]["tag"]), (path.name, res["resourceType"])
        parsed = parse_file(path)  # validates every resource with fhir.resources R4B
        assert not parsed.unknown
        patient = parsed.patients[0]
        assert patient.mrn.startswith("DEMO-")
        mrn = next(i for i in patient.identifiers if i.type_code == "MR")
        assert "DEMO" in mrn.system
        assert all(e.patient_id == patient.id for e in parsed.entries)
        counts = PatientRecord.build(patient, parsed.entries).counts()
        for section in ("conditions", "medications", "observations", "encounters", "procedures",
                        "immunizations"):
            assert counts[section] > 0, (path.name, section)
        assert 2 <= counts["notes"] <= 4


def test_bundles_match_their_generator() -> None:
    gen = _load_generator()
    assert len(gen.PATIENTS) == 5
    for name, build in gen.PATIENTS.items():
        assert (DEMO_DIR / name).read_text(encoding="utf-8") == gen.render(build), \
            f"{name} is out of date: run resources/demo/make_demo.py"


def test_records_are_well_coded(records: dict[str, PatientRecord]) -> None:
    for rec in records.values():
        for cond in rec.conditions:
            systems = {c.system for c in cond.codes}
            assert {"http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm"} <= systems
        for med in rec.medications:
            assert med.code.system == "http://www.nlm.nih.gov/research/umls/rxnorm" and med.code.code
            assert med.dose_text and med.frequency and med.route
        for obs in rec.observations:
            assert obs.code.system == "http://loinc.org"
            if obs.reference_low is not None or obs.reference_high is not None:
                assert obs.interpretation, obs.name
        for imm in rec.immunizations:
            assert imm.code.system == "http://hl7.org/fhir/sid/cvx"
        for note in rec.notes:
            assert note.status == "current" and note.author and note.date and len(note.text) > 200
            assert note.type_code.system == "http://loinc.org"
        bp = rec.latest("85354-9")
        assert bp is not None and bp.component("8480-6") and bp.component("8462-4")


# --- the five scenarios ---------------------------------------------------------------------------
def test_a_diabetes_ckd_with_rising_hba1c(records: dict[str, PatientRecord]) -> None:
    rec = records["DEMO-100001"]
    assert {"44054006", "433144002", "59621000"} <= _active_codes(rec)
    meds = _active_med_names(rec)
    assert "metformin" in meds and "lisinopril" in meds and "empagliflozin" in meds
    assert _values(rec, "4548-4") == [7.4, 8.1, 8.9]
    egfr, creat = _values(rec, "98979-8"), _values(rec, "2160-0")
    assert egfr == sorted(egfr, reverse=True) and egfr[-1] < 45
    assert creat == sorted(creat) and len(set(creat)) == 3
    latest = rec.latest("4548-4")
    assert latest is not None and latest.interpretation == "H" and _days_ago(latest) < 60


def test_b_af_on_warfarin_with_nsaid_and_high_inr(records: dict[str, PatientRecord]) -> None:
    rec = records["DEMO-100002"]
    assert rec.patient.age_years(TODAY) == 78
    assert {"49436004", "59621000"} <= _active_codes(rec)
    assert any(c.code.code == "266257000" for c in rec.conditions)  # prior TIA
    meds = _active_med_names(rec)
    assert "warfarin" in meds and "ibuprofen" in meds
    inr = rec.latest("6301-6")
    assert inr is not None and inr.value == 3.8 and inr.interpretation == "H" and _days_ago(inr) < 30


def test_c_hfref_with_hyperkalaemia_on_mra_and_acei(records: dict[str, PatientRecord]) -> None:
    rec = records["DEMO-100003"]
    assert {"703272007", "14140009"} <= _active_codes(rec)
    meds = _active_med_names(rec)
    for drug in ("spironolactone", "lisinopril", "furosemide", "carvedilol"):
        assert drug in meds
    k = rec.latest("2823-3")
    assert k is not None and k.value == 6.1 and k.unit == "mmol/L" and k.interpretation == "H"
    assert _days_ago(k) < 14
    creat = _values(rec, "2160-0")
    assert creat == sorted(creat) and creat[-1] > creat[0]


def test_d_copd_with_news2_worthy_latest_vitals(records: dict[str, PatientRecord]) -> None:
    rec = records["DEMO-100004"]
    assert "13645005" in _active_codes(rec)
    meds = _active_med_names(rec)
    assert "tiotropium" in meds and "albuterol" in meds
    latest = {code: rec.latest(code) for code in ("9279-1", "59408-5", "8310-5", "8867-4", "85354-9")}
    assert all(o is not None and _days_ago(o) <= 1 for o in latest.values())
    assert latest["9279-1"].value == 26  # type: ignore[union-attr]
    assert latest["59408-5"].value == 88  # type: ignore[union-attr]
    assert latest["8310-5"].value == 38.4 and latest["8310-5"].unit == "Cel"  # type: ignore[union-attr]
    assert latest["8867-4"].value == 112  # type: ignore[union-attr]
    sbp = latest["85354-9"].component("8480-6")  # type: ignore[union-attr]
    assert sbp is not None and sbp.value == 98
    fio2 = rec.latest("3150-0")
    assert fio2 is not None and fio2.value == 21  # room air
    assert any("new confusion" in n.text.lower() for n in rec.notes)


def test_e_penicillin_allergy_with_active_amoxicillin(records: dict[str, PatientRecord]) -> None:
    rec = records["DEMO-100005"]
    allergy = next(a for a in rec.active_allergies if "penicillin" in a.substance.lower())
    assert allergy.criticality == "high" and allergy.category == "medication"
    assert "Anaphylaxis" in allergy.reaction
    # active on the demo's day; after its end date it is active nowhere (issue 14)
    on_the_day = datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC)
    amox = next(m for m in rec.active_medications_at(on_the_day) if "amoxicillin" in m.name.lower())
    assert amox.status == "active" and amox.code.code == "308191"
    assert amox.end is not None
    assert not amox.active_at(amox.end) and amox.status_at(amox.end) == "ended"


# --- Unicode --------------------------------------------------------------------------------------
def test_unicode_name_round_trips(records: dict[str, PatientRecord], store: Store) -> None:
    patient = records["DEMO-100005"].patient
    assert patient.name == UNICODE_NAME
    path = next(DEMO_DIR.glob("05_*.json"))
    store.patients.import_parsed(parse_file(path))
    assert store.patients.load_patient(patient.id).name == UNICODE_NAME
    assert [p.name for p in store.patients.list()] == [UNICODE_NAME]
    assert [p.name for p in store.patients.list(search="Müller")] == [UNICODE_NAME]
    loaded = store.patients.load_record(patient.id)
    assert any("Zoë" in n.text for n in loaded.notes)


# --- the demo database ----------------------------------------------------------------------------
def test_demo_creates_a_database_that_opens_with_demo_credentials(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "data" / "clinical.db"
    monkeypatch.setenv("ASSISTANT_DB", str(db))
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert str(db) in out and "DEMO ONLY" in out and "demo-password" in out and "DEMO recovery key" in out

    with Store.open(db, demo.DEMO_CLINICIAN, demo.DEMO_CLINICIAN_PASSWORD) as s:
        assert s.account.role == "clinician"
        patients = s.patients.list()
        assert len(patients) == 5
        assert {p.mrn for p in patients} == {f"DEMO-10000{i}" for i in range(1, 6)}
        assert UNICODE_NAME in {p.name for p in patients}
        assert s.meta(demo.DEMO_MARKER) == "1"
    with Store.open(db, demo.DEMO_ADMIN, demo.DEMO_ADMIN_PASSWORD) as s:
        assert s.account.is_admin
    assert not list(db.parent.glob(".demo-build-*"))

    # Idempotent: a second run leaves the database alone and says so.
    before = db.read_bytes()
    assert demo.main([]) == 0
    assert "already exists" in capsys.readouterr().out
    assert db.read_bytes() == before

    # --force rebuilds a demo database.
    assert demo.main(["--db", str(db), "--force"]) == 0
    assert "Demo database created" in capsys.readouterr().out
    with Store.open(db, demo.DEMO_CLINICIAN, demo.DEMO_CLINICIAN_PASSWORD) as s:
        assert s.patients.count() == 5


def test_force_never_replaces_a_real_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "real.db"
    store, _ = Store.create(db, "admin", PASSWORD, kdf=FAST_KDF)
    store.close()
    before = db.read_bytes()
    assert demo.main(["--db", str(db)]) == 0
    assert "already exists" in capsys.readouterr().out
    assert demo.main(["--db", str(db), "--force"]) == 2
    assert "not a demo database" in capsys.readouterr().err
    assert db.read_bytes() == before
    with Store.open(db, "admin", PASSWORD) as s:
        assert s.patients.count() == 0


def test_failed_build_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.records.fhir_import as fhir_import
    from assistant.errors import BadInputError

    def broken(path: Path) -> None:
        raise BadInputError(f"{path}: broken on purpose")

    monkeypatch.setattr(fhir_import, "parse_file", broken)
    db = tmp_path / "clinical.db"
    assert demo.main(["--db", str(db)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_every_egfr_agrees_with_its_creatinine(records: dict[str, PatientRecord]) -> None:
    from assistant.clinical.calculators import get

    ckd_epi = get("ckd_epi_2021")
    checked = 0
    for rec in records.values():
        creatinine = {o.effective: o.value for o in rec.observations_for("2160-0")}
        for egfr in rec.observations_for("98979-8"):
            assert egfr.effective is not None
            age = rec.patient.age_years(egfr.effective.date())
            result = ckd_epi.compute({"creatinine": creatinine[egfr.effective], "age": age,
                                      "sex": rec.patient.sex})
            assert egfr.value == result.value, (rec.patient.mrn, egfr.effective)
            checked += 1
    assert checked >= 10


# --- dates relative to the day the database is made ------------------------------------------------
def test_every_bundle_states_its_anchor_day_and_the_stories_end_before_it() -> None:
    newest_of_all = []
    for path in sorted(DEMO_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        anchor = demo.bundle_anchor(doc)
        assert anchor == date(2026, 11, 22), path.name  # the day resources/demo/README.md names
        rec = _records()[parse_file(path).patients[0].mrn]
        newest = max(e.when for e in rec.entries() if e.when)
        # moved to today, each story is recent and in the past, never the future
        assert TODAY - timedelta(days=14) <= newest.date() < TODAY, path.name
        newest_of_all.append(newest.date())
    assert max(newest_of_all) == TODAY - timedelta(days=1)  # Doris's ED visit: the evening before


def test_a_bundle_without_an_anchor_is_refused(tmp_path: Path) -> None:
    from assistant.errors import BadInputError

    doc = json.loads(next(DEMO_DIR.glob("05_*.json")).read_text(encoding="utf-8"))
    doc["meta"]["tag"] = [t for t in doc["meta"]["tag"] if t["system"] != demo.ANCHOR_SYSTEM]
    bad = tmp_path / "no-anchor.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(BadInputError, match="no anchor day"):
        demo.parse_demo(bad)


@pytest.mark.parametrize("today", [date(2026, 11, 22), date(2027, 3, 1), date(2031, 7, 15)])
def test_the_showcase_holds_on_any_day_the_database_is_made(tmp_path: Path, today: date) -> None:
    """What the README promises of the demo database, made on `today` and read that day."""
    from assistant.clinical.flags import evaluate

    db = tmp_path / "demo.db"
    assert demo.create_demo_database(db, kdf=FAST_KDF, today=today) is not None
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    with Store.open(db, demo.DEMO_CLINICIAN, demo.DEMO_CLINICIAN_PASSWORD) as s:
        by_mrn = {p.mrn: s.patients.load_record(p.id) for p in s.patients.list()}
    flags = {mrn: {f.id: f for f in evaluate(rec, noon).flags} for mrn, rec in by_mrn.items()}
    zoe = by_mrn["DEMO-100005"]
    assert any("amoxicillin" in m.name.lower() for m in zoe.active_medications_at(noon))
    assert flags["DEMO-100005"]["allergy:penicillin+amoxicillin"].severity == "critical"
    assert flags["DEMO-100003"]["lab:potassium:critically-high"].severity == "critical"
    assert flags["DEMO-100002"]["lab:inr:high"].severity == "high"
    assert flags["DEMO-100002"]["ddi:warfarin+ibuprofen"].severity == "high"
    assert flags["DEMO-100004"]["score:news2"].severity == "critical"
    assert by_mrn["DEMO-100002"].patient.age_years(today) == 78
    assert by_mrn["DEMO-100005"].patient.age_years(today) == 34
