# NISA Training & Certification: the two commands a newcomer needs, and a few more.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test bench lint typecheck layers catalog clean

run: $(STAMP)  ## set everything up, serve the app with demo data on http://127.0.0.1:8000 and run the scheduler
	$(BIN)/nisa db upgrade
	$(BIN)/nisa keys create --if-missing
	$(BIN)/nisa demo --if-empty
	$(BIN)/nisa run

test: $(DEV_STAMP)  ## lint, type-check, check the layers (import-linter), then the suite: unit + integration on 2 cores (SQLite and PostgreSQL), then Chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --ignore=tests/browser
	$(BIN)/pytest tests/browser

bench: $(DEV_STAMP)  ## the benchmark suite in one table (national data sets built once into var/bench/; needs wrk)
	$(BIN)/python -m bench.suite

lint: $(DEV_STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

layers: $(DEV_STAMP)  ## print which package imports which (the picture in ARCHITECTURE.md) and check the contracts
	$(BIN)/python docs/layers.py
	$(BIN)/lint-imports

catalog: $(DEV_STAMP)  ## refresh the translation template and merge it into the Khmer catalog
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k gettext -k ngettext:1,2 --no-location --sort-output \
		-o foundation/locale/messages.pot .
	$(BIN)/pybabel update -i foundation/locale/messages.pot -d foundation/locale -l km --no-fuzzy-matching --ignore-obsolete

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP) $@

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache test-artifacts
