"""Local ONNX Runtime language-model engine and model packs."""

from __future__ import annotations

from typing import TYPE_CHECKING

# Exported lazily: the model-build tools import assistant.llm.manifest from a venv without onnxruntime.
_EXPORTS = {
    "ModelPack": "assistant.llm.pack",
    "Engine": "assistant.llm.engine",
    "EngineBusyError": "assistant.llm.engine",
    "Generation": "assistant.llm.engine",
    "GenerationConfig": "assistant.llm.sampling",
    "LogitsProcessor": "assistant.llm.sampling",
    "GenerationStats": "assistant.llm.stats",
    "allowed_numbers_processor": "assistant.llm.constraints",
}

if TYPE_CHECKING:
    from assistant.llm.constraints import allowed_numbers_processor
    from assistant.llm.engine import Engine, EngineBusyError, Generation
    from assistant.llm.pack import ModelPack
    from assistant.llm.sampling import GenerationConfig, LogitsProcessor
    from assistant.llm.stats import GenerationStats

__all__ = [
    "Engine",
    "EngineBusyError",
    "Generation",
    "GenerationConfig",
    "GenerationStats",
    "LogitsProcessor",
    "ModelPack",
    "allowed_numbers_processor",
]


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'assistant.llm' has no attribute {name!r}")
