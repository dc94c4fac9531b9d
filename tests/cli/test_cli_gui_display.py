"""`assistant gui` on a machine without a display says so (exit 2) instead of letting Qt abort."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant.cli.gui import no_display_reason


def test_linux_without_a_display_is_refused_with_a_reason() -> None:
    assert "no display" in no_display_reason({}, "linux")
    assert no_display_reason({"DISPLAY": ":0"}, "linux") == ""
    assert no_display_reason({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ""
    assert no_display_reason({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""  # headless on purpose
    assert no_display_reason({}, "win32") == "" and no_display_reason({}, "darwin") == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is Linux's")
def test_gui_command_exits_2_without_a_display() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "assistant", "gui"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert "no display" in done.stderr and "Aborted" not in done.stderr
