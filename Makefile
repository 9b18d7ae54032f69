# fmdesk — the two commands a new machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian tools the tests use for interoperability and for looking at what we print.
SYSTEM_TOOLS := age minisign pdftoppm pdffonts xvfb-run
APT_PACKAGES := age minisign poppler-utils xvfb xauth libegl1 libgl1 libxkbcommon0 \
	libxkbcommon-x11-0 libdbus-1-3 libfontconfig1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0

.PHONY: run demo test test-package lint bench package system-deps clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fmdesk needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Start the app (offers the demo caseload when there is no store yet).
run: $(STAMP)
	$(BIN)/fmdesk

demo: $(STAMP)
	$(BIN)/fmdesk demo

## Lint, check formatting, types and the import layers, run every test.
test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

## Build the Linux package and run the packaged `fmdesk self-test` (CI runs this after `test`).
test-package: $(STAMP) system-deps
	$(BIN)/python -m pip install --quiet -e '.[package]'
	FMDESK_TEST_PACKAGE=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/packaging

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Install the Debian tools the tests use, when they are missing and we may (root with apt).
system-deps:
	@missing=""; for t in $(SYSTEM_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian tools for the tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	  else \
	    echo "note: missing$$missing; tests that need them will say so (sudo apt-get install $(APT_PACKAGES))"; \
	  fi; \
	fi

## Speed and memory figures (not part of the tests).
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[package]'
	$(BIN)/python packaging/build.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
