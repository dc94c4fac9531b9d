#!/usr/bin/env bash
# Build dist/clinician-assistant_<version>_amd64.deb from the PyInstaller one-folder build.
# Usage: installer/linux/build_deb.sh [APP_DIR]   (default dist/clinician-assistant; run build.sh first)
# Environment: DEB_COMPRESS (gzip, xz, zstd or none; default gzip: xz makes the program part about a
# quarter smaller but takes several times longer), DEB_VERSION (default: the app version).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
APP=${1:-$ROOT/dist/clinician-assistant}
PKG=clinician-assistant

[ -x "$APP/$PKG" ] || { echo "error: no one-folder build at $APP (run installer/build.sh first)" >&2; exit 1; }
for tool in dpkg-deb readelf dpkg-query; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found (apt-get install dpkg-dev binutils)" >&2; exit 1; }
done

APP_VERSION=$("$APP/$PKG" --version | awk '{print $NF}')
# Debian orders 1.0~rc1 before 1.0; Python writes 1.0rc1.
VERSION=${DEB_VERSION:-$(printf '%s' "$APP_VERSION" | sed -E 's/(a|b|rc|\.dev)([0-9]+)$/~\1\2/')}
STAGE=$ROOT/build/deb/${PKG}_${VERSION}_amd64
OUT=$ROOT/dist/${PKG}_${VERSION}_amd64.deb

echo "staging $STAGE"
rm -rf "$STAGE"
install -d "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/icons/hicolor/256x256/apps" \
    "$STAGE/usr/share/doc/$PKG" "$STAGE/etc/$PKG"
cp -a "$APP" "$STAGE/opt/$PKG"
# No caches or tests in the package, and nothing writable by others.
find "$STAGE/opt/$PKG" \( -name __pycache__ -o -name '*.pyc' -o -name tests \) -prune -exec rm -rf {} +
chmod -R u=rwX,go=rX "$STAGE/opt/$PKG"

install -m 0755 "$HERE/clinician-assistant.sh" "$STAGE/usr/bin/$PKG"
install -m 0644 "$HERE/clinician-assistant.desktop" "$STAGE/usr/share/applications/$PKG.desktop"
install -m 0644 "$ROOT/installer/icons/clinician-assistant.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/$PKG.svg"
install -m 0644 "$ROOT/installer/icons/clinician-assistant.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/$PKG.png"
install -m 0644 "$ROOT/installer/site.toml.example" "$STAGE/etc/$PKG/site.toml"
install -m 0644 "$ROOT/installer/site.toml.example" "$STAGE/usr/share/doc/$PKG/site.toml.example"
install -m 0644 "$APP/THIRD_PARTY_LICENSES" "$STAGE/usr/share/doc/$PKG/THIRD_PARTY_LICENSES"
[ -f "$ROOT/docs/DEPLOYMENT.md" ] && install -m 0644 "$ROOT/docs/DEPLOYMENT.md" "$STAGE/usr/share/doc/$PKG/DEPLOYMENT.md"
cat > "$STAGE/usr/share/doc/$PKG/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: clinician-assistant

Files: *
Copyright: Clinician Assistant maintainers
License: proprietary
 Clinician Assistant itself is proprietary software. It bundles third-party
 components (Python, Qt through PySide6, ONNX Runtime, SQLCipher and others),
 each under its own licence: see /usr/share/doc/$PKG/THIRD_PARTY_LICENSES
 (also /opt/$PKG/THIRD_PARTY_LICENSES).
COPYRIGHT

echo "computing Depends from the bundle's libraries"
DEPENDS=$(python3 "$HERE/debdeps.py" "$STAGE/opt/$PKG")
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s|@VERSION@|$VERSION|" -e "s|@SIZE@|$SIZE|" -e "s|@DEPENDS@|$DEPENDS|" "$HERE/control.in" > "$STAGE/DEBIAN/control"
echo "/etc/$PKG/site.toml" > "$STAGE/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$HERE/$script" "$STAGE/DEBIAN/$script"
done
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$STAGE/DEBIAN/md5sums"

mkdir -p "$(dirname "$OUT")"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-gzip}" --build "$STAGE" "$OUT" >/dev/null
echo "built $OUT ($(du -h "$OUT" | cut -f1); installed size $((SIZE / 1024)) MB)"
