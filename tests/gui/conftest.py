"""GUI test fixtures: isolated settings, a fast-KDF database with real records, the window, a thread guard."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui_support import (  # noqa: E402
    FAST_KDF,
    LARGEST,
    PASSWORD,
    SECOND,
    SMALL,
    USER,
    leftover_workers,
    shared_file,
)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with three real Synthea patients, built once; tests get copies."""
    from assistant.records.fhir_import import parse_many
    from assistant.store.database import Store

    path = tmp_path_factory.mktemp("template") / "clinical.db"
    store, _ = Store.create(path, USER, PASSWORD, display_name="Dr Admin", kdf=FAST_KDF)
    files = [shared_file(n) for n in (SMALL, SECOND, LARGEST)]
    for outcome in parse_many(files, workers=1):
        assert outcome.parsed is not None, outcome.error
        store.patients.import_parsed(outcome.parsed, source=outcome.path.name)
    store.close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "db" / "clinical.db"
    target.parent.mkdir()
    for f in template_db.parent.iterdir():
        shutil.copy(f, target.parent / f.name)
    return target


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    from assistant.store.database import Store

    path = tmp_path / "empty" / "clinical.db"
    store, _ = Store.create(path, USER, PASSWORD, kdf=FAST_KDF)
    store.close()
    return path


@pytest.fixture(scope="session", autouse=True)
def qt_refcount_guard(qapp: Any) -> None:
    """PySide6 6.12.0 drops references to True/None on every emit; see assistant/gui/qt_compat.py."""
    from assistant.gui.qt_compat import guard_refcount_leaks

    guard_refcount_leaks()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user/site settings; no model pack unless a test adds one."""
    monkeypatch.setenv("ASSISTANT_USER_CONFIG", str(tmp_path / "user" / "settings.toml"))
    monkeypatch.setenv("ASSISTANT_SITE_CONFIG", str(tmp_path / "site" / "site.toml"))
    monkeypatch.setenv("ASSISTANT_SITE_DATA", str(tmp_path / "site-data"))
    monkeypatch.setenv("ASSISTANT_MODEL", str(tmp_path / "no-model-pack"))
    for var in ("ASSISTANT_DB", "ASSISTANT_DEVICE"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture(autouse=True)
def no_threads_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail any test that leaves a GUI worker thread (QThread), Python thread or child process running.

    Requested first among the autouse fixtures, so it is torn down last: the window's own shutdown
    has run, and anything still alive then was leaked by the test.
    """
    before = set(threading.enumerate())
    yield
    qthreads, pythreads, children = leftover_workers(before)
    if qthreads or pythreads or children:
        # Stop them so one leak does not cascade into the next test, then fail this one.
        from assistant.gui import tasks

        tasks.cancel_all(5000)
        for t in tasks.live_threads():
            t.quit()
            t.wait(5000)
        pytest.fail(f"test left threads running: QThreads={qthreads} threads={pythreads} "
                    f"processes={children}")


def _app() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance()


@pytest.fixture
def settings(db_path: Path) -> Any:
    from assistant.gui.app import load_app_settings

    return load_app_settings(str(db_path))


@pytest.fixture
def make_window(qtbot: Any) -> Iterator[Any]:
    """Build main windows on a given database; each is shut down (all workers stopped) afterwards."""
    from assistant.gui import style
    from assistant.gui.app import load_app_settings
    from assistant.gui.main_window import MainWindow

    style.apply(_app())
    made: list[Any] = []

    def make(db: Path, idle_minutes: float | None = None) -> Any:
        window = MainWindow(load_app_settings(str(db)))
        qtbot.addWidget(window)
        if idle_minutes is not None:
            window.session.set_idle_minutes(idle_minutes)
        window.show()
        made.append(window)
        return window

    yield make
    for w in made:
        w.shutdown()


@pytest.fixture
def window(make_window: Any, db_path: Path) -> Any:
    return make_window(db_path)


def sign_in(qtbot: Any, window: Any, user: str = USER, password: str = PASSWORD) -> None:
    window.signin.user.setText(user)
    window.signin.password.setText(password)
    with qtbot.waitSignal(window.session.signed_in, timeout=15000):
        qtbot.mouseClick(window.signin.button, _left())
    assert window.workspace is not None


def _left() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


@pytest.fixture
def signed_in(qtbot: Any, window: Any) -> Any:
    sign_in(qtbot, window)
    qtbot.waitUntil(lambda: window.workspace.patients.model.rowCount() > 0, timeout=10000)
    return window


def open_patient(qtbot: Any, window: Any, name_part: str) -> Any:
    """Search for the patient and open the first match with Enter; returns the PatientView."""
    panel = window.workspace.patients
    panel.search.setText(name_part)
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 1 and
                    all(name_part.lower() in r.name.lower() for r in panel.model.objects()), timeout=5000)
    with qtbot.waitSignal(window.workspace.patient_opened, timeout=10000):
        qtbot.keyClick(panel.search, _key_return())
    return window.workspace.view


def _key_return() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Key.Key_Return


class GuiHelpers:
    """Steps many tests share, bound to this test's qtbot."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot

    def sign_in(self, window: Any, user: str = USER, password: str = PASSWORD) -> None:
        sign_in(self.qtbot, window, user, password)

    def open_patient(self, window: Any, name_part: str) -> Any:
        return open_patient(self.qtbot, window, name_part)


@pytest.fixture
def gui(qtbot: Any) -> GuiHelpers:
    return GuiHelpers(qtbot)
