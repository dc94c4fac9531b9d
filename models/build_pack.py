"""Build-time only: turn a GGUF file or a local Hugging Face folder into a verified model pack.

Runs in the model-build venv (torch, transformers, onnxruntime-genai); the app never imports it.
Example (a site's larger model, from a local folder, no network):
    .venv-modelbuild/bin/python models/build_pack.py --hf-dir /data/Qwen2.5-1.5B-Instruct \\
        --out /data/packs/qwen2.5-1.5b --precision int8 --name qwen2.5-1.5b-instruct \\
        --licence Apache-2.0 --source "Qwen/Qwen2.5-1.5B-Instruct, copied to /data"
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from assistant.llm.manifest import write_manifest  # noqa: E402  (stdlib only; needs the repo on sys.path)

PACK_FILES = ("model.onnx", "model.onnx.data", "genai_config.json", "tokenizer.json", "tokenizer_config.json",
              "chat_template.jinja")


def _patched_input(hf_dir: Path, work: Path) -> Path:
    """A view of `hf_dir` with config.json adjusted for the builder (the original stays untouched)."""
    config = json.loads((hf_dir / "config.json").read_text())
    rope = config.get("rope_parameters")
    if isinstance(rope, dict) and "rope_theta" not in config:
        # transformers 5 nests RoPE settings; the builder reads the flat names for some families.
        if "rope_theta" in rope:
            config["rope_theta"] = rope["rope_theta"]
        for kind, key in (("full_attention", "rope_theta"), ("sliding_attention", "rope_local_base_freq")):
            if isinstance(rope.get(kind), dict) and "rope_theta" in rope[kind]:
                config[key] = rope[kind]["rope_theta"]
    view = work / "hf-input"
    view.mkdir(parents=True, exist_ok=True)
    for item in hf_dir.iterdir():
        if item.name != "config.json" and not (view / item.name).exists():
            (view / item.name).symlink_to(item.resolve())
    (view / "config.json").write_text(json.dumps(config, indent=2))
    return view


def run_builder(hf_dir: Path, out: Path, precision: str, work: Path, extra: list[str], log: Path) -> None:
    config = json.loads((hf_dir / "config.json").read_text())
    options = ["prune_lm_head=true", *extra]
    if config.get("sliding_window") and not any(o.startswith("windowed_kv_cache") for o in extra):
        # A windowed cache makes sliding-window layers keep a fixed minimum buffer (512 tokens).
        options.append("windowed_kv_cache=false")
    source = _patched_input(hf_dir, work)
    cmd = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(source), "-o", str(out),
           "-p", precision, "-e", "cpu", "-c", str(work / "builder-cache"), "--extra_options", *options]
    print(f"  running the ONNX Runtime GenAI builder ({precision}, {' '.join(options)})", flush=True)
    with log.open("a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        done = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if done.returncode != 0 or not (out / "genai_config.json").is_file():
        raise SystemExit(f"error: the ONNX builder failed (exit {done.returncode}); see {log}")


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("torch", "transformers", "gguf", "onnxruntime-genai", "onnxruntime"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--gguf", type=Path, help="a .gguf file (dequantized to float32 first)")
    src.add_argument("--hf-dir", type=Path, help="a local Hugging Face model folder (config.json + safetensors)")
    parser.add_argument("--out", type=Path, required=True, help="pack folder to create (must not exist)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: next to --out)")
    parser.add_argument("--precision", default="int8", choices=["int8", "int4", "fp16", "fp32"])
    parser.add_argument("--extra-option", action="append", default=[], metavar="KEY=VALUE",
                        help="passed to the builder's --extra_options (repeatable)")
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", default="1")
    parser.add_argument("--licence", required=True, help="SPDX id or name of the model's licence")
    parser.add_argument("--licence-file", type=Path, help="licence text to copy into the pack as LICENSE")
    parser.add_argument("--source", required=True, help="where the weights came from")
    parser.add_argument("--quantization-note", help="manifest's quantization text (default: from --precision)")
    args = parser.parse_args(argv)

    if args.out.exists():
        parser.error(f"{args.out} already exists; choose a new folder")
    work = args.work or args.out.parent / f".{args.out.name}.work"
    work.mkdir(parents=True, exist_ok=True)
    log = work / "build.log"
    started = time.monotonic()
    facts: dict[str, object] = {}
    hf_dir = args.hf_dir
    if args.gguf:
        from convert_gguf import convert  # beside this file

        print(f"  dequantizing {args.gguf.name} to float32 with transformers", flush=True)
        hf_dir = work / "hf"
        facts.update(convert(args.gguf, hf_dir))
    assert hf_dir is not None
    if "parameters" not in facts:
        facts.update(_count_parameters(hf_dir))
    built = work / "onnx"
    if built.exists():
        shutil.rmtree(built)
    run_builder(hf_dir, built, args.precision, work, args.extra_option, log)
    args.out.mkdir(parents=True)
    for name in PACK_FILES:
        if (built / name).is_file():
            shutil.move(str(built / name), args.out / name)
    if args.licence_file:
        shutil.copyfile(args.licence_file, args.out / "LICENSE")
    genai = json.loads((args.out / "genai_config.json").read_text())
    manifest = write_manifest(args.out, {
        "name": args.name,
        "version": args.version,
        "licence": args.licence,
        "source": args.source,
        "parameters": facts["parameters"],
        "quantization": args.quantization_note or f"{args.precision} weights (MatMulNBits, ONNX Runtime GenAI "
                                                  "builder), float32 KV cache",
        "architecture": facts.get("architecture"),
        "context_length": genai["model"].get("context_length"),
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "built_with": _versions(),
    })
    size = sum(f["bytes"] for f in manifest["files"].values())
    print(f"  pack written: {len(manifest['files'])} files, {size / 1e6:.0f} MB, "
          f"{time.monotonic() - started:.0f} s", flush=True)
    return 0


def _count_parameters(hf_dir: Path) -> dict[str, object]:
    """Parameter count from the safetensors headers, without loading the weights."""
    total = 0
    for f in sorted(hf_dir.glob("*.safetensors")):
        with f.open("rb") as fh:
            header = json.loads(fh.read(int.from_bytes(fh.read(8), "little")))
        for name, info in header.items():
            if name != "__metadata__":
                n = 1
                for d in info["shape"]:
                    n *= d
                total += n
    config = json.loads((hf_dir / "config.json").read_text())
    return {"parameters": total, "architecture": (config.get("architectures") or ["?"])[0]}


if __name__ == "__main__":
    sys.exit(main())
