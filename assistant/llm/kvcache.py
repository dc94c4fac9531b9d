"""The decode loop's model calls: KV cache in preallocated buffers bound through IOBinding."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnxruntime as ort

from assistant.errors import ModelPackError
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
        # GenAI's prune_lm_head makes the model return the last position's logits only.
        self.last_only = len(dims) == 3 and dims[1] == 1
        self.binding = session.io_binding()
        self.capacity = 0
        self.length = 0  # tokens in the cache
        self._kv: list[ort.OrtValue] = []
        self._mask = np.ones((1, 1), dtype=np.int64)
        self._ids = np.zeros((1, 1), dtype=np.int64)
        self._pos = np.zeros((1, 1), dtype=np.int64)
        self._logits = np.zeros((1, 1, self.vocab or 1), dtype=np.float32)

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
        width = capacity if lay.share_buffer else 0
        shape = [1, lay.kv_heads, width, lay.head_size]
        if lay.share_buffer and self.capacity == capacity and self._kv:
            kv = self._kv  # same size as last call: reuse, stale values beyond the mask are ignored
        else:
            self._kv = kv = []  # drop the old buffers before allocating the new ones
            for _ in range(2 * lay.num_layers):
                if self.device == "cpu":
                    kv.append(ort.OrtValue.ortvalue_from_numpy(np.zeros(shape, dtype=self.kv_dtype)))
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
    def _bind_step(self, n_new: int, ids: np.ndarray) -> None:
        lay, b, total = self.layout, self.binding, self.length + n_new
        b.bind_input(lay.input_ids, "cpu", 0, np.int64, [1, n_new], ids.ctypes.data)
        if lay.attention_mask:
            b.bind_input(lay.attention_mask, "cpu", 0, np.int64, [1, total], self._mask.ctypes.data)
        if lay.position_ids:
            pos = self._pos[:, self.length : total]
            b.bind_input(lay.position_ids, "cpu", 0, np.int64, [1, n_new], pos.ctypes.data)
        if not lay.share_buffer:
            for name in self._presents:
                b.bind_output(name, self.device)
        rows = 1 if self.last_only else n_new
        if self.vocab and lay.logits_dtype == "float32":
            if self._logits.shape[1] != rows:
                self._logits = np.zeros((1, rows, self.vocab), dtype=np.float32)
            b.bind_output(lay.logits, "cpu", 0, np.float32, [1, rows, self.vocab], self._logits.ctypes.data)
        else:
            b.bind_output(lay.logits, "cpu")

    def _run(self, n_new: int) -> np.ndarray:
        self.session.run_with_iobinding(self.binding)
        self.length += n_new
        lay = self.layout
        if not lay.share_buffer:
            # IOBinding returns outputs in the order they were bound: presents, then logits.
            bound = dict(zip([*self._presents, lay.logits], self.binding.get_outputs(), strict=True))
            self.binding.clear_binding_outputs()
            pasts = [n for pair in zip(lay.past_keys, lay.past_values, strict=True) for n in pair]
            for past, present in zip(pasts, self._presents, strict=True):
                self.binding.bind_ortvalue_input(past, bound[present])
        if self.vocab and lay.logits_dtype == "float32":
            return self._logits[0, -1]
        logits = self.binding.get_outputs()[-1].numpy() if lay.share_buffer else bound[lay.logits].numpy()
        return np.asarray(logits[0, -1], dtype=np.float32)

    def prefill(self, ids: Sequence[int]) -> np.ndarray:
        """Run the prompt; returns the last position's logits (a view, valid until the next call)."""
        n = len(ids)
        if n == 0 or self.length + n > self.capacity:
            raise ValueError(f"prefill of {n} tokens does not fit the cache ({self.length}/{self.capacity})")
        self._ids[0, :n] = ids
        self._bind_step(n, self._ids)
        return self._run(n)

    def step(self, token: int) -> np.ndarray:
        """Feed one token; returns the next-token logits (a view, valid until the next call)."""
        if self.length + 1 > self.capacity:
            raise ValueError("the KV cache is full")
        one = self._ids[:, :1]
        one[0, 0] = token
        self._bind_step(1, one)
        return self._run(1)
