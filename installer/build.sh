#!/usr/bin/env bash
# One-folder build of the app with PyInstaller: dist/clinician-assistant (Linux, macOS or Git Bash on Windows).
# Usage: installer/build.sh [PYTHON]   (default .venv/bin/python; PyInstaller comes from the `installer` extra)
# Needs the default model pack in models/default (`make model`), or ASSISTANT_BUILD_PACK=/path/to/pack.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${1:-$ROOT/.venv/bin/python}
cd "$ROOT"

PACK=${ASSISTANT_BUILD_PACK:-$ROOT/models/default}
if [ ! -f "$PACK/manifest.json" ] && [ "${ASSISTANT_BUILD_WITHOUT_MODEL:-}" != 1 ]; then
    echo "error: no model pack at $PACK (manifest.json missing): run \`make model\` first, or set" \
         "ASSISTANT_BUILD_PACK=/path/to/pack" >&2
    exit 1
fi
"$PY" -c "import PyInstaller" 2>/dev/null || "$PY" -m pip install --quiet ".[installer]"
echo "building dist/clinician-assistant with PyInstaller (several minutes)"
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    installer/assistant.spec
# Refuse a build that does not start: it must print its version from a bare environment.
env -i PATH=/usr/bin:/bin HOME="$ROOT/build" dist/clinician-assistant/clinician-assistant --version
echo "built dist/clinician-assistant ($(du -sh dist/clinician-assistant | cut -f1))"
