"""Installer files: site template matches the settings, packaging scripts and metadata are consistent."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from assistant import config

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"


def _uncommented_template() -> str:
    """site.toml.example with every `# key = value` example line switched on."""
    text = (INSTALLER / "site.toml.example").read_text(encoding="utf-8")
    return re.sub(r"^# ([a-z_]+ = )", r"\1", text, flags=re.M)


def test_template_loads_as_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_SITE_CONFIG", str(INSTALLER / "site.toml.example"))
    settings = config.load_settings(env={})
    assert settings.locked == frozenset()
    assert set(settings.sources.values()) == {"default"}


def test_template_documents_every_key_with_its_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site.toml"
    site.write_text(_uncommented_template(), encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_SITE_CONFIG", str(site))
    settings = config.load_settings(env={})
    flat = config._flatten(tomllib.loads(site.read_text(encoding="utf-8")))
    for key in config.KEYS:
        assert key.name in flat, f"{key.name} missing from site.toml.example"
        if not key.name.startswith("organisation."):  # those show example values
            assert settings[key.name] == key.default, key.name


def test_deployment_guide_lists_every_key() -> None:
    guide = (ROOT / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    for key in config.KEYS:
        assert f"`{key.name}`" in guide, key.name
        if key.env:
            assert key.env in guide


def test_conffile_is_the_linux_site_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_SITE_CONFIG")
    monkeypatch.setattr(sys, "platform", "linux")
    assert str(config.site_config_path()) == "/etc/clinician-assistant/site.toml"
    build = (INSTALLER / "linux" / "build_deb.sh").read_text(encoding="utf-8")
    assert 'echo "/etc/$PKG/site.toml" > "$STAGE/DEBIAN/conffiles"' in build


def test_desktop_entry() -> None:
    entry = dict(line.split("=", 1) for line in
                 (INSTALLER / "linux" / "clinician-assistant.desktop").read_text().splitlines()[1:] if "=" in line)
    assert entry["Type"] == "Application" and entry["Exec"] == "clinician-assistant gui"
    assert entry["Icon"] == "clinician-assistant" and entry["Terminal"] == "false"
    assert (INSTALLER / "icons" / "clinician-assistant.svg").is_file()
    assert (INSTALLER / "icons" / "clinician-assistant.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (INSTALLER / "icons" / "clinician-assistant.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"


@pytest.mark.parametrize("script", ["postinst", "prerm", "postrm"])
def test_maintainer_scripts(script: str) -> None:
    path = INSTALLER / "linux" / script
    text = path.read_text()
    assert text.startswith("#!/bin/sh\n") and "set -e" in text
    assert path.stat().st_mode & 0o111
    # Databases and model packs are never deleted by the package manager.
    assert not re.search(r"rm\s+-[a-z]*r[a-z]*\s+\S*/var/lib", text)
    if shutil.which("sh"):
        subprocess.run(["sh", "-n", str(path)], check=True)


def test_shell_scripts_parse() -> None:
    if not shutil.which("bash"):
        pytest.skip("no bash")
    for path in (INSTALLER / "build.sh", INSTALLER / "linux" / "build_deb.sh", INSTALLER / "linux" / "test_deb.sh",
                 INSTALLER / "linux" / "clinician-assistant.sh"):
        subprocess.run(["bash", "-n", str(path)], check=True)


def test_control_template_fields() -> None:
    control = (INSTALLER / "linux" / "control.in").read_text()
    for field in ("Package: clinician-assistant", "Version: @VERSION@", "Architecture: amd64",
                  "Depends: @DEPENDS@", "Installed-Size: @SIZE@", "Description: "):
        assert field in control


def test_inno_setup_script_references_existing_files() -> None:
    iss = (INSTALLER / "windows" / "clinician-assistant.iss").read_text()
    for needed in ("PrivilegesRequired=admin", "{commonappdata}\\clinician-assistant", "{param:SITECONFIG",
                   "uninsneveruninstall", "clinician-assistant-gui.exe"):
        assert needed in iss
    for rel in re.findall(r'Source: "(\.\.[^"*]+)"', iss) + re.findall(r"SetupIconFile=(\S+)", iss):
        path = (INSTALLER / "windows" / rel.replace("\\", "/")).resolve()
        assert path.exists() or rel.endswith("DEPLOYMENT.md"), rel
    assert re.search(r"AppId=\{\{[0-9A-F-]{36}\}", iss)


def test_licences_cover_runtime_dependencies() -> None:
    sys.path.insert(0, str(INSTALLER))
    try:
        import licenses
    finally:
        sys.path.remove(str(INSTALLER))
    names = {n.lower().replace("_", "-") for n in licenses.runtime_closure()}
    assert {"onnxruntime", "pyside6-essentials", "sqlcipher3", "reportlab"} <= names
    text = licenses.render(["numpy", "sqlcipher3"], fonts=ROOT / "resources" / "fonts")
    assert "numpy " in text and "SQLCipher" in text and "Python " in text
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text  # Qt's LGPL, in full
    if (ROOT / "resources" / "fonts" / "LICENSE-DejaVu.txt").exists():
        assert "Fonts: LICENSE-DejaVu.txt" in text


def test_launcher_opens_gui_from_windowed_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(INSTALLER))
    try:
        import launcher
    finally:
        sys.path.remove(str(INSTALLER))
    seen: list[list[str]] = []
    monkeypatch.setattr("assistant.cli.main.main", lambda argv: seen.append(list(argv)) or 0)
    monkeypatch.setattr(sys, "argv", ["x"])
    monkeypatch.setattr(sys, "executable", str(Path("/opt/clinician-assistant") / "clinician-assistant-gui.exe"))
    assert launcher.main() == 0
    monkeypatch.setattr(sys, "executable", "/opt/clinician-assistant/clinician-assistant")
    monkeypatch.setattr(sys, "argv", ["x", "doctor"])
    launcher.main()
    assert seen == [["gui"], ["doctor"]]
