"""Any install carries the resources (a plain wheel, not only the checkout), and the installer build
never changes the developer's virtual environment."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support import ROOT

STUB = """#!/usr/bin/env bash
echo "$0 $*" >> "{log}"
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
fi
exit 0
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # From a clean copy of what the sdist holds: an in-tree build/ left by an earlier build would
    # hide a wheel that no longer packs the resources (and the checkout stays untouched).
    out, src = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    for name in ("assistant", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(out)],
                           capture_output=True, text=True, timeout=300, cwd=out)
    if built.returncode != 0:
        if "No matching distribution" in built.stderr or "Could not find" in built.stderr:
            pytest.skip("the build backend (setuptools) cannot be fetched here")
        raise AssertionError(built.stderr[-2000:])
    (path,) = out.glob("*.whl")
    return path


@pytest.mark.slow
def test_wheel_carries_every_resource(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"assistant/resources/{p.relative_to(ROOT / 'resources').as_posix()}"
               for p in (ROOT / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert shipped and not shipped - names


@pytest.mark.slow
def test_installed_wheel_renders_a_report_from_its_own_resources(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ASSISTANT_RESOURCES")}
    env["PYTHONPATH"] = str(site)  # ahead of the checkout's editable install
    code = ("import assistant, assistant.config as c; print(assistant.__file__); print(c.resources_dir()); "
            "from assistant.cli.sample import main; main(['out'])")
    run = subprocess.run([sys.executable, "-P", "-c", code], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    module, resources = run.stdout.splitlines()[:2]
    assert module.startswith(str(site)) and resources == str(site / "assistant" / "resources")
    assert list((tmp_path / "out").glob("*.pdf"))


def test_installer_build_never_touches_the_developer_venv(tmp_path: Path) -> None:
    (tmp_path / "installer").mkdir()
    shutil.copy(ROOT / "installer" / "build.sh", tmp_path / "installer" / "build.sh")
    (tmp_path / "models" / "default").mkdir(parents=True)
    (tmp_path / "models" / "default" / "manifest.json").write_text("{}")
    log = tmp_path / "calls.log"
    dev = tmp_path / ".venv" / "bin" / "python"
    dev.parent.mkdir(parents=True)
    dev.write_text(STUB.format(log=log))
    dev.chmod(dev.stat().st_mode | stat.S_IXUSR)
    # The stub "builds" nothing, so the script stops at its start-up check; what it ran is logged.
    subprocess.run(["bash", str(tmp_path / "installer" / "build.sh"), str(dev)], cwd=tmp_path,
                   capture_output=True, timeout=60)
    calls = log.read_text().splitlines()
    by_dev = [c for c in calls if c.startswith(f"{dev} ")]
    assert by_dev and all(" -m venv " in c for c in by_dev), by_dev
    assert any("installer-venv" in c and "pip install" in c for c in calls), calls
