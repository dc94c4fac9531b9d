"""Verification passes whose attention rounds like one-token steps, so speculation keeps greedy's tokens."""

from __future__ import annotations

import copy
import os
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from onnx import GraphProto, NodeProto, ValueInfoProto

# The inputs the edited model takes. EXACT_CHECK (bool [1]): true in a verification pass; false in
# prefill and single steps, which then run the pack's own attention node (the If's else branch).
EXACT_CHECK = "exact_check"
EXACT_PREFIX = "exact_prefix"  # int64 [1]: the cached positions every row shares, a multiple of 4
EXACT_SLOTS = "exact_slots"  # int64 [rows, TAIL_SLOTS]: which cache position each tail slot reads
EXACT_MASK = "exact_mask"  # float32 [rows, TAIL_SLOTS]: 1 where a slot holds a position, else 0
INPUTS = (EXACT_CHECK, EXACT_PREFIX, EXACT_SLOTS, EXACT_MASK)

# Rows per pass the tail layout covers: a token and up to 8 guesses (speculative.MAX_DRAFT). A row
# runs at most 3 + 8 positions past the shared prefix; its last remainder of 3 needs a fourth group.
MAX_ROWS = 9
TAIL_SLOTS = 16

# ONNX Runtime's CPU GroupQueryAttention has two paths. Its flash kernels (the default) compute a
# one-token step with a GEMV kernel and a longer pass with a tiled one, which round differently,
# and nothing outside ONNX Runtime can reproduce them. With this variable set, every pass takes the
# plain path (scores, softmax, probabilities x V with MLAS SGEMM): as fast here (measured within
# noise for steps and prefill at 300 and 700 tokens; models/README.md), and its one-row product is
# reproduced below exactly. Set before any session is made (the kernel reads it when built); a
# site that sets it otherwise keeps its choice, and the start-up check then turns speculation off.
FLASH_SWITCH = "ORT_GQA_DISABLE_FLASH_ATTENTION"


def prefer_plain_attention() -> None:
    os.environ.setdefault(FLASH_SWITCH, "1")


def tail_plan(total: int, rows: int) -> tuple[int, np.ndarray, np.ndarray]:
    """The shared prefix and each row's tail slots for a pass of `rows` tokens ending at `total`.

    MLAS's one-row SGEMM kernel (SgemmKernelM1Avx: M == 1, alpha 1) sums probabilities x V four
    cache positions at a time, ((p0 v0 + p1 v1) + p2 v2) + p3 v3, and adds each group to the result;
    a remainder of 3 goes in as a pair and then a single. Row i of a check attends over
    total - rows + 1 + i positions. The edited graph computes the first `prefix` positions (a
    multiple of 4, the same for every row) with one MatMul per row (M == 1, so the same kernel), and
    the rest by hand in the same groups: slots 4g..4g+3 hold group g, a remainder of 1 or 2 fills
    the start of the next group and zeros the rest, and a remainder of 3 puts its last position
    alone in the group after (zero products leave a sum unchanged).
    """
    if not 1 <= rows <= MAX_ROWS or total < rows:
        raise ValueError(f"a check covers 1-{MAX_ROWS} rows within the cache, not {rows} of {total}")
    first = total - rows + 1  # positions row 0 attends over
    prefix = first - first % 4
    slots = np.zeros((rows, TAIL_SLOTS), dtype=np.int64)  # position 0 where unused: 0 x V adds nothing
    mask = np.zeros((rows, TAIL_SLOTS), dtype=np.float32)
    for i in range(rows):
        groups, rem = divmod(first + i - prefix, 4)
        used = list(range(4 * groups)) + [4 * groups + j for j in range(min(rem, 2))]
        places = [prefix + s for s in used]
        if rem == 3:
            used.append(4 * groups + 4)
            places.append(prefix + 4 * groups + 2)
        slots[i, used] = places
        mask[i, used] = 1.0
    return prefix, slots, mask


def add_exact_checks(graph: GraphProto, input_ids: str, head_size: int) -> bool:
    """Put every GroupQueryAttention of `graph` in an If on EXACT_CHECK. Else: the node as it was
    (prefill and steps). Then: the node with its probabilities as an output (`qk_output` 2), which
    multiply V as `tail_plan` says; that product, which rounds as single steps do, replaces the
    node's own several-row one. False (graph untouched) when the graph is not the packed-QKV,
    shared-cache attention this reproduces.

    Both branches write the cache in place: the If's outputs are the graph's present outputs, which
    the runner binds to the past buffers. Why not a second session that only checks: its own copy
    of the packed weights (about 200 MB here) and thread pool; why not the probabilities in every
    pass: their write costs about 6 % of a 700-token prefill. The If costs steps about 3 %."""
    from onnx import TensorProto, helper

    nodes = [n for n in graph.node if n.op_type == "GroupQueryAttention" and n.domain == "com.microsoft"]
    if not nodes or input_ids not in [i.name for i in graph.input]:
        return False
    attrs = [{a.name: helper.get_attribute_value(a) for a in n.attribute} for n in nodes]
    heads, kv_heads = int(attrs[0]["num_heads"]), int(attrs[0]["kv_num_heads"])
    for node, a in zip(nodes, attrs, strict=True):
        plain = (a.get("local_window_size", -1) in (-1, 0) and not a.get("softcap") and not a.get("smooth_softmax")
                 and not a.get("qk_output") and int(a["num_heads"]) == heads and int(a["kv_num_heads"]) == kv_heads)
        packed = len(node.input) > 6 and not node.input[1] and not node.input[2] and len(node.output) == 3
        if not (plain and packed) or heads % kv_heads:
            return False
    group, width = heads // kv_heads, heads * head_size
    p = "/exact/"
    ints = {"zero": [0], "one": [1], "ax2": [2], "ax3": [3], "kv_g": [kv_heads, group],
            "kv11": [kv_heads, 1, 1], "kv1": [kv_heads, 1], "d": [head_size], "b1": [1], "slots": [TAIL_SLOTS],
            "g414": [TAIL_SLOTS // 4, 1, 4], "g44d": [TAIL_SLOTS // 4, 4, head_size],
            "gd": [TAIL_SLOTS // 4, head_size], "hidden": [width], "b11": [1, 1], "bh11": [1, heads, 1, 1]}
    graph.initializer.extend(helper.make_tensor(p + k, TensorProto.INT64, [len(v)], v) for k, v in ints.items())
    # Sums a row's prefix result and its four tail groups in order: (((c + g0) + g1) + g2) + g3,
    # as a one-row product over 8 stacked terms (two groups of 4: the second is g3 and zeros).
    graph.initializer.append(helper.make_tensor(p + "fold", TensorProto.FLOAT, [1, 8], [1, 1, 1, 1, 1, 0, 0, 0]))
    graph.input.extend([
        helper.make_tensor_value_info(EXACT_CHECK, TensorProto.BOOL, [1]),
        helper.make_tensor_value_info(EXACT_PREFIX, TensorProto.INT64, [1]),
        helper.make_tensor_value_info(EXACT_SLOTS, TensorProto.INT64, ["exact_rows", TAIL_SLOTS]),
        helper.make_tensor_value_info(EXACT_MASK, TensorProto.FLOAT, ["exact_rows", TAIL_SLOTS]),
    ])
    # Shapes every layer's check uses, made once per pass (a dozen scalar ops).
    shared = [
        _node("Shape", [EXACT_SLOTS], p + "rows", start=0, end=1),
        _node("Squeeze", [EXACT_CHECK], p + "use"),
        _node("Concat", [p + "kv_g", p + "rows", p + "one", EXACT_PREFIX], p + "p_shape", axis=0),  # [kv, g, r, 1, P]
        _node("Concat", [p + "kv11", EXACT_PREFIX, p + "d"], p + "v_shape", axis=0),  # [kv, 1, 1, P, d]
        _node("Concat", [p + "b11", p + "rows", p + "slots"], p + "s_shape", axis=0),
        _node("Reshape", [EXACT_SLOTS, p + "s_shape"], p + "slots4"),
        _node("Expand", [p + "slots4", p + "bh11"], p + "slots_h"),  # [1, heads, r, slots]
        _node("Concat", [p + "kv_g", p + "rows", p + "g414"], p + "at_shape", axis=0),  # [kv, g, r, 4, 1, 4]
        _node("Concat", [p + "kv1", p + "rows", p + "g44d"], p + "vt_shape", axis=0),  # [kv, 1, r, 4, 4, d]
        _node("Concat", [p + "kv_g", p + "rows", p + "gd"], p + "sum_shape", axis=0),  # [kv, g, r, 4, d]
        _node("Concat", [p + "b1", p + "rows", p + "hidden"], p + "o_shape", axis=0),  # [1, r, heads * d]
    ]
    for index, n in enumerate(shared):
        graph.node.insert(index, n)
    for gqa in nodes:
        at = list(graph.node).index(gqa)
        graph.node.remove(gqa)
        graph.node.insert(at, _attention_choice(gqa, p))
    return True


def _node(op: str, ins: list[str], out: str, **attributes: int | list[int]) -> NodeProto:
    from onnx import helper

    made = helper.make_node(op, ins, [out], name=out)
    made.attribute.extend(helper.make_attribute(k, v) for k, v in attributes.items())
    return made


def _attention_choice(gqa: NodeProto, p: str) -> NodeProto:
    """An If with the outputs of `gqa`: else the node itself, then the node's rows recomputed as
    single steps compute them."""
    from onnx import TensorProto, helper

    x = f"{gqa.name}/exact/"
    own = copy.deepcopy(gqa)
    own.output[:] = [x + "own", x + "own_key", x + "own_value"]
    check = copy.deepcopy(gqa)
    check.name = x + "check"
    check.attribute.append(helper.make_attribute("qk_output", 2))
    check.output[:] = [x + "several_rows", x + "key", x + "value", x + "probs"]  # probs: [1, heads, r, T]
    value = x + "value"  # the cache after this pass's rows were written
    rows = [
        check,
        # The shared prefix: one product per row and head (M == 1), over the first P positions.
        _node("Slice", [x + "probs", p + "zero", EXACT_PREFIX, p + "ax3"], x + "probs_prefix"),
        _node("Reshape", [x + "probs_prefix", p + "p_shape"], x + "a5", allowzero=1),
        _node("Slice", [value, p + "zero", EXACT_PREFIX, p + "ax2"], x + "v_prefix"),
        _node("Reshape", [x + "v_prefix", p + "v_shape"], x + "v5", allowzero=1),
        _node("MatMul", [x + "a5", x + "v5"], x + "c0"),  # [kv, g, r, 1, d]
        # The tail in the kernel's groups of 4: one product of 4 terms per group, row and head.
        _node("GatherElements", [x + "probs", p + "slots_h"], x + "tail_p", axis=3),
        _node("Mul", [x + "tail_p", EXACT_MASK], x + "tail_pm"),
        _node("Reshape", [x + "tail_pm", p + "at_shape"], x + "at", allowzero=1),
        _node("Gather", [value, EXACT_SLOTS], x + "tail_v", axis=2),
        _node("Reshape", [x + "tail_v", p + "vt_shape"], x + "vt", allowzero=1),
        _node("MatMul", [x + "at", x + "vt"], x + "sums"),  # [kv, g, r, 4, 1, d]
        _node("Reshape", [x + "sums", p + "sum_shape"], x + "sums5", allowzero=1),
        # Prefix + groups in order; the three zero-weighted terms repeat c0 (any finite value).
        _node("Concat", [x + "c0", x + "sums5", x + "c0", x + "c0", x + "c0"], x + "stack", axis=3),
        _node("MatMul", [p + "fold", x + "stack"], x + "c"),  # [kv, g, r, 1, d]
        _node("Transpose", [x + "c"], x + "per_row", perm=[2, 0, 1, 3, 4]),  # [r, kv, g, 1, d]
        _node("Reshape", [x + "per_row", p + "o_shape"], x + "rows_out", allowzero=1),
    ]

    def outputs(*names: str) -> list[ValueInfoProto]:
        return [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in names]

    then_branch = helper.make_graph(rows, x + "then", [], outputs(x + "rows_out", x + "key", x + "value"))
    else_branch = helper.make_graph([own], x + "else", [], outputs(*own.output))
    return helper.make_node("If", [p + "use"], list(gqa.output), name=x + "choose",
                            then_branch=then_branch, else_branch=else_branch)
