"""Hostile shapes (deep nesting, huge numbers, deep extensions) fail by file name; a folder goes on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.errors import BadInputError
from assistant.records import fhir_import
from assistant.records.fhir_import import parse_file
from assistant.services.importing import import_files

PID = "11111111-2222-4333-8444-555555555555"
PATIENT = {"resourceType": "Patient", "id": PID, "name": [{"family": "Bounds"}]}


def _bundle(*resources: dict) -> str:
    return json.dumps({"resourceType": "Bundle", "type": "collection",
                       "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]})


def _deep_json() -> str:
    return '{"resourceType": "Patient", "id": "p1", "x": ' + "[" * 1000 + "]" * 1000 + "}"


def _deep_extensions(levels: int = 220) -> str:
    ext: dict = {"url": "http://example.org/e", "valueString": "leaf"}
    for _ in range(levels):
        ext = {"url": "http://example.org/e", "extension": [ext]}
    return _bundle({**PATIENT, "extension": [ext]})


def _huge_integer() -> str:
    obs = ('{"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "x"}, '
           f'"subject": {{"reference": "urn:uuid:{PID}"}}, "valueInteger": ' + "9" * 4301 + "}")
    return _bundle(PATIENT)[:-2] + ', {"fullUrl": "urn:uuid:o1", "resource": ' + obs + "}]}"


HOSTILE = {"deep.json": (_deep_json, "nested more than"),
           "extensions.json": (_deep_extensions, "nested more than"),
           "integer.json": (_huge_integer, "more than 64 digits"),
           "deep.ndjson": (_deep_json, "line 1")}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_shapes_are_a_named_bad_input_error(tmp_path: Path, name: str) -> None:
    make, says = HOSTILE[name]
    path = tmp_path / name
    path.write_text(make(), "utf-8")
    with pytest.raises(BadInputError) as e:
        parse_file(path)
    assert str(path) in e.value.message and says in e.value.message


def test_a_real_depth_still_imports(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(_deep_extensions(levels=20), "utf-8")
    assert len(parse_file(path).patients) == 1


def test_folder_with_hostile_files_imports_the_good_ones(tmp_path: Path, store) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (make, _) in HOSTILE.items():
        (folder / name).write_text(make(), "utf-8")
    (folder / "z_good.json").write_text(_bundle(PATIENT), "utf-8")
    report = import_files(store, sorted(folder.iterdir()), workers=1)
    assert [f.ok for f in report.files] == [False] * len(HOSTILE) + [True]
    assert all(f.path in f.error for f in report.failed)
    assert store.patients.count() == 1


def test_an_unforeseen_parser_crash_fails_only_its_file(tmp_path: Path, store,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    real = fhir_import.parse_file

    def crash_on_a(path: Path):
        if path.name.startswith("a"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(path)

    monkeypatch.setattr(fhir_import, "parse_file", crash_on_a)
    (tmp_path / "a.json").write_text(_bundle(PATIENT), "utf-8")
    (tmp_path / "b.json").write_text(_bundle(PATIENT), "utf-8")
    report = import_files(store, [tmp_path / "a.json", tmp_path / "b.json"], workers=1)
    assert [f.ok for f in report.files] == [False, True]
    assert "a.json" in report.files[0].error and "RecursionError" in report.files[0].error


def crash_on_b(path: Path) -> fhir_import.FileOutcome:
    """A parse that kills its worker process on file b (as a C stack overflow or the OOM killer would)."""
    if path.name.startswith("b"):
        os._exit(3)
    return fhir_import._parse_safely(path)


def test_a_worker_that_dies_costs_only_its_file(tmp_path: Path) -> None:
    paths = []
    for n, name in enumerate("abcd"):
        pid = f"{n:08d}-2222-4333-8444-555555555555"
        path = tmp_path / f"{name}.json"
        path.write_text(_bundle({**PATIENT, "id": pid}), "utf-8")
        paths.append(path)
    outcomes = list(fhir_import.parse_many(paths, workers=2, parse=crash_on_b))
    assert [o.path.name for o in outcomes] == ["a.json", "b.json", "c.json", "d.json"]
    assert [bool(o.error) for o in outcomes] == [False, True, False, False]
    assert "b.json" in outcomes[1].error and "ended abnormally" in outcomes[1].error
