"""A pack's tokenizer, parsed once per file and shared: parsing holds Python's lock for ~140 ms."""

from __future__ import annotations

import threading
from pathlib import Path

from tokenizers import Tokenizer

_lock = threading.Lock()
_cache: dict[tuple[str, int, int], Tokenizer] = {}
_MAX_CACHED = 2  # the running pack, and one being switched to in settings


def load_tokenizer(path: str | Path) -> Tokenizer:
    """The tokenizer in `path` (a tokenizer.json), from the cache when that file has not changed.

    `Tokenizer.from_file` does all its work inside the Rust library without releasing the GIL, so
    while it runs no other Python thread moves; an app can call this early (before its window is
    up) and the engine's later load on a worker thread then finds it here. Tokenizers are safe to
    share: encoding and decoding do not change them.
    """
    file = Path(path)
    stat = file.stat()
    key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
    with _lock:
        tokenizer = _cache.get(key)
        if tokenizer is None:
            tokenizer = Tokenizer.from_file(str(file))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            while len(_cache) >= _MAX_CACHED:
                _cache.pop(next(iter(_cache)))
            _cache[key] = tokenizer
        return tokenizer
