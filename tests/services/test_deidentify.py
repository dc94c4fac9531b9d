"""De-identified export: no source identifier in any exported byte, re-import, same flags, audit, admin only."""

from __future__ import annotations

import base64
import json
import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.clinical.flags import evaluate
from assistant.errors import AssistantError
from assistant.records.deidentify import Deidentifier, deidentified_bundle
from assistant.records.record import PatientRecord
from assistant.services.deidentify import AUDIT_ACTION, export_deidentified
from assistant.services.importing import import_files
from assistant.store.database import Store
from support import FAST_KDF, PASSWORD, ROOT

DEMO = sorted((ROOT / "resources" / "demo").glob("*.json"))
AS_OF = datetime(2026, 1, 15, 12, tzinfo=UTC)


def _source_identifiers(bundle_path: Path, record: PatientRecord) -> set[str]:
    """Every identifier of the source: names, address lines, phones, MRNs and other ids, exact dates."""
    raw = json.loads(bundle_path.read_text(encoding="utf-8"))
    patient = next(e["resource"] for e in raw["entry"] if e["resource"]["resourceType"] == "Patient")
    found: set[str] = {i["value"] for i in patient.get("identifier", [])}
    for name in patient.get("name", []):
        found.update([name.get("family", ""), *name.get("given", [])])
    found.update(t["value"] for t in patient.get("telecom", []))
    for a in patient.get("address", []):
        found.update([*a.get("line", []), a.get("city", ""), a.get("postalCode", "")])
    found.update(x.get("valueString", "") for x in patient.get("extension", []))  # maiden name
    p = record.patient
    found.update([p.phone, p.email, p.birth_date.isoformat() if p.birth_date else ""])
    found.update(e.when.isoformat() for e in record.entries() if e.when is not None)  # exact timestamps
    if p.deceased_date:
        found.add(p.deceased_date.isoformat())
    return {f for f in found if len(f) >= 3}


def _exported_text(path: Path) -> str:
    """The file's bytes, plus the decoded text of every attachment (base64 hides nothing from us)."""
    text = path.read_text(encoding="utf-8")
    for entry in json.loads(text)["entry"]:
        for content in entry["resource"].get("content", []):
            text += "\n" + base64.b64decode(content["attachment"]["data"]).decode("utf-8")
    return text


def _scan(store: Store, files: list[Path], tmp_path: Path) -> tuple[int, int]:
    """Each patient exported on its own: its identifiers looked for in every exported file, its exact
    dates in its own (another patient's shifted date may fall on the same second by chance)."""
    import_files(store, files, workers=1)
    own: dict[Path, str] = {}
    for n, source in enumerate(files):
        raw = json.loads(source.read_text(encoding="utf-8"))
        pid = next(e["resource"]["id"] for e in raw["entry"] if e["resource"]["resourceType"] == "Patient")
        done = export_deidentified(store, [pid], tmp_path / f"{n}.json")
        own[source] = _exported_text(done.files[0]) + done.report_text.read_text() + done.report_json.read_text()
    everything = "\n".join(own.values())
    leaks, checked = [], 0
    for source in files:
        raw = json.loads(source.read_text(encoding="utf-8"))
        pid = next(e["resource"]["id"] for e in raw["entry"] if e["resource"]["resourceType"] == "Patient")
        record = store.patients.load_record(store.patients.resolve(pid), audit=False)
        for ident in _source_identifiers(source, record) | {pid}:
            checked += 1
            where = own[source] if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", ident) else everything
            # A plain search first (quick); the bounded one only confirms a hit is a whole token.
            if ident in where and re.search(rf"(?<![\w.]){re.escape(ident)}(?![\w])", where):
                leaks.append(ident)
    assert not leaks, [x[:3] + "..." for x in leaks]  # never the whole identifier in a test log
    return len(leaks), checked


def test_no_demo_identifier_in_any_exported_byte(store: Store, tmp_path: Path) -> None:
    leaks, checked = _scan(store, DEMO, tmp_path)
    assert checked > 100
    assert leaks == 0


def test_no_synthea_identifier_in_any_exported_byte(store: Store, tmp_path: Path, shared_fhir: Path) -> None:
    files = sorted(f for f in shared_fhir.glob("*_*.json"))  # the patients, not hospitalInformation
    leaks, checked = _scan(store, files, tmp_path)
    assert len(files) >= 30 and checked > 1000
    assert leaks == 0


def _fingerprint(record: PatientRecord, as_of: datetime) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    report = evaluate(record, as_of)
    flags = sorted((f.id, f.severity) for f in report.flags)
    scores = sorted((s.calculator_id, repr(s.result.value if s.result else None)) for s in report.scores)
    return flags, scores


@pytest.mark.parametrize("source", DEMO, ids=lambda p: p.name[:2])
def test_export_reimports_with_the_same_flags_and_scores(make_store, tmp_path: Path, source: Path) -> None:
    original = make_store("original.db")
    import_files(original, [source], workers=1)
    record = original.patients.load_record(original.patients.list()[0].id, audit=False)
    result = Deidentifier(random.Random(7)).deidentify(record, today=AS_OF.date())
    out = tmp_path / "deid.json"
    out.write_text(json.dumps(deidentified_bundle(result.record)))
    fresh = make_store("fresh.db")
    assert not import_files(fresh, [out], workers=1).failed
    again = fresh.patients.load_record(fresh.patients.list()[0].id, audit=False)
    assert again.counts() == record.counts()
    assert _fingerprint(again, AS_OF + result.shift) == _fingerprint(record, AS_OF)
    assert str(result.shift.days) not in json.dumps(out.read_text()).split('"')  # the shift is not written


def test_export_is_audited_and_pseudonyms_are_stable_within_one_export(store: Store, tmp_path: Path) -> None:
    import_files(store, DEMO[:2], workers=1)
    done = export_deidentified(store, [], tmp_path / "dir", everyone=True)
    events = [e for e in store.audit.events(limit=50) if e.action == AUDIT_ACTION]
    assert len(events) == 3 and any(e.detail == "2 patients de-identified" for e in events)
    for path in done.files:
        bundle = json.loads(path.read_text())
        patient_ref = f"urn:uuid:{bundle['entry'][0]['resource']['id']}"
        subjects = {e["resource"].get("subject", e["resource"].get("patient", {})).get("reference")
                    for e in bundle["entry"][1:]}
        assert subjects == {patient_ref}
    report = json.loads(done.report_json.read_text())
    assert report["patients"] == 2 and report["removed_or_generalised"]["medical record number"] == 2
    assert "Expert determination" in report["method"]


def test_one_patient_goes_to_the_named_file(store: Store, tmp_path: Path) -> None:
    import_files(store, DEMO[:1], workers=1)
    done = export_deidentified(store, [store.patients.list()[0].id], tmp_path / "one.json")
    assert done.files == (tmp_path / "one.json",)
    assert done.report_text.name == "one.report.txt"


def test_a_clinician_cannot_export(store: Store, tmp_path: Path) -> None:
    import_files(store, DEMO[:1], workers=1)
    store.accounts.add("clin", "clinician password", kdf=FAST_KDF)
    store.close()
    clin = Store.open(tmp_path / "test.db", "clin", "clinician password")
    try:
        with pytest.raises(AssistantError):
            export_deidentified(clin, [], tmp_path / "out", everyone=True)
    finally:
        clin.close()
    assert not (tmp_path / "out").exists()
    assert PASSWORD


def test_cli_exports_all_patients_into_a_folder(cli_env: Path, tmp_path: Path, capsys) -> None:
    from support import run_cli

    assert run_cli(capsys, "init")[0] == 0
    assert run_cli(capsys, "import", *map(str, DEMO[:2]))[0] == 0
    code, out, _err = run_cli(capsys, "export", "--deidentify", "--all", "--out", str(tmp_path / "d"))
    assert code == 0 and "2 de-identified patient(s)" in out
    assert len(list((tmp_path / "d").glob("*-*-*-*.json"))) == 2
    code, _out, err = run_cli(capsys, "export", "--deidentify", "--format", "pdf", "--all", "--out", "x")
    assert code != 0 and "FHIR only" in err
