"""Knowledge packs: built-in manifest, signed install, verify, tamper, wrong key, older pack, rollback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from assistant.clinical import knowledge_install as packs
from assistant.clinical.flags import evaluate
from assistant.clinical.knowledge import KnowledgeError, clear_caches, knowledge_version
from assistant.clinical.knowledge_pack import build_manifest, public_key_text, sign, write_manifest
from assistant.records.fhir_import import parse_file
from assistant.records.record import PatientRecord
from support import ROOT

BUILTIN = ROOT / "resources" / "knowledge"
NEW_ROW = ("carvedilol,atorvastatin,moderate,Test mechanism row added by a pack.,Test management.,,"
           "Test source: knowledge-pack test\n")


def _key(tmp_path: Path, name: str) -> tuple[Path, str]:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / f"{name}.pem"
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path, public_key_text(key.public_key())


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A trusted publisher key, an empty packs folder, and a signer of copies of the built-in pack."""
    key_file, public = _key(tmp_path, "publisher")
    monkeypatch.delenv("ASSISTANT_KNOWLEDGE_DIR", raising=False)
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_KEYS", public)
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_PACKS", str(tmp_path / "packs"))
    clear_caches()

    def make(version: str, key: Path = key_file, extra_row: str = "") -> Path:
        folder = tmp_path / f"src-{version}-{key.stem}"
        shutil.copytree(BUILTIN, folder)
        if extra_row:
            with (folder / "interactions.csv").open("a", encoding="utf-8") as f:
                f.write(extra_row)
        write_manifest(folder, build_manifest(folder, "site", version))
        sign(folder, key)
        return folder

    yield make
    clear_caches()


def test_builtin_pack_matches_its_manifest() -> None:
    info = packs.verify(BUILTIN, (), signed=False)
    assert info.name == "builtin" and info.files > 20


def test_install_verify_and_rollback(site) -> None:
    assert packs.active().name == "builtin"
    info = packs.install(site("2026.2.0"))
    assert info.label == "site 2026.2.0" and packs.active().label == "site 2026.2.0"
    assert knowledge_version() == "site 2026.2.0"
    packs.install(site("2026.3.0"))
    assert [p.version for p in packs.installed()][1:] == ["2026.2.0", "2026.3.0"]
    assert packs.rollback().label == "site 2026.2.0"
    assert packs.rollback().name == "builtin"
    with pytest.raises(KnowledgeError, match="nothing to roll back"):
        packs.rollback()


def test_tampered_table_is_refused_naming_the_file(site) -> None:
    folder = site("2026.2.0")
    data = bytearray((folder / "units.csv").read_bytes())
    data[-2] ^= 1  # one byte in one table
    (folder / "units.csv").write_bytes(bytes(data))
    with pytest.raises(KnowledgeError, match="units.csv was altered"):
        packs.install(folder)
    assert packs.active().name == "builtin"


def test_unsigned_wrong_key_and_older_packs_are_refused(site, tmp_path: Path) -> None:
    unsigned = site("2026.2.0")
    (unsigned / "manifest.sig").unlink()
    with pytest.raises(KnowledgeError, match="unsigned"):
        packs.install(unsigned)
    stranger, _ = _key(tmp_path, "stranger")
    with pytest.raises(KnowledgeError, match="not signed by a key this site trusts"):
        packs.install(site("2026.2.0", key=stranger))
    packs.install(site("2026.3.0"))
    with pytest.raises(KnowledgeError, match="not newer"):
        packs.install(site("2026.2.5"))
    assert packs.active().label == "site 2026.3.0"


def test_a_pack_adding_an_interaction_row_changes_the_flags(site) -> None:
    parsed = parse_file(ROOT / "resources" / "demo" / "03_cornelius_mockwell_hfref_hyperkalaemia.json")
    record = PatientRecord.build(parsed.patients[0], parsed.entries)

    def pair_flagged() -> bool:
        report = evaluate(record)
        return any("carvedilol" in f.id and "atorvastatin" in f.id for f in report.flags)

    assert not pair_flagged()
    packs.install(site("2026.2.0", extra_row=NEW_ROW))
    assert pair_flagged()
    assert evaluate(record).knowledge_version == "site 2026.2.0"
    packs.rollback()
    assert not pair_flagged()


def test_a_care_plan_keeps_the_knowledge_version_it_was_made_with() -> None:
    from assistant.assist.careplan.document import CarePlanDocument

    plan = CarePlanDocument(patient_id="p", title="Care plan", created="2026-01-01T00:00:00+00:00",
                            knowledge_version="site 2026.2.0")
    assert CarePlanDocument.from_dict(plan.to_dict()).knowledge_version == "site 2026.2.0"
    old = CarePlanDocument(patient_id="p", title="Care plan", created="2026-01-01T00:00:00+00:00")
    assert "knowledge_version" not in old.to_dict()  # older signed plans keep their exact bytes
