#!/usr/bin/env bash
# Install test for the .deb on this machine (root): install with its Debian dependencies, run
# --version, doctor, init and an offscreen start with no Python on PATH, upgrade keeping the site
# file and data, remove keeping the site file and databases, purge keeping the databases.
# Usage: installer/linux/test_deb.sh [PACKAGE.deb]   (default: the newest dist/clinician-assistant_*.deb)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PKG=clinician-assistant
DEB=${1:-$(ls -t "$ROOT"/dist/${PKG}_*_amd64.deb 2>/dev/null | head -n 1)}
DATA=/var/lib/$PKG
PASSWORD="installer test password"

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[ -n "$DEB" ] && [ -f "$DEB" ] || fail "no .deb to test (run \`make installer\` first)"
DEB=$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")
[ "$(id -u)" = 0 ] || fail "run as root: the test installs the package into this machine with dpkg"
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'install ok'; then
    fail "$PKG is already installed here; remove it first (this test installs and purges it)"
fi
[ ! -e /etc/$PKG ] || fail "/etc/$PKG exists; move it away first (this test purges the package)"

WORK=$(mktemp -d)
HAD_DATA=0; [ -d "$DATA" ] && HAD_DATA=1
HAD_GROUP=0; getent group "$PKG" >/dev/null && HAD_GROUP=1
TEST_DB=$DATA/data/installer-test-$$.db
cleanup() {
    if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok'; then dpkg -P "$PKG" >/dev/null 2>&1 || true; fi
    rm -f "$TEST_DB" "$TEST_DB.keys" "$TEST_DB-wal" "$TEST_DB-shm"
    if [ "$HAD_DATA" = 0 ]; then rm -rf "$DATA"; fi
    if [ "$HAD_GROUP" = 0 ] && getent group "$PKG" >/dev/null; then groupdel "$PKG" || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The app runs with an empty PATH (no Python reachable) and a scratch home folder.
mkdir -p "$WORK/home" "$WORK/empty-bin"
app() { env -i HOME="$WORK/home" PATH="$WORK/empty-bin" LANG=C.UTF-8 "$@"; }
json_get() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

step "install $(basename "$DEB") with its dependencies from Debian"
apt-get update -qq >/dev/null 2>&1 || echo "note: apt-get update failed; trying with the current lists"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$DEB" >"$WORK/apt.log" 2>&1 \
    || { tail -20 "$WORK/apt.log"; fail "apt-get could not install the package"; }
VERSION=$(dpkg-query -W -f='${Version}' "$PKG")
echo "installed $PKG $VERSION"

step "files, conffile, permissions, libraries"
for f in /opt/$PKG/$PKG /usr/bin/$PKG /usr/share/applications/$PKG.desktop \
         /usr/share/icons/hicolor/scalable/apps/$PKG.svg /usr/share/icons/hicolor/256x256/apps/$PKG.png \
         /etc/$PKG/site.toml /opt/$PKG/THIRD_PARTY_LICENSES /usr/share/doc/$PKG/copyright; do
    [ -e "$f" ] || fail "$f missing"
done
dpkg-query -W -f='${Conffiles}\n' "$PKG" | grep -q "/etc/$PKG/site.toml" || fail "site.toml is not a conffile"
[ -d "$DATA/models" ] || fail "$DATA/models not created"
[ "$(stat -c '%a %G' "$DATA/data")" = "2770 $PKG" ] || fail "$DATA/data is not 2770 root:$PKG"
if find /opt/$PKG -name __pycache__ -o -name '*.pyc' -o -type d -name tests | grep -q .; then
    fail "caches or tests in the package"
fi
# The bootloader puts _internal on the library path; anything else must come from a dependency.
missing=$(find /opt/$PKG -name '*.so*' -type f -print0 \
    | LD_LIBRARY_PATH=/opt/$PKG/_internal xargs -0 ldd 2>/dev/null | grep 'not found' | sort -u || true)
[ -z "$missing" ] || fail "libraries not provided by the declared dependencies: $missing"
echo "ok: every bundled library resolves"

step "clinician-assistant --version"
out=$(app /usr/bin/$PKG --version)
echo "$out"
[ "$out" = "$PKG $(printf '%s' "$VERSION" | sed 's/~//')" ] || fail "unexpected version output"

step "clinician-assistant doctor (fresh machine)"
app /usr/bin/$PKG doctor || fail "doctor reported a failed check"

step "init a shared database in $DATA/data, then doctor --json"
app ASSISTANT_DB="$TEST_DB" ASSISTANT_PASSWORD="$PASSWORD" /usr/bin/$PKG init --user itadmin >/dev/null
app ASSISTANT_DB="$TEST_DB" /usr/bin/$PKG doctor --json >"$WORK/doctor.json" || fail "doctor failed on the new database"
[ "$(json_get "$WORK/doctor.json" '[c for c in r["checks"] if c["name"]=="database"][0]["details"]["encrypted"]')" = True ] \
    || fail "doctor does not see an encrypted database"
[ "$(json_get "$WORK/doctor.json" '[c for c in r["checks"] if c["name"]=="versions"][0]["details"]["frozen"]')" = True ] \
    || fail "doctor is not running the packaged app"
json_get "$WORK/doctor.json" '"; ".join(c["name"] + " " + c["status"] for c in r["checks"])'

step "the packaged app at work: import, patients, risks, summary, PDF"
as_admin() { app ASSISTANT_DB="$TEST_DB" ASSISTANT_USER=itadmin ASSISTANT_PASSWORD="$PASSWORD" "$@"; }
demo=(/opt/$PKG/_internal/resources/demo/*.json)
[ -f "${demo[0]}" ] || fail "no demo patients in the bundle"
as_admin /usr/bin/$PKG import "${demo[@]}" | tail -n 1
as_admin /usr/bin/$PKG patients --json >"$WORK/patients.json"
PATIENT=$(json_get "$WORK/patients.json" 'r[0]["id"]')
as_admin /usr/bin/$PKG risks "$PATIENT" --json >/dev/null || fail "risks failed"
as_admin /usr/bin/$PKG summarize "$PATIENT" >"$WORK/summary.txt" || fail "summarize failed"
echo "summary: $(wc -l <"$WORK/summary.txt") lines"
as_admin /usr/bin/$PKG export "$PATIENT" --format pdf --document summary --out "$WORK/summary.pdf"
[ "$(head -c 5 "$WORK/summary.pdf")" = "%PDF-" ] || fail "export did not write a PDF"
echo "ok: $(json_get "$WORK/patients.json" 'len(r)') patients imported, risks, summary and PDF"

if [ -f /opt/$PKG/_internal/models/default/manifest.json ]; then
    step "model check / install / list with the bundled pack"
    app /usr/bin/$PKG model check /opt/$PKG/_internal/models/default || fail "model check failed"
    app /usr/bin/$PKG model install /opt/$PKG/_internal/models/default --dest "$WORK/models"
    app ASSISTANT_MODELS_DIR="$WORK/models" /usr/bin/$PKG model list
else
    echo "note: no model pack in this build; model check/install not exercised"
fi

step "offscreen start (15 s without crashing)"
set +e
timeout 15 env -i HOME="$WORK/home" PATH="$WORK/empty-bin" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
    ASSISTANT_DB="$TEST_DB" /usr/bin/$PKG gui >"$WORK/gui.log" 2>&1
rc=$?
set -e
if [ "$rc" != 124 ] || grep -q Traceback "$WORK/gui.log"; then
    cat "$WORK/gui.log"; fail "the app exited with status $rc instead of running"
fi
echo "ok: still running after 15 s (stopped by the test)"

step "upgrade keeps the site file and the data"
sed -i 's|^# name = .*|name = "Installer Test Ward"|' /etc/$PKG/site.toml
app /usr/bin/$PKG doctor --json >"$WORK/doctor.json" || true
[ "$(json_get "$WORK/doctor.json" 'r["config"]["values"]["organisation.name"]["value"]')" = "Installer Test Ward" ] \
    || fail "edited site.toml not in effect"
dpkg-deb -R "$DEB" "$WORK/up"
sed -i "s/^Version: .*/Version: ${VERSION}+upgradetest1/" "$WORK/up/DEBIAN/control"
dpkg-deb --root-owner-group -Znone --build "$WORK/up" "$WORK/up.deb" >/dev/null
rm -rf "$WORK/up"
DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold "$WORK/up.deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' "$PKG")" = "${VERSION}+upgradetest1" ] || fail "upgrade did not install"
grep -q 'Installer Test Ward' /etc/$PKG/site.toml || fail "upgrade replaced the edited site.toml"
[ -f "$TEST_DB" ] && [ -f "$TEST_DB.keys" ] || fail "upgrade lost the database"
app ASSISTANT_DB="$TEST_DB" /usr/bin/$PKG doctor >/dev/null || fail "doctor failed after the upgrade"
echo "ok: site.toml edit and database kept; doctor passes"

step "remove keeps the site file and the databases"
dpkg -r "$PKG" >/dev/null
[ ! -e /opt/$PKG ] && [ ! -e /usr/bin/$PKG ] || fail "program files left after remove"
[ -f /etc/$PKG/site.toml ] || fail "remove deleted site.toml"
[ -f "$TEST_DB" ] && [ -f "$TEST_DB.keys" ] || fail "remove deleted the database"
echo "ok"

step "purge deletes the site file, keeps the databases"
dpkg -P "$PKG" >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; fail "purge failed"; }
grep "$PKG:" "$WORK/purge.log" || true
[ ! -e /etc/$PKG/site.toml ] || fail "purge left site.toml"
[ -f "$TEST_DB" ] && [ -f "$TEST_DB.keys" ] || fail "purge deleted the database"
echo "ok"

printf '\ninstaller test passed: %s\n' "$(basename "$DEB")"
