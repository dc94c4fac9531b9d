#!/usr/bin/env bash
# Install the Debian packages the tests and PDF checks use, when we are root and they are missing.
# Never fatal: tests that need a missing tool skip with a reason.
set -u
need=()
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
ldconfig -p 2>/dev/null | grep -q libxkbcommon.so.0 || need+=(libxkbcommon0)
ldconfig -p 2>/dev/null | grep -q libEGL.so.1 || need+=(libegl1)
ldconfig -p 2>/dev/null | grep -q libfontconfig.so.1 || need+=(libfontconfig1)
# `sysdeps.sh gui` (from `make run`): Qt's xcb platform plugin for a real X11/XWayland screen.
if [ "${1:-}" = gui ]; then
  for pair in libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0 \
              libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1 \
              libxcb-shape.so.0:libxcb-shape0 libxcb-randr.so.0:libxcb-randr0 \
              libxcb-render-util.so.0:libxcb-render-util0 libxcb-image.so.0:libxcb-image0 \
              libGL.so.1:libgl1 libdbus-1.so.3:libdbus-1-3; do
    ldconfig -p 2>/dev/null | grep -q "${pair%%:*}" || need+=("${pair##*:}")
  done
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: missing system packages ${need[*]} (not root or no apt-get); related tests will skip" >&2
  exit 0
fi
echo "installing system packages: ${need[*]}" >&2
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
  || echo "note: could not install ${need[*]}; related tests will skip" >&2
exit 0
