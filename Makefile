# The two commands of the README: `make run` and `make test`. Both set everything up.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA ?= data

.PHONY: run test test-all lint typecheck install browsers system-packages ocr-packages eval bench clean corpus

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	# torch first, pinned: pip takes the local CPU wheel (no CUDA downloads)
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# `make run` needs the service only: the runtime dependencies, not the test and lint tools of [dev]
RUN_STAMP := $(VENV)/.installed-runtime
$(RUN_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e .
	touch $(RUN_STAMP)

run: $(RUN_STAMP)
	-@$(MAKE) --no-print-directory ocr-packages
	$(VENV)/bin/procsearch --data $(DATA) ingest corpus/documents --prune
	$(VENV)/bin/procsearch --data $(DATA) serve

# headless Chromium from the system packages for tests/test_browser.py (never `playwright install`);
# where it cannot be installed, the browser tests skip
browsers:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium) \
		|| echo "chromium unavailable: browser tests will skip"

# Debian packages for OCR of scanned PDFs (Tesseract with its French and English models, pdftoppm) and the
# browser tests (Chromium); CI runs this before `make test`, `make run` tries it. Without them scans fail with
# a reason saying how to enable OCR, and the OCR and browser tests skip.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng poppler-utils

system-packages: browsers ocr-packages

ocr-packages:
	@(command -v tesseract >/dev/null && command -v pdftoppm >/dev/null \
		&& tesseract --list-langs 2>/dev/null | grep -qx fra && tesseract --list-langs 2>/dev/null | grep -qx eng) \
		|| (apt-get update && apt-get install -y --no-install-recommends $(OCR_PACKAGES)) \
		|| echo "Tesseract unavailable: scanned PDFs will fail with 'needs OCR' and the OCR tests will skip"

test: $(STAMP)
	$(PY) -m pytest -q

test-all: $(STAMP)
	$(PY) -m pytest -q -m ""

# the CI gate: ruff (lint and format check), then mypy, over every package
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# mypy alone (config in pyproject.toml: every package, stubs required but for the untyped libraries listed there)
typecheck: $(STAMP)
	$(VENV)/bin/mypy

eval: $(STAMP)
	$(VENV)/bin/procsearch eval

bench: $(STAMP)
	$(VENV)/bin/procsearch bench

corpus: $(STAMP)
	$(PY) corpus/generate.py

clean:
	rm -rf $(VENV) .pytest_cache
