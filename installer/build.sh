#!/usr/bin/env bash
# One-folder build of the app with PyInstaller: dist/clinician-assistant (Linux, macOS or Git Bash on Windows).
# Usage: installer/build.sh [PYTHON]   (the interpreter to build with, default python3)
# The build runs in its own virtual environment, build/installer-venv, with the app installed there
# from this checkout (a plain install, resources inside the package) and PyInstaller from the
# `installer` extra. It never installs anything into the developer's .venv: doing so once replaced
# the editable install with a plain one and broke every later `make test`.
# Needs the default model pack in models/default (`make model`), or ASSISTANT_BUILD_PACK=/path/to/pack.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${1:-python3}
cd "$ROOT"
VENV=$ROOT/build/installer-venv
PY=$VENV/bin/python
[ -x "$PY" ] || PY=$VENV/Scripts/python.exe  # Git Bash on Windows

PACK=${ASSISTANT_BUILD_PACK:-$ROOT/models/default}
if [ ! -f "$PACK/manifest.json" ] && [ "${ASSISTANT_BUILD_WITHOUT_MODEL:-}" != 1 ]; then
    echo "error: no model pack at $PACK (manifest.json missing): run \`make model\` first, or set" \
         "ASSISTANT_BUILD_PACK=/path/to/pack" >&2
    exit 1
fi
if [ ! -x "$PY" ]; then
    "$BASE" -m venv "$VENV"
    PY=$VENV/bin/python
    [ -x "$PY" ] || PY=$VENV/Scripts/python.exe
fi
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet ".[installer]"
echo "building dist/clinician-assistant with PyInstaller (several minutes)"
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    installer/assistant.spec
# Refuse a build that does not start: it must print its version from a bare environment.
env -i PATH=/usr/bin:/bin HOME="$ROOT/build" dist/clinician-assistant/clinician-assistant --version
echo "built dist/clinician-assistant ($(du -sh dist/clinician-assistant | cut -f1))"
