"""Build hook: ship resources/ (fonts, knowledge, prompts, demo charts) inside the package."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithResources(build_py):
    """The checkout keeps resources/ beside the package (shared by tests, the PyInstaller spec and
    the tools); a wheel carries them as assistant/resources, where config.resources_dir looks first.
    An editable install needs no copy: it finds the checkout's folder."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "assistant" / "resources"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "resources", target,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithResources})
