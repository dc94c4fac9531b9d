"""Start-up: the pack's tokenizer is parsed before the sign-in window shows; no pack, no problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.gui import main_window, model_manager


def _write_tokenizer(folder: Path) -> Path:
    """A tiny real tokenizer.json (word level), so the test needs no model pack."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    folder.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(WordLevel({"[UNK]": 0, "blood": 1, "pressure": 2}, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    path = folder / "tokenizer.json"
    tok.save(str(path))
    return path


def _settings(pack: Path) -> Any:
    from assistant.config import load_settings

    settings = load_settings()
    settings.values["models.pack_dir"] = str(pack)
    return settings


def _cached(path: Path) -> bool:
    from assistant.llm import tokenizer

    return any(key[0] == str(path.resolve()) for key in tokenizer._cache)


def test_preload_tokenizer_parses_the_configured_packs_file_once(tmp_path):
    path = _write_tokenizer(tmp_path / "pack")
    assert model_manager.preload_tokenizer(_settings(path.parent)) is True
    assert _cached(path)
    from assistant.llm.tokenizer import load_tokenizer

    # The engine's own load finds the same parsed object.
    assert load_tokenizer(path).encode("blood pressure").ids == [1, 2]


@pytest.mark.parametrize("content", [None, "{not json", ""])
def test_preload_tokenizer_skips_a_missing_or_broken_file(tmp_path, content):
    pack = tmp_path / "pack"
    pack.mkdir()
    if content is not None:
        (pack / "tokenizer.json").write_text(content, encoding="utf-8")
    assert model_manager.preload_tokenizer(_settings(pack)) is False
    assert model_manager.preload_tokenizer(_settings(tmp_path / "no-such-folder")) is False


def test_window_preloads_the_tokenizer_before_it_is_shown(qtbot, make_window, db_path, monkeypatch):
    path = _write_tokenizer(Path(str(db_path.parent.parent)) / "pack")
    monkeypatch.setenv("ASSISTANT_MODEL", str(path.parent))
    calls: list[tuple[str, bool]] = []
    real = main_window.preload_tokenizer

    def spy(settings: Any) -> bool:
        from PySide6.QtWidgets import QApplication

        calls.append((str(settings.pack_dir), any(w.isVisible() for w in QApplication.topLevelWidgets()
                                                  if w.objectName() == "mainWindow")))
        return real(settings)

    monkeypatch.setattr(main_window, "preload_tokenizer", spy)
    window = make_window(db_path)
    assert calls == [(str(path.parent), False)]
    assert _cached(path)
    # The folder is no real pack (no manifest): the model load says so, and the app carries on.
    qtbot.waitUntil(lambda: window.models.attempted and window.models.state == "none", timeout=10000)
    assert "manifest" in window.models.message and window.signin.isVisible()


def test_window_starts_without_a_model_pack(qtbot, make_window, db_path, monkeypatch):
    seen: list[bool] = []
    real = main_window.preload_tokenizer
    monkeypatch.setattr(main_window, "preload_tokenizer", lambda s: seen.append(real(s)) or seen[-1])
    window = make_window(db_path)
    assert seen == [False]
    qtbot.waitUntil(lambda: window.signin.isVisible(), timeout=5000)


@pytest.mark.parametrize("spin", [True, False])
def test_load_engine_passes_the_spin_setting(tmp_path, monkeypatch, spin):
    from types import SimpleNamespace

    from assistant.gui import services
    from assistant.llm import engine, pack

    (tmp_path / "manifest.json").write_text('{"name": "tiny", "version": "1"}', encoding="utf-8")
    made: list[dict[str, Any]] = []

    class FakeEngine:
        device = "cpu"
        provider = "CPUExecutionProvider"
        tokenizer = None
        warning = ""

        def __init__(self, _pack: Any, **kwargs: Any) -> None:
            made.append(kwargs)

    monkeypatch.setattr(engine, "Engine", FakeEngine)
    monkeypatch.setattr(pack.ModelPack, "load", staticmethod(lambda _p: SimpleNamespace(
        name="tiny", version="1", licence="", source="")))
    settings = _settings(tmp_path)
    settings.values["models.spin"] = spin
    handle = services.load_engine(settings)
    assert made and made[0]["spin"] is spin and handle.device == "cpu"
