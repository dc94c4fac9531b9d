"""Tiny random decoder packs (GenAI/GQA layout and Optimum layout) so engine tests run without a real model."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

from assistant.llm.manifest import write_manifest  # noqa: E402

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
EOS_ID = 2
HIDDEN, HEADS, KV_HEADS, HEAD, LAYERS, MAX_POS = 32, 4, 2, 16, 2, 256  # GQA wants head_size % 16 == 0
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
CORPUS = [
    "The patient takes metformin 1000 mg twice daily and ramipril 10 mg once daily.",
    "Blood pressure 142/88, heart rate 72, eGFR 42, HbA1c 7.5 percent, weight 81 kg.",
    "No chest pain. Review in 3 months. Repeat renal function in 2 weeks.",
    "Allergy: penicillin (rash). Naïve café résumé: naïve. Temperature 37.2 degrees.",
] * 20


def make_tokenizer() -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=360, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer)
    return tok


def _init(name: str, array: np.ndarray) -> TensorProto:
    return numpy_helper.from_array(array, name)


def _rotary_cache() -> tuple[np.ndarray, np.ndarray]:
    inv = 1.0 / (10000 ** (np.arange(0, HEAD, 2, dtype=np.float32) / HEAD))
    angles = np.outer(np.arange(MAX_POS, dtype=np.float32), inv)
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def _weights(rng: np.random.Generator, vocab: int) -> dict[str, np.ndarray]:
    # Small enough that logits stay in single digits (no normalisation layers), large enough that
    # the choice of token depends on the whole context.
    w = {"embed": rng.normal(0, 1, (vocab, HIDDEN)), "lm_head": rng.normal(0, 0.3, (HIDDEN, vocab))}
    for i in range(LAYERS):
        w[f"qkv{i}"] = rng.normal(0, 0.3, (HIDDEN, (HEADS + 2 * KV_HEADS) * HEAD))
        w[f"o{i}"] = rng.normal(0, 0.1, (HEADS * HEAD, HIDDEN))
        w[f"up{i}"] = rng.normal(0, 0.15, (HIDDEN, 2 * HIDDEN))
        w[f"down{i}"] = rng.normal(0, 0.15, (2 * HIDDEN, HIDDEN))
    return {k: v.astype(np.float32) for k, v in w.items()}


def _mlp(nodes: list, i: int, x: str) -> str:
    nodes += [
        helper.make_node("MatMul", [x, f"up{i}"], [f"h{i}"]),
        helper.make_node("Relu", [f"h{i}"], [f"hr{i}"]),
        helper.make_node("MatMul", [f"hr{i}", f"down{i}"], [f"hd{i}"]),
        helper.make_node("Add", [x, f"hd{i}"], [f"x{i + 1}"]),
    ]
    return f"x{i + 1}"


def make_genai_model(path: Path, vocab: int, seed: int = 0) -> None:
    """GenAI-builder layout: GroupQueryAttention with rotary, past/present share one buffer, last-token logits."""
    w = _weights(np.random.default_rng(seed), vocab)
    cos, sin = _rotary_cache()
    inits = [_init(k, v) for k, v in w.items()] + [_init("cos_cache", cos), _init("sin_cache", sin)]
    inits += [_init("one", np.array([1], np.int64)), _init("axis1", np.array([1], np.int64)),
              _init("last_start", np.array([-1], np.int64)), _init("last_end", np.array([2**62], np.int64)),
              _init("idx1", np.array(1, np.int64))]
    kv = ["batch", KV_HEADS, "past_len", HEAD]
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "total"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1, vocab])]
    nodes = [
        helper.make_node("ReduceSum", ["attention_mask", "axis1"], ["msum"], keepdims=0),
        helper.make_node("Sub", ["msum", "one"], ["seqlens64"]),
        helper.make_node("Cast", ["seqlens64"], ["seqlens_k"], to=TensorProto.INT32),
        helper.make_node("Shape", ["attention_mask"], ["mshape"]),
        helper.make_node("Gather", ["mshape", "idx1"], ["total64"], axis=0),
        helper.make_node("Cast", ["total64"], ["total_len"], to=TensorProto.INT32),
        helper.make_node("Gather", ["embed", "input_ids"], ["x0"]),
    ]
    x = "x0"
    for i in range(LAYERS):
        for kind in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kind}", TensorProto.FLOAT, kv))
            outputs.append(helper.make_tensor_value_info(f"present.{i}.{kind}", TensorProto.FLOAT,
                                                         ["batch", KV_HEADS, "total_len", HEAD]))
        nodes += [
            helper.make_node("MatMul", [x, f"qkv{i}"], [f"qkv_out{i}"]),
            helper.make_node(
                "GroupQueryAttention",
                [f"qkv_out{i}", "", "", f"past_key_values.{i}.key", f"past_key_values.{i}.value", "seqlens_k",
                 "total_len", "cos_cache", "sin_cache"],
                [f"attn{i}", f"present.{i}.key", f"present.{i}.value"],
                domain="com.microsoft", num_heads=HEADS, kv_num_heads=KV_HEADS, do_rotary=1,
                scale=1 / math.sqrt(HEAD),
            ),
            helper.make_node("MatMul", [f"attn{i}", f"o{i}"], [f"ao{i}"]),
            helper.make_node("Add", [x, f"ao{i}"], [f"xa{i}"]),
        ]
        x = _mlp(nodes, i, f"xa{i}")
    nodes += [helper.make_node("Slice", [x, "last_start", "last_end", "axis1"], ["xlast"]),
              helper.make_node("MatMul", ["xlast", "lm_head"], ["logits"])]
    graph = helper.make_graph(nodes, "tiny_genai", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    onnx.save(model, str(path))


def make_optimum_model(path: Path, vocab: int, seed: int = 1) -> None:
    """Optimum layout: plain attention that concatenates past and new keys, position_ids, logits for every position."""
    rng = np.random.default_rng(seed)
    w = _weights(rng, vocab)
    w["pos"] = rng.normal(0, 0.5, (MAX_POS, HIDDEN)).astype(np.float32)
    for i in range(LAYERS):  # separate q/k/v with KV_HEADS heads each (no grouping)
        w[f"q{i}"] = rng.normal(0, 0.3, (HIDDEN, KV_HEADS * HEAD)).astype(np.float32)
        w[f"k{i}"] = rng.normal(0, 0.3, (HIDDEN, KV_HEADS * HEAD)).astype(np.float32)
        w[f"v{i}"] = rng.normal(0, 0.3, (HIDDEN, KV_HEADS * HEAD)).astype(np.float32)
        w[f"o{i}"] = rng.normal(0, 0.1, (KV_HEADS * HEAD, HIDDEN)).astype(np.float32)
    inits = [_init(k, v) for k, v in w.items() if not k.startswith("qkv")]
    inits += [_init("split_shape", np.array([0, 0, KV_HEADS, HEAD], np.int64)),
              _init("merge_shape", np.array([0, 0, KV_HEADS * HEAD], np.int64)),
              _init("scale", np.array(1 / math.sqrt(HEAD), np.float32)),
              _init("neg", np.array(-1e9, np.float32)), _init("i0", np.array([0], np.int64))]
    kv = ["batch", KV_HEADS, "past_len", HEAD]
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "total"]),
              helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "seq"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "seq", vocab])]
    nodes = [helper.make_node("Gather", ["embed", "input_ids"], ["tok"]),
             helper.make_node("Gather", ["pos", "position_ids"], ["pe"]),
             helper.make_node("Add", ["tok", "pe"], ["x0"])]
    x = "x0"
    for i in range(LAYERS):
        pk, pv = f"past_key_values.{i}.key", f"past_key_values.{i}.value"
        inputs += [helper.make_tensor_value_info(pk, TensorProto.FLOAT, kv),
                   helper.make_tensor_value_info(pv, TensorProto.FLOAT, kv)]
        outputs += [helper.make_tensor_value_info(f"present.{i}.key", TensorProto.FLOAT, ["batch", KV_HEADS, "t", HEAD]),
                    helper.make_tensor_value_info(f"present.{i}.value", TensorProto.FLOAT, ["batch", KV_HEADS, "t", HEAD])]
        for n in "qkv":
            nodes += [helper.make_node("MatMul", [x, f"{n}{i}"], [f"{n}m{i}"]),
                      helper.make_node("Reshape", [f"{n}m{i}", "split_shape"], [f"{n}r{i}"]),
                      helper.make_node("Transpose", [f"{n}r{i}"], [f"{n}t{i}"], perm=[0, 2, 1, 3])]
        nodes += [
            helper.make_node("Concat", [pk, f"kt{i}"], [f"present.{i}.key"], axis=2),
            helper.make_node("Concat", [pv, f"vt{i}"], [f"present.{i}.value"], axis=2),
            helper.make_node("Transpose", [f"present.{i}.key"], [f"kT{i}"], perm=[0, 1, 3, 2]),
            helper.make_node("MatMul", [f"qt{i}", f"kT{i}"], [f"s{i}"]),
            helper.make_node("Mul", [f"s{i}", "scale"], [f"ss{i}"]),
            # Causal mask: query j (of S new) sees keys up to past_len + j, via Trilu(k = T - S).
            helper.make_node("Shape", [f"qt{i}"], [f"qsh{i}"], start=2, end=3),
            helper.make_node("Shape", [f"present.{i}.key"], [f"ksh{i}"], start=2, end=3),
            helper.make_node("Sub", [f"ksh{i}", f"qsh{i}"], [f"diag{i}"]),
            helper.make_node("Concat", [f"qsh{i}", f"ksh{i}"], [f"mshape{i}"], axis=0),
            helper.make_node("ConstantOfShape", [f"mshape{i}"], [f"ones{i}"],
                             value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0])),
            helper.make_node("Squeeze", [f"diag{i}", "i0"], [f"diags{i}"]),
            helper.make_node("Trilu", [f"ones{i}", f"diags{i}"], [f"tri{i}"], upper=0),
            helper.make_node("Cast", [f"tri{i}"], [f"allowed{i}"], to=TensorProto.BOOL),
            helper.make_node("Where", [f"allowed{i}", f"ss{i}", "neg"], [f"sm{i}"]),
            helper.make_node("Softmax", [f"sm{i}"], [f"p{i}"], axis=-1),
            helper.make_node("MatMul", [f"p{i}", f"present.{i}.value"], [f"a{i}"]),
            helper.make_node("Transpose", [f"a{i}"], [f"at{i}"], perm=[0, 2, 1, 3]),
            helper.make_node("Reshape", [f"at{i}", "merge_shape"], [f"am{i}"]),
            helper.make_node("MatMul", [f"am{i}", f"o{i}"], [f"ao{i}"]),
            helper.make_node("Add", [x, f"ao{i}"], [f"xa{i}"]),
        ]
        x = _mlp(nodes, i, f"xa{i}")
    nodes.append(helper.make_node("MatMul", [x, "lm_head"], ["logits"]))
    graph = helper.make_graph(nodes, "tiny_optimum", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def genai_config(vocab: int) -> dict:
    return {
        "model": {
            "bos_token_id": 1, "context_length": MAX_POS, "eos_token_id": EOS_ID, "pad_token_id": EOS_ID,
            "type": "llama", "vocab_size": vocab,
            "decoder": {
                "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
                "filename": "model.onnx", "head_size": HEAD, "hidden_size": HIDDEN,
                "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                           "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value"},
                "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                            "present_value_names": "present.%d.value"},
                "num_attention_heads": HEADS, "num_hidden_layers": LAYERS, "num_key_value_heads": KV_HEADS,
            },
        },
        "search": {"max_length": MAX_POS, "past_present_share_buffer": True, "do_sample": False},
    }


def build_tiny_pack(folder: Path, kind: str = "genai", manifest: bool = True) -> Path:
    """Write a complete tiny pack of the given layout ("genai" or "optimum") into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    tok = make_tokenizer()
    tok.save(str(folder / "tokenizer.json"))
    vocab = tok.get_vocab_size()
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "chat_template": CHAT_TEMPLATE}))
    if kind == "genai":
        make_genai_model(folder / "model.onnx", vocab)
        (folder / "genai_config.json").write_text(json.dumps(genai_config(vocab), indent=2))
    else:
        make_optimum_model(folder / "model.onnx", vocab)
        (folder / "config.json").write_text(json.dumps({
            "model_type": "tiny", "num_hidden_layers": LAYERS, "num_attention_heads": KV_HEADS,
            "num_key_value_heads": KV_HEADS, "hidden_size": KV_HEADS * HEAD, "max_position_embeddings": MAX_POS,
            "eos_token_id": EOS_ID, "bos_token_id": 1, "vocab_size": vocab}))
    if manifest:
        write_manifest(folder, {"name": f"tiny-{kind}", "version": "0", "licence": "CC0-1.0",
                                "source": "random weights made by the tests", "parameters": 1, "quantization": "fp32"})
    return folder


@pytest.mark.parametrize("kind", ["genai", "optimum"])
def test_tiny_pack_loads_and_runs(tmp_path: Path, kind: str) -> None:
    from assistant.llm import Engine, GenerationConfig, ModelPack

    pack = ModelPack.load(build_tiny_pack(tmp_path / kind, kind))
    assert pack.kind == kind
    engine = Engine(pack, device="cpu", threads=1)
    assert engine.layout.share_buffer is (kind == "genai")
    gen = engine.generate("metformin 1000 mg", GenerationConfig(max_new_tokens=5, min_new_tokens=5))
    gen.result()
    assert len(gen.token_ids) == 5
