"""Huge pages for model weights: which ranges are advised, and a real collapse where Linux allows it."""

from __future__ import annotations

import mmap
import platform

import numpy as np
import pytest

from assistant.llm import hugepages
from assistant.llm.hugepages import HUGE_PAGE_BYTES as H


def test_new_ranges_take_new_regions_and_grown_tails_aligned_to_huge_pages() -> None:
    before = {0x10000000: 0x10000000 + 3 * H, 0x40000000: 0x40000000 + 4 * H}
    after = {
        0x10000000: 0x10000000 + 3 * H,  # unchanged: nothing
        0x20000000 + 100: 0x20000000 + 5 * H,  # new, unaligned start: rounded up
        0x30000000: 0x30000000 + H - 1,  # new but under one huge page: nothing
        0x40000000: 0x40000000 + 8 * H + 7,  # grown: only the tail, rounded down at the end
    }
    assert hugepages._new_ranges(before, after) == [
        (0x20000000 + H, 0x20000000 + 5 * H),
        (0x40000000 + 4 * H, 0x40000000 + 8 * H),
    ]


def test_shrunk_region_gives_nothing() -> None:
    assert hugepages._new_ranges({0: 8 * H}, {0: 4 * H}) == []


def _kernel_at_least(major: int, minor: int) -> bool:
    try:
        parts = platform.release().split(".")
        return (int(parts[0]), int(parts[1].split("-")[0])) >= (major, minor)
    except (ValueError, IndexError):
        return False


def test_fresh_memory_is_collapsed_onto_huge_pages() -> None:
    if not (hugepages.thp_available() and _kernel_at_least(6, 1)):
        pytest.skip("needs Linux 6.1+ with transparent huge pages enabled (MADV_COLLAPSE)")
    before = hugepages.anonymous_regions()
    # 48 MiB of fresh private anonymous memory, written (as malloc maps a big allocation; malloc
    # itself might reuse memory it already holds, and numpy asks for huge pages on its own)
    block = mmap.mmap(-1, 24 * H, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    try:
        view = np.frombuffer(block, dtype=np.uint8)
        view[:] = 7
        collapsed = hugepages.collapse_new_memory(before)
        assert collapsed >= 8 * H, f"only {collapsed >> 20} MiB collapsed"
        assert int(view.min()) == int(view.max()) == 7  # contents survive the move onto huge pages
        del view
    finally:
        block.close()


def test_nothing_happens_where_huge_pages_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hugepages, "thp_available", lambda: False)
    before = hugepages.anonymous_regions()
    block = bytearray(b"\x07") * (8 * H)
    assert hugepages.collapse_new_memory(before) == 0
    del block
