"""The shared tokenizer cache: one parse per file, a fresh parse when the file changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from test_tiny_pack import build_tiny_pack

from assistant.llm import Engine
from assistant.llm.tokenizer import load_tokenizer


def test_same_file_same_tokenizer_and_engines_share_it(tmp_path: Path) -> None:
    pack = build_tiny_pack(tmp_path / "p", "genai")
    first = load_tokenizer(pack / "tokenizer.json")
    assert load_tokenizer(pack / "tokenizer.json") is first
    engine = Engine(pack, device="cpu", threads=1)
    assert engine.tokenizer is first
    assert engine.tokenizer.truncation is None and engine.tokenizer.padding is None


def test_changed_file_is_parsed_again(tmp_path: Path) -> None:
    pack = build_tiny_pack(tmp_path / "p", "genai")
    file = pack / "tokenizer.json"
    first = load_tokenizer(file)
    copy = tmp_path / "tokenizer.json"
    shutil.copy(file, copy)
    other = load_tokenizer(copy)
    assert other is not first  # another file
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_tokenizer(copy) is not other  # same path, changed on disk
    assert load_tokenizer(copy).encode("metformin").ids == first.encode("metformin").ids
