"""Debian `Depends:` for the one-folder build: the packages providing libraries the bundle does not hold."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

# Always needed; versioned from the build machine (the build runs on the oldest supported release).
BASE = ("libc6",)
# The Qt xcb runtime (Qt's own list for X11), for libraries a build agent may not have installed:
# resolved with dpkg where installed, else named here (Debian 12 names).
KNOWN = {
    "libxcb.so.1": "libxcb1", "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1", "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0", "libxcb-xkb.so.1": "libxcb-xkb1", "libxcb-glx.so.0": "libxcb-glx0",
    "libxkbcommon.so.0": "libxkbcommon0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6", "libX11-xcb.so.1": "libx11-xcb1", "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6", "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0", "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6", "libdbus-1.so.3": "libdbus-1-3", "libcups.so.2": "libcups2",
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0", "libgio-2.0.so.0": "libglib2.0-0",
}
# Runtime files Qt loads by name rather than by link (fonts are found through fontconfig).
EXTRA = ("fontconfig-config", "fonts-dejavu-core")
_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[(.+?)\]")


def elf_files(root: Path) -> list[Path]:
    out = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(path)
    return out


def needed(path: Path) -> list[str]:
    text = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=False).stdout
    return _NEEDED.findall(text)


def _ldconfig() -> dict[str, str]:
    out = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) \((libc6,x86-64[^)]*)\) => (\S+)", line)
        if m and m.group(1) not in found:
            found[m.group(1)] = m.group(3)
    return found


def _owner(path: str) -> str | None:
    for candidate in (path, str(Path(path).resolve()), path.replace("/usr/lib/", "/lib/", 1),
                      path.replace("/lib/", "/usr/lib/", 1)):
        r = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True, check=False)
        if r.returncode == 0 and r.stdout:
            return r.stdout.split(":", 1)[0].strip()
    return None


def _version(package: str) -> str:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                       check=False)
    upstream = re.sub(r"^\d+:", "", r.stdout.strip()).split("-")[0]
    return upstream


def depends(app: Path) -> tuple[list[str], list[str]]:
    """(Depends entries, sonames nobody provides) for the bundle at `app`."""
    files = elf_files(app)
    bundled = {p.name for p in app.rglob("*")}
    wanted: set[str] = set()
    for f in files:
        wanted.update(needed(f))
    external = sorted(s for s in wanted if s not in bundled)
    system = _ldconfig()
    packages: set[str] = set()
    missing = []
    for soname in external:
        pkg = _owner(system[soname]) if soname in system else None
        pkg = pkg or KNOWN.get(soname)
        if pkg:
            packages.add(pkg)
        elif not soname.startswith(("ld-linux", "libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so",
                                    "libutil.so")):
            missing.append(soname)
    packages.update(EXTRA)
    entries = []
    for pkg in sorted(packages | set(BASE)):
        version = _version(pkg) if pkg in BASE else ""
        entries.append(f"{pkg} (>= {version})" if version else pkg)
    return entries, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app", type=Path, help="the one-folder build (dist/clinician-assistant)")
    args = parser.parse_args(argv)
    entries, missing = depends(args.app)
    if missing:
        print(f"error: no Debian package known for {', '.join(missing)} (needed by the bundle): install "
              "it on the build machine or add it to KNOWN in installer/linux/debdeps.py", file=sys.stderr)
        return 1
    print(", ".join(entries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
