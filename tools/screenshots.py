"""Render the main screens to PNG (offscreen, 1366x768 or --size WxH): `python -m tools.screenshots OUTDIR`."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZE = (1366, 768)
USER, PASSWORD = "demo", "demo-password-for-screens"
FAST_KDF = {"name": "argon2id", "time_cost": 1, "memory_kib": 1024, "parallelism": 1}


def _records() -> list[Path]:
    """The demo patients when present, else the shared Synthea sample (the screenshots need real charts)."""
    from assistant.config import resources_dir

    demo = sorted((resources_dir() / "demo").glob("*.json"))
    if demo:
        return demo
    shared = Path(os.environ.get("ASSISTANT_SCREENSHOT_RECORDS", "/work/shared/fhir/synthea-r4"))
    files = sorted(shared.glob("*.json"))
    if not files:
        raise SystemExit("no records to show: add resources/demo/*.json or set ASSISTANT_SCREENSHOT_RECORDS")
    return files[:12]


def _make_db(folder: Path) -> Path:
    from assistant.config import resources_dir
    from assistant.demo import write_dated
    from assistant.records.fhir_import import parse_many
    from assistant.store.database import Store

    path = folder / "screens.db"
    store, _ = Store.create(path, USER, PASSWORD, display_name="Dr Demo", kdf=FAST_KDF)
    records = _records()
    if records and records[0].parent == resources_dir() / "demo":
        # as `make run` shows them today: the demo bundles' dates moved to today (assistant/demo.py)
        dated = folder / "dated"
        dated.mkdir()
        records = write_dated(records, dated)
    for outcome in parse_many(records, workers=1):
        if outcome.parsed is not None:
            store.patients.import_parsed(outcome.parsed, source=outcome.path.name)
    store.close()
    return path


def wait_until(app: Any, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.02)
    return False


def settle(app: Any, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def capture(outdir: Path, patient: str = "", size: tuple[int, int] = SIZE) -> list[Path]:
    from assistant.gui.app import load_app_settings, make_app
    from assistant.gui.main_window import MainWindow

    outdir.mkdir(parents=True, exist_ok=True)
    app = make_app()
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ASSISTANT_USER_CONFIG"] = str(Path(tmp) / "settings.toml")
        db = _make_db(Path(tmp))
        window = MainWindow(load_app_settings(str(db)))
        window.resize(*size)
        window.show()

        def shot(name: str) -> None:
            settle(app)
            path = outdir / f"{name}.png"
            window.grab().save(str(path))
            saved.append(path)

        try:
            window.signin.user.setText(USER)
            window.signin.reset()
            shot("01-sign-in")
            window.session.sign_in(USER, PASSWORD)
            wait_until(app, lambda: window.workspace is not None and
                       window.workspace.patients.model.rowCount() > 0)
            ws = window.workspace
            wait_until(app, lambda: window.models.state != "loading", 120)
            # Open a few patients so "Recent patients" has rows, then go home.
            rows = ws.patients.model.objects()
            chosen = next((r for r in rows if patient and patient.lower() in r.name.lower()), None)
            for r in rows[:3]:
                ws.open_patient(r.id)
                wait_until(app, lambda r=r: ws.view is not None and ws.view.patient_id == r.id)
            ws.show_home()
            ws.patients.search.setText(rows[0].name.split()[0][:3] if rows else "")
            wait_until(app, lambda: ws.patients.status.text() != "")
            shot("02-patient-list")
            ws.patients.search.clear()
            target = chosen or _richest(app, ws, rows)
            ws.open_patient(target.id)
            wait_until(app, lambda: ws.view is not None and ws.view.patient_id == target.id)
            view = ws.view
            wait_until(app, lambda: view.overview.summary is not None or
                       not view.overview.regenerate.isEnabled() and not view.overview.generating, 300)
            shot("03-overview")
            view.show_tab("labs")
            wait_until(app, lambda: view.labs.chart is not None, 60)
            view.labs.select_measure(_best_measure(view.labs))
            shot("04-lab-trend")
            view.show_tab("careplan")
            wait_until(app, lambda: view.careplan.stack.currentWidget() is not view.careplan.empty
                       or "No care plan" in view.careplan.empty.text(), 30)
            if view.careplan.doc is None and view.careplan.generate.isEnabled():
                view.careplan.generate_draft()
                wait_until(app, lambda: view.careplan.doc is not None, 300)
            shot("05-care-plan")
            view.show_tab("medications")
            shot("06-medications")
        finally:
            window.shutdown()
            window.close()
            window.deleteLater()
            settle(app, 0.2)
    return saved


def _richest(app: Any, ws: Any, rows: list[Any]) -> Any:
    """The patient with the most lab and vital results (the best trend chart), found via the DB."""
    counts: dict[str, int] = {}
    done = []
    ws.ctx.db.submit(lambda s: {r.id: len(s.patients.load_record(r.id, audit=False).observations) for r in rows},
                     lambda c: (counts.update(c), done.append(1)))
    wait_until(app, lambda: bool(done), 60)
    return max(rows, key=lambda r: counts.get(r.id, 0))


def _best_measure(labs: Any) -> str:
    """A lab with a reference band and several points, else the measure with the most points."""
    def points(m: Any) -> int:
        return sum(len(s.points) for s in m.series.values())

    banded = [m for m in labs.measures if (m.low is not None or m.high is not None) and points(m) > 2]
    pool = banded or labs.measures
    # A laboratory result outside its band shows the chart at its most useful.
    def rank(m: Any) -> tuple[bool, bool, int]:
        v = m.latest.value
        outside = v is not None and ((m.high is not None and v > m.high) or (m.low is not None and v < m.low))
        return (m.category == "laboratory", outside, points(m))

    return max(pool, key=rank).name if pool else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("outdir", type=Path, nargs="?", default=Path("docs/screenshots"))
    parser.add_argument("--patient", default="", help="part of the name of the patient to show")
    parser.add_argument("--size", default="1366x768", help="window size, e.g. 1920x1080")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for path in capture(args.outdir, args.patient, (width, height)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
