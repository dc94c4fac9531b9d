"""Un-prune a GenAI pack's language-model head so one pass can return the logits of several positions."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onnx import GraphProto

log = logging.getLogger(__name__)

# The input the edited model takes: how many of the last positions get logits (an int64 of shape
# [1]). Prefill and single steps pass 1, so their work and numerics are the pruned model's.
LOGITS_POSITIONS = "logits_positions"
# The input the edited model takes: how many copies of its first row each attention gets beyond
# the rows fed (an int64 of shape [1]: 1 for a single step, 0 otherwise). See `pad_attention_rows`.
ATTENTION_PAD_ROWS = "attention_pad_rows"


def model_with_logits_positions(model_file: Path, input_ids: str = "input_ids") -> bytes | None:
    """The pack's model with its lm_head prune (Gather of the last position) replaced by a Slice of
    the last `logits_positions` positions, serialized; None where the model has no such prune or the
    `onnx` package is missing (speculative decoding is then off, nothing else changes).

    GenAI's `prune_lm_head=true` feeds the lm_head only the last position: half the time to first
    token. Verifying a drafted run of tokens needs the logits at every drafted position, and a Slice
    whose length is an input keeps both: one row in prefill and single steps, k+1 in a check.
    """
    try:
        import onnx
        from onnx import TensorProto, helper
    except ImportError:
        log.info("speculative decoding off: the onnx package is not installed")
        return None
    model = onnx.load(str(model_file), load_external_data=False)
    graph = model.graph
    nodes = list(graph.node)
    lm_head = next((n for n in nodes if n.op_type == "MatMulNBits" and "logits" in n.output), None)
    lm_head = lm_head or next((n for n in nodes if "logits" in n.output and n.op_type in ("MatMul", "Gemm")), None)
    if lm_head is None:
        return None
    producers = {o: (i, n) for i, n in enumerate(nodes) for o in n.output}
    unsq = producers.get(lm_head.input[0])
    if unsq is None or unsq[1].op_type != "Unsqueeze":
        return None
    gather = producers.get(unsq[1].input[0])
    if gather is None or gather[1].op_type != "Gather":
        return None
    consumers = [n for n in nodes if gather[1].output[0] in n.input or unsq[1].output[0] in n.input]
    if len(consumers) != 2:  # the Unsqueeze and the lm_head only; anything else would lose its input
        return None
    hidden = gather[1].input[0]
    prefix = "/lm_head/positions/"
    graph.input.append(helper.make_tensor_value_info(LOGITS_POSITIONS, TensorProto.INT64, [1]))
    graph.initializer.extend([
        helper.make_tensor(prefix + "end", TensorProto.INT64, [1], [2**62]),
        helper.make_tensor(prefix + "axes", TensorProto.INT64, [1], [1]),
    ])
    neg = helper.make_node("Neg", [LOGITS_POSITIONS], [prefix + "start"], name=prefix + "Neg")
    cut = helper.make_node("Slice", [hidden, prefix + "start", prefix + "end", prefix + "axes"],
                           [unsq[1].output[0]], name=prefix + "Slice")
    dropped = [gather[0], unsq[0]]
    index_name = gather[1].input[1]  # the constant -1: dropped too when nothing else reads it
    if not any(index_name in n.input for n in nodes if n is not gather[1]) and index_name in producers:
        dropped.append(producers[index_name][0])
    # Where the Gather was, counted after the deletions: after the hidden state is made, wherever
    # the dropped constant stood.
    first = gather[0] - sum(1 for i in dropped if i < gather[0])
    for index in sorted(dropped, reverse=True):
        del graph.node[index]
    graph.node.insert(first, cut)
    graph.node.insert(first, neg)
    # The builder recorded the pruned shape ([batch, 1, hidden]) for the rows the lm_head reads.
    stale = [i for i, v in enumerate(graph.value_info) if v.name in (unsq[1].output[0], gather[1].output[0])]
    for index in reversed(stale):
        del graph.value_info[index]
    for out in graph.output:
        if out.name == "logits" and len(out.type.tensor_type.shape.dim) == 3:
            out.type.tensor_type.shape.dim[1].dim_param = LOGITS_POSITIONS
    pad_attention_rows(graph, input_ids)
    return bytes(model.SerializeToString())


def pad_attention_rows(graph: GraphProto, input_ids: str) -> None:
    """Let every GroupQueryAttention take `attention_pad_rows` extra copies of its first row, and
    drop their outputs again, so a one-token step can run its attention over two rows.

    Why: ONNX Runtime's CPU attention multiplies the probabilities by V with an SGEMM whose
    one-row case (M == 1, alpha 1) takes MLAS's M1 kernel, which rounds otherwise than the kernel of a
    pass over several rows (~1e-7, which the int8 activations of the next MatMulNBits turn into up
    to ~0.7 in the logits); MatMulNBits itself gives a row the same bits alone as among others
    (measured, accuracy_level 4). With the step's attention over two rows (the token and a copy at
    the next position, which the causal mask keeps out of the token's row and whose cache entry the
    next pass overwrites), a step rounds as a row of a verification pass does: speculative decoding
    then gives the tokens of this loop exactly. The cost: the wider kernel packs V, about 5 % of a
    step at 100 tokens of context and 20 % at 700 (models/README.md).
    """
    from onnx import TensorProto, helper

    prefix = "/attn_pad/"
    nodes = list(graph.node)
    attention = [n for n in nodes if n.op_type == "GroupQueryAttention" and n.domain == "com.microsoft"]
    if not attention or input_ids not in [i.name for i in graph.input]:
        return
    graph.input.append(helper.make_tensor_value_info(ATTENTION_PAD_ROWS, TensorProto.INT64, [1]))
    graph.initializer.extend([
        helper.make_tensor(prefix + "zero", TensorProto.INT64, [1], [0]),
        helper.make_tensor(prefix + "one", TensorProto.INT64, [1], [1]),
    ])
    # Rows fed: the second dimension of input_ids, computed once for every layer.
    rows = [helper.make_node("Shape", [input_ids], [prefix + "rows"], name=prefix + "Shape", start=1, end=2)]
    graph.node.insert(0, rows[0])
    for node in attention:
        name, query, out = node.name, node.input[0], node.output[0]
        extra, padded, wide = f"{name}/pad_extra", f"{name}/pad_query", f"{name}/pad_output"
        before = [
            helper.make_node("Slice", [query, prefix + "zero", ATTENTION_PAD_ROWS, prefix + "one"], [extra],
                             name=extra),
            helper.make_node("Concat", [query, extra], [padded], name=padded, axis=1),
        ]
        after = helper.make_node("Slice", [wide, prefix + "zero", prefix + "rows", prefix + "one"], [out],
                                 name=f"{name}/pad_cut")
        node.input[0], node.output[0] = padded, wide
        at = list(graph.node).index(node)
        graph.node.insert(at + 1, after)
        for n in reversed(before):
            graph.node.insert(at, n)
