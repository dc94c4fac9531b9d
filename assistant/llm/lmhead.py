"""Un-prune a GenAI pack's language-model head so one pass can return the logits of several positions."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.llm.exactcheck import add_exact_checks

log = logging.getLogger(__name__)

# The input the edited model takes: how many of the last positions get logits (an int64 of shape
# [1]). Prefill and single steps pass 1, so their work and numerics are the pruned model's.
LOGITS_POSITIONS = "logits_positions"


def model_with_logits_positions(model_file: Path, input_ids: str, head_size: int) -> bytes | None:
    """The pack's model with its lm_head prune (Gather of the last position) replaced by a Slice of
    the last `logits_positions` positions and with checks that round like steps (exactcheck.py),
    serialized; None where the model has no such prune, its attention is not one exactcheck.py
    reproduces, or the `onnx` package is missing (speculative decoding is then off, nothing else
    changes).

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
    if not add_exact_checks(graph, input_ids, head_size):
        log.info("speculative decoding off: the model's attention is not one whose steps a check can reproduce")
        return None
    return bytes(model.SerializeToString())
