"""The decode loop's model calls: KV cache in preallocated buffers bound through IOBinding."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnxruntime as ort

from assistant.errors import ModelPackError
from assistant.llm.exactcheck import (
    EXACT_CHECK,
    EXACT_MASK,
    EXACT_PREFIX,
    EXACT_SLOTS,
    MAX_ROWS,
    TAIL_SLOTS,
    tail_plan,
)
from assistant.llm.layout import DecoderLayout

_NP = {"float32": np.float32, "float16": np.float16}


class DecoderRunner:
    """Runs prefill and single-token steps of one sequence; `start` sizes the cache for a call.

    Shared mode (GroupQueryAttention packs): one buffer per layer and kind, bound as both the past
    input and the present output, which the model updates in place; nothing is copied per token.
    Otherwise (Optimum exports, whose attention concatenates): presents stay in ONNX Runtime memory
    and are bound back as the next step's pasts, again without a copy through numpy.
    """

    def __init__(self, session: ort.InferenceSession, layout: DecoderLayout, device: str = "cpu",
                 vocab_size: int | None = None) -> None:
        if layout.kv_dtype not in _NP:
            raise ModelPackError(f"KV cache type {layout.kv_dtype} is not supported (float32 or float16 only)")
        self.session = session
        self.layout = layout
        self.device = device
        self.kv_dtype = _NP[layout.kv_dtype]
        out = {o.name: o for o in session.get_outputs()}[layout.logits]
        dims = list(out.shape)
        self.vocab = dims[-1] if isinstance(dims[-1], int) else vocab_size
        # GenAI's prune_lm_head makes the model return the last position's logits only; with the
        # logits_positions input (lmhead.py) it returns as many of the last positions as asked.
        self.last_only = len(dims) == 3 and dims[1] == 1
        self._keep_one = np.ones(1, dtype=np.int64)
        self._keep_n = np.ones(1, dtype=np.int64)
        # exactcheck.py's inputs: off in prefill and steps; in a check, the shared prefix and the
        # tail layout of each row.
        self.checks_exact = layout.exact_checks  # cleared by the engine where its start-up check fails
        self._check_off = np.zeros(1, dtype=np.bool_)
        self._check_on = np.ones(1, dtype=np.bool_)
        self._prefix = np.zeros(1, dtype=np.int64)
        self._slots = np.zeros((MAX_ROWS, TAIL_SLOTS), dtype=np.int64)
        self._slot_mask = np.zeros((MAX_ROWS, TAIL_SLOTS), dtype=np.float32)
        self._logit_rows: dict[int, np.ndarray] = {}
        self.binding = session.io_binding()
        self.capacity = 0
        self.length = 0  # tokens in the cache
        self._kv: list[ort.OrtValue] = []
        self._mask = np.ones((1, 1), dtype=np.int64)
        self._ids = np.zeros((1, 1), dtype=np.int64)
        self._pos = np.zeros((1, 1), dtype=np.int64)
        self._logits = np.zeros((1, 1, self.vocab or 1), dtype=np.float32)
        self._one = np.zeros((1, 1), dtype=np.int64)  # the token fed at each decode step
        self._one_pos = np.zeros((1, 1), dtype=np.int64)
        self._mask_ptr = self._mask.ctypes.data
        self._decode_bound = False

    # -- set-up ---------------------------------------------------------------------------------
    def start(self, capacity: int) -> None:
        """Make room for `capacity` tokens (prompt + new) and forget any previous sequence."""
        lay, b = self.layout, self.binding
        b.clear_binding_inputs()
        b.clear_binding_outputs()
        self.length = 0
        self._mask = np.ones((1, capacity), dtype=np.int64)
        self._ids = np.zeros((1, capacity), dtype=np.int64)
        self._pos = np.arange(capacity, dtype=np.int64).reshape(1, capacity)
        self._mask_ptr = self._mask.ctypes.data
        self._decode_bound = False
        width = capacity if lay.share_buffer else 0
        shape = [1, lay.kv_heads, width, lay.head_size]
        if lay.share_buffer and self.capacity == capacity and self._kv:
            kv = self._kv  # same size as last call: reuse, stale values beyond the mask are ignored
        else:
            self._kv = kv = []  # drop the old buffers before allocating the new ones
            for _ in range(2 * lay.num_layers):
                if self.device == "cpu":
                    # Uninitialised on purpose: attention reads only positions below the mask's length,
                    # all written before they are read; zero-filling would touch every page up front.
                    kv.append(ort.OrtValue.ortvalue_from_numpy(np.empty(shape, dtype=self.kv_dtype)))
                else:
                    kv.append(ort.OrtValue.ortvalue_from_shape_and_type(shape, self.kv_dtype, self.device, 0))
        self.capacity = capacity
        pasts = [n for pair in zip(lay.past_keys, lay.past_values, strict=True) for n in pair]
        presents = [n for pair in zip(lay.present_keys, lay.present_values, strict=True) for n in pair]
        for name, value in zip(pasts, kv, strict=True):
            b.bind_ortvalue_input(name, value)
        if lay.share_buffer:
            for name, value in zip(presents, kv, strict=True):
                b.bind_ortvalue_output(name, value)
        self._presents = presents

    # -- model calls ----------------------------------------------------------------------------
    def _bind_cpu(self, name: str, ptr: int, shape: list[int], dtype: type = np.int64) -> None:
        self.binding.bind_input(name, "cpu", 0, dtype, shape, ptr)

    @property
    def can_verify(self) -> bool:
        """Whether `verify` works and is exact: logits for several positions whose attention rounds
        as single steps do (exactcheck.py), and a cache trimmed by its length."""
        return (self.checks_exact and self.layout.logits_positions is not None and self.layout.share_buffer
                and bool(self.vocab) and self.layout.logits_dtype == "float32")

    def _bind_keep(self, keep: np.ndarray, check_rows: int = 0) -> None:
        """Bind how many positions get logits and, where the model has them, exactcheck.py's inputs
        (`check_rows` 0: the pack's own attention, as in prefill and steps)."""
        if self.layout.logits_positions:
            self._bind_cpu(self.layout.logits_positions, keep.ctypes.data, [1])
        if self.layout.exact_checks:
            rows = max(check_rows, 1)  # the If's else branch reads none but the flag
            flag = self._check_on if check_rows else self._check_off
            self._bind_cpu(EXACT_CHECK, flag.ctypes.data, [1], np.bool_)
            self._bind_cpu(EXACT_PREFIX, self._prefix.ctypes.data, [1])
            self._bind_cpu(EXACT_SLOTS, self._slots.ctypes.data, [rows, TAIL_SLOTS])
            self._bind_cpu(EXACT_MASK, self._slot_mask.ctypes.data, [rows, TAIL_SLOTS], np.float32)

    def _bind_logits(self, rows: int) -> None:
        if self.vocab and self.layout.logits_dtype == "float32":
            if self._logits.shape[1] != rows:
                # One buffer per row count, kept: a verification pass and the next step alternate.
                if rows not in self._logit_rows:
                    self._logit_rows[rows] = np.zeros((1, rows, self.vocab), dtype=np.float32)
                self._logits = self._logit_rows[rows]
            self.binding.bind_output(self.layout.logits, "cpu", 0, np.float32, [1, rows, self.vocab],
                                     self._logits.ctypes.data)
        else:
            self.binding.bind_output(self.layout.logits, "cpu")  # ONNX Runtime allocates it

    def _bind_presents(self) -> None:
        if not self.layout.share_buffer:
            for name in self._presents:
                self.binding.bind_output(name, self.device)

    def _run(self, n_new: int) -> np.ndarray:
        # No arena shrinking after a prefill: the engine prefills in bounded pieces, so the arena
        # stays small, and shrinking cost each call about 10 ms of page faults to grow it again.
        self.session.run_with_iobinding(self.binding)
        self.length += n_new
        lay = self.layout
        if not lay.share_buffer:
            # IOBinding returns outputs in the order they were bound: presents, then logits.
            bound = dict(zip([*self._presents, lay.logits], self.binding.get_outputs(), strict=True))
            self.binding.clear_binding_outputs()
            self._decode_bound = False  # the logits binding went with the outputs
            pasts = [n for pair in zip(lay.past_keys, lay.past_values, strict=True) for n in pair]
            for past, present in zip(pasts, self._presents, strict=True):
                self.binding.bind_ortvalue_input(past, bound[present])
        if self.vocab and lay.logits_dtype == "float32":
            return self._logits[0, -1]
        logits = self.binding.get_outputs()[-1].numpy() if lay.share_buffer else bound[lay.logits].numpy()
        return np.asarray(logits[0, -1], dtype=np.float32)

    def _bind_tokens(self, ids: Sequence[int], what: str) -> int:
        """Bind several new tokens after the cached ones (ids, mask, positions); returns how many."""
        n, lay = len(ids), self.layout
        if n == 0 or self.length + n > self.capacity:
            raise ValueError(f"{what} {n} tokens does not fit the cache ({self.length}/{self.capacity})")
        start, total = self.length, self.length + n
        self._ids[0, :n] = ids
        self._bind_cpu(lay.input_ids, self._ids.ctypes.data, [1, n])
        if lay.attention_mask:
            self._bind_cpu(lay.attention_mask, self._mask_ptr, [1, total])
        if lay.position_ids:
            self._bind_cpu(lay.position_ids, self._pos[:, start:total].ctypes.data, [1, n])
        return n

    def prefill(self, ids: Sequence[int]) -> np.ndarray:
        """Run prompt tokens (all at once, or in chunks by calling again); returns the last
        position's logits (a view, valid until the next call)."""
        n = self._bind_tokens(ids, "prefill of")
        self._bind_presents()
        self._bind_keep(self._keep_one)
        self._bind_logits(1 if self.last_only or self.layout.logits_positions else n)
        self._decode_bound = False
        return self._run(n)

    def verify(self, ids: Sequence[int]) -> np.ndarray:
        """Feed several tokens in one pass; returns their next-token logits, one row per token (a
        view, valid until the next call), each equal to what `step` would give (exactcheck.py).
        `trim` then drops the cache entries of rejected tokens."""
        if not self.layout.exact_checks or not self.layout.logits_positions:
            raise ValueError("this model has no exact checks")
        n = self._bind_tokens(ids, "a check of")
        prefix, slots, mask = tail_plan(self.length + n, n)  # raises beyond MAX_ROWS rows
        self._keep_n[0], self._prefix[0] = n, prefix
        self._slots[:n], self._slot_mask[:n] = slots, mask
        self._bind_keep(self._keep_n, n)
        self._bind_logits(n)
        self._decode_bound = False
        self._run(n)
        return self._logits[0]

    def trim(self, length: int) -> None:
        """Keep the first `length` cached tokens. The shared buffer keeps stale entries beyond
        them, which the attention never reads (the mask's length says how many are valid) and the
        next pass overwrites."""
        if not self.layout.share_buffer or not 0 <= length <= self.length:
            raise ValueError(f"cannot trim the cache from {self.length} to {length} tokens")
        self.length = length

    def step(self, token: int) -> np.ndarray:
        """Feed one token; returns the next-token logits (a view, valid until the next call).

        The per-token path binds only the attention mask (its length grows); the token, position
        and logits buffers stay bound between steps.
        """
        lay = self.layout
        if self.length + 1 > self.capacity:
            raise ValueError("the KV cache is full")
        self._one[0, 0] = token
        self._one_pos[0, 0] = self.length
        self._bind_presents()  # before the logits: _run relies on this binding order
        if not self._decode_bound:
            self._bind_cpu(lay.input_ids, self._one.ctypes.data, [1, 1])
            if lay.position_ids:
                self._bind_cpu(lay.position_ids, self._one_pos.ctypes.data, [1, 1])
            self._bind_keep(self._keep_one)
            self._bind_logits(1)
            self._decode_bound = True
        if lay.attention_mask:
            self._bind_cpu(lay.attention_mask, self._mask_ptr, [1, self.length + 1])
        return self._run(1)

    def check_matches_steps(self, ids: Sequence[int], prefill: int, rows: int = 5) -> float:
        """The largest difference between a check's logits and those of single steps over the same
        tokens (0.0: bit for bit), for checks starting at four cache lengths, so every row length
        modulo 4 and every tail layout of `exactcheck.tail_plan` is met. Needs prefill + rows + 3
        tokens; leaves the cache to be restarted."""
        if len(ids) < prefill + rows + 3:
            raise ValueError("the probe is too short")
        self.start(len(ids))
        self.prefill(ids[:prefill])
        steps = [self.step(t).copy() for t in ids[prefill:prefill + rows + 3]]
        worst = 0.0
        for offset in range(4):
            self.trim(prefill + offset)
            got = self.verify(ids[prefill + offset:prefill + offset + rows])
            want = np.stack(steps[offset:offset + rows])
            diff = np.abs(got - want)
            worst = max(worst, float(diff.max()) if np.isfinite(diff).all() else float("inf"))
        self.length = 0
        return worst
