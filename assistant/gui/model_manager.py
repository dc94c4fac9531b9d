"""The language model's life in the app: load it off the main thread, report its state, share it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from assistant.errors import AssistantError, ModelPackError

from .session import describe_error
from .tasks import Task, run_task

if TYPE_CHECKING:  # services pulls in the record model: imported when first needed, not at launch
    from assistant.config import Settings
    from assistant.llm.stats import GenerationStats

    from . import services


class ModelManager(QObject):
    """States: none (no pack), loading, loaded, failed. Without a model the app uses deterministic text."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = "none"
        self.handle: services.EngineHandle | None = None
        self.info: services.PackInfo | None = None
        self.message = "No model loaded"
        self.device = ""
        self.last_speed: float | None = None
        self.last_tokens = 0
        # One generation at a time: a decode loop owns the session and its KV cache while it runs.
        self.generation_lock = threading.Lock()
        self._task: Task | None = None
        self._waiting: list[Callable[[], None]] = []
        self.attempted = False

    @property
    def engine(self) -> services.EngineHandle | None:
        return self.handle if self.state == "loaded" else None

    def load(self, settings: Settings) -> None:
        """Start loading the configured pack; a missing pack is a normal state, not an error."""
        if self._task is not None:
            self._task.cancel()
        self.attempted = True
        self.handle = None
        self.state = "loading"
        self.message = "Loading the model…"
        self.changed.emit()
        self._task = run_task(lambda c: _load(settings, c.cancel_event), name="model-load",
                              on_result=self._loaded, on_error=self._failed,
                              on_cancelled=lambda: None, context=self)

    def _loaded(self, handle: services.EngineHandle) -> None:
        self._task = None
        self.handle, self.info, self.device = handle, handle.info, handle.device
        self.state = "loaded"
        self.message = f"Model {handle.info.name} {handle.info.version}".strip()
        if handle.warning:
            self.message += f" ({handle.warning})"
        self._release()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self.handle = None
        self.state = "none"
        self.device = ""
        self.message = f"No model: deterministic text ({describe_error(error)})"
        self._release()

    def _release(self) -> None:
        self.changed.emit()
        waiting, self._waiting = self._waiting, []
        for cb in waiting:
            cb()

    def when_settled(self, callback: Callable[[], None]) -> None:
        """Run `callback` now, or once a load in progress has finished (either way)."""
        if self.state == "loading":
            self._waiting.append(callback)
        else:
            callback()

    def note_stats(self, stats: GenerationStats | None) -> None:
        if stats and stats.tokens_per_s:
            self.last_speed = stats.tokens_per_s
            self.last_tokens = stats.new_tokens
            self.changed.emit()

    def shutdown(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task.wait()
            self._task = None
        self._waiting.clear()


def preload_tokenizer(settings: Settings) -> bool:
    """Parse the configured pack's tokenizer.json now (the core caches it); False if there is none.

    For start-up, before the first window shows: the parse runs inside the `tokenizers` library
    without releasing the interpreter lock (~140 ms), so on the model-loading worker it would
    freeze the sign-in page instead. Best effort: any problem is left for the model load to report.
    """
    try:
        # settings.pack_dir, as services.pack_dir (not imported here: it would slow the launch).
        file = Path(settings.pack_dir) / "tokenizer.json"
        if not file.is_file():
            return False
        from assistant.llm.tokenizer import load_tokenizer

        load_tokenizer(file)
        return True
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - a Rust panic is a BaseException; never break start-up
        return False


def _load(settings: Settings, cancel: threading.Event) -> services.EngineHandle:
    from . import services

    try:
        return services.load_engine(settings, cancel)
    except AssistantError:
        raise
    except Exception as e:
        # Keep the message readable; the details are the pack's, not the patient's.
        raise ModelPackError(f"the model could not be loaded ({type(e).__name__}: {e})") from None
