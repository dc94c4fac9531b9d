"""The tail layout of exact checks against a plain re-statement of MLAS's one-row kernel, in numpy."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.llm.exactcheck import MAX_ROWS, TAIL_SLOTS, tail_plan

F = np.float32


def one_row_kernel(p: np.ndarray, v: np.ndarray) -> np.ndarray:
    """p (K,) x v (K, d) summed as SgemmKernelM1Avx does: groups of 4 products summed left to
    right and each added to the result; a remainder of 3 as a pair, then a single."""
    k = len(p)
    c = np.zeros(v.shape[1], dtype=F)
    starts = list(range(0, k - k % 4, 4))
    groups = [list(range(s, s + 4)) for s in starts]
    rem = k % 4
    if rem >= 2:
        groups.append([k - rem, k - rem + 1])
    if rem % 2:
        groups.append([k - 1])
    for g in groups:
        t = F(p[g[0]]) * v[g[0]]
        for i in g[1:]:
            t = t + F(p[i]) * v[i]
        c = t + c
    return c


def as_the_graph_does(p: np.ndarray, v: np.ndarray, prefix: int, slots: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The check model's arithmetic for one row: the kernel over the prefix, then each group of 4
    tail slots summed left to right, then prefix and groups added in order."""
    c0 = one_row_kernel(p[:prefix], v[:prefix])
    products = (p[slots] * mask)[:, None].astype(F) * v[slots]
    sums = []
    for g in range(TAIL_SLOTS // 4):
        q = products[4 * g:4 * g + 4]
        sums.append(((q[0] + q[1]) + q[2]) + q[3])
    c = c0
    for s in sums:
        c = c + s
    return c


@pytest.mark.parametrize("cached", [0, 1, 2, 3, 4, 5, 6, 7, 40, 41, 42, 43, 301, 302, 303, 304])
def test_every_row_sums_as_a_single_step_would(cached: int) -> None:
    rng = np.random.default_rng(cached)
    for rows in range(1, MAX_ROWS + 1):
        total = cached + rows
        prefix, slots, mask = tail_plan(total, rows)
        assert prefix % 4 == 0 and prefix <= cached + 1
        v = rng.standard_normal((total, 8)).astype(F)
        for i in range(rows):
            length = cached + 1 + i  # the positions row i attends over
            p = np.zeros(total, dtype=F)
            p[:length] = rng.random(length).astype(F)
            p[:length] /= p[:length].sum()  # probabilities; later positions are masked to 0
            want = one_row_kernel(p[:length], v[:length])
            got = as_the_graph_does(p, v, prefix, slots[i], mask[i])
            assert np.array_equal(got, want), (cached, rows, i)
            assert set(slots[i][mask[i] == 1]) == set(range(prefix, length))  # each position once


def test_the_layout_matters() -> None:
    """The same products summed as one padded group (a plain several-row pass) round otherwise for
    a row whose length leaves a remainder of 3, which is why the layout exists."""
    rng = np.random.default_rng(1)
    differ = 0
    for _ in range(200):
        p = rng.random(7).astype(F)
        v = rng.standard_normal((8, 16)).astype(F)
        padded = one_row_kernel(np.append(p, F(0)), v)
        differ += not np.array_equal(padded, one_row_kernel(p, v[:7]))
    assert differ > 0


def test_rows_outside_the_layout_are_refused() -> None:
    with pytest.raises(ValueError):
        tail_plan(20, MAX_ROWS + 1)
    with pytest.raises(ValueError):
        tail_plan(3, 4)
