"""Export and print: the CLI `export --format pdf`, store-backed rendering, audit, rasterising for QPrinter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_report_builders import WHEN, make_plan, make_record, pages_text, squash

from assistant.cli.main import main
from assistant.reports.raster import page_count, page_images
from assistant.services.documents import Rendered, latest_careplan
from assistant.store.database import Store
from support import PASSWORD

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
ZOE = DEMO / "05_zoe_muller_lukasiewicz_penicillin_allergy.json"
ZOE_ID_HINT = "DEMO-100005"


@pytest.fixture
def demo_db(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    if not ZOE.is_file():
        pytest.skip("demo bundles not present")
    assert main(["init"]) == 0
    assert main(["import", str(ZOE)]) == 0
    capsys.readouterr()
    return cli_env


def _open(db: Path) -> Store:
    return Store.open(db, "admin", PASSWORD)


def _actions(db: Path) -> list[tuple[str, str]]:
    with _open(db) as store:
        return [(e.action, e.detail) for e in store.audit.events(limit=200)]


def test_export_signed_careplan(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    with _open(demo_db) as store:
        pid = store.patients.resolve(ZOE_ID_HINT)
        record = store.patients.load_record(pid)
        doc = store.documents.save(pid, "careplan", make_plan(record).to_dict())
        signed = store.documents.sign(doc.id)
    out = tmp_path / "plan.pdf"
    code = main(["export", ZOE_ID_HINT, "--format", "pdf", "--document", "careplan", "--out", str(out)])
    assert code == 0
    assert "care plan version 1 (signed)" in capsys.readouterr().out
    assert out.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert not list(tmp_path.glob("*.partial"))
    pages = [squash(t) for t in pages_text(out.read_bytes())]
    text = " ".join(pages)
    assert "Zoë Müller-Łukasiewicz" in pages[0] and "DRAFT" not in text
    assert "Signed by" in text and signed.id in text
    assert ("careplan.export", f"{signed.id} v1 pdf") in _actions(demo_db)


def test_export_drafts_a_plan_when_there_is_none(demo_db: Path, tmp_path: Path):
    out = tmp_path / "draft.pdf"
    assert main(["export", ZOE_ID_HINT, "--format", "pdf", "--out", str(out)]) == 0
    pages = [squash(t) for t in pages_text(out.read_bytes())]
    assert all("DRAFT" in p and "Zoë Müller-Łukasiewicz" in p for p in pages)
    assert all(f"Page {i} of {len(pages)}" in p for i, p in enumerate(pages, 1))
    actions = [a for a, _ in _actions(demo_db)]
    assert "careplan.save" in actions and "careplan.export" in actions


def test_export_summary(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSISTANT_MODEL", str(tmp_path / "no-pack"))  # deterministic: no model here
    out = tmp_path / "summary.pdf"
    assert main(["export", ZOE_ID_HINT, "--format", "pdf", "--document", "summary", "--out", str(out)]) == 0
    text = squash(" ".join(pages_text(out.read_bytes())))
    assert "Patient summary" in text and "deterministic" in text
    assert any(a == "summary.export" for a, _ in _actions(demo_db))


def test_export_to_a_missing_folder_fails_cleanly(demo_db: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]):
    with _open(demo_db) as store:
        pid = store.patients.resolve(ZOE_ID_HINT)
        store.documents.save(pid, "careplan", make_plan(store.patients.load_record(pid)).to_dict())
    code = main(["export", ZOE_ID_HINT, "--format", "pdf", "--out", str(tmp_path / "no" / "plan.pdf")])
    assert code == 2 and "no such folder" in capsys.readouterr().err
    assert not any(a == "careplan.export" for a, _ in _actions(demo_db))


def test_latest_careplan_skips_superseded(store: Store):
    record = make_record()
    first = store.documents.save(record.patient.id, "careplan", make_plan(record).to_dict())
    second = store.documents.save(record.patient.id, "careplan", make_plan(record).to_dict(),
                                   series=first.series)
    assert latest_careplan(store, record.patient.id).id == second.id
    assert latest_careplan(store, "nobody") is None


def test_default_file_names_carry_no_identifiers():
    on = date(2026, 12, 5)
    assert Rendered("careplan", b"", "p-unicode", "abc", 3, "draft", "AS1959", on).filename == \
        "careplan_AS1959_2026-12-05_v3-draft.pdf"
    assert Rendered("careplan", b"", "p-unicode", "abc", 4, "signed", "AS1959", on).filename == \
        "careplan_AS1959_2026-12-05_v4.pdf"
    assert Rendered("summary", b"", "p-unicode", "abc", made=on).filename == "summary_2026-12-05.pdf"


def test_page_images_for_the_printer():
    from test_report_builders import LETTERHEAD

    from assistant.reports.careplan_pdf import render_careplan

    record = make_record(problems=60)
    pdf = render_careplan(make_plan(record), record, letterhead=LETTERHEAD, generated_at=WHEN)
    images = list(page_images(pdf, dpi=50))
    assert len(images) == page_count(pdf) == len(pages_text(pdf)) >= 3
    first = images[0]
    assert abs(first.width - 413) <= 1 and abs(first.height - 585) <= 1  # A4 at 50 dpi
    assert len(first.rgb) == first.width * first.height * 3
    assert min(first.rgb) < 100  # ink on the page, not a blank sheet
    # Cancelling stops after the current page.
    assert len(list(page_images(pdf, dpi=30, cancel=lambda: True))) <= 1


def test_cli_exports_handout_and_medication_list_into_a_folder(demo_db: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]):
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["export", ZOE_ID_HINT, "--format", "handout", "--out", str(folder)]) == 0
    assert "patient handout of care plan version 1 (draft)" in capsys.readouterr().out
    assert main(["export", ZOE_ID_HINT, "--format", "medlist", "--out", str(folder)]) == 0
    assert main(["export", ZOE_ID_HINT, "--format", "pdf", "--out", str(folder)]) == 0
    today = date.today().isoformat()
    # Initials and birth year, never the name or MRN; the plan's version on the plan and its handout.
    assert sorted(p.name for p in folder.iterdir()) == [
        f"careplan_ZM1992_{today}_v1-draft.pdf", f"handout_ZM1992_{today}_v1-draft.pdf",
        f"medications_ZM1992_{today}.pdf"]
    handout = squash(" ".join(pages_text((folder / f"handout_ZM1992_{today}_v1-draft.pdf").read_bytes())))
    assert "Your care plan" in handout and "Your medicines" in handout
    actions = [a for a, _ in _actions(demo_db)]
    for kind in ("handout", "medlist"):
        assert f"{kind}.export.started" in actions and f"{kind}.export" in actions
    out = tmp_path / "zh.pdf"
    assert main(["export", ZOE_ID_HINT, "--format", "handout", "--lang", "zh-CN", "--out", str(out)]) == 0
    assert "您的药物" in squash(" ".join(pages_text(out.read_bytes())))
