"""Build-time only: load a GGUF into a float32 Hugging Face folder that the ONNX builder can read."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def convert(gguf: Path, out: Path) -> dict[str, object]:
    """Dequantize `gguf` to float32 and save model + tokenizer under `out`; return facts for the manifest."""
    # Imported here so that `--help` works without the heavy build tools.
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.monotonic()
    folder, name = str(gguf.parent), gguf.name
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    # The GGUF quantizer state would make save_pretrained write a quantized checkpoint that the
    # ONNX builder cannot read; the weights are already dequantized to float32 in memory.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.architectures = [type(model).__name__]
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    params = sum(p.numel() for p in model.parameters())
    facts = {
        "architecture": type(model).__name__,
        "parameters": int(params),
        "context_length": int(getattr(model.config, "max_position_embeddings", 0) or 0),
        "load_seconds": round(time.monotonic() - started, 1),
    }
    (out / "conversion.json").write_text(json.dumps(facts, indent=2))
    return facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("gguf", type=Path, help="path to the .gguf file")
    parser.add_argument("out", type=Path, help="folder to write the float32 Hugging Face model into")
    args = parser.parse_args(argv)
    if not args.gguf.is_file():
        print(f"error: {args.gguf} does not exist", file=sys.stderr)
        return 2
    facts = convert(args.gguf, args.out)
    print(json.dumps(facts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
