# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
SAMPLE_DATA ?= artifacts/data/sample_export.xlsx

.PHONY: help run test lint typecheck security requirements clean bench-ingest bench-api bench-checks
.DEFAULT_GOAL := help

## List the targets with what each does (the default).
help:
	@awk '/^## /{doc=substr($$0, 4); next} /^[a-zA-Z][a-zA-Z0-9_.-]*:([^=]|$$)/{split($$0, t, ":"); printf "  %-14s %s\n", t[1], doc} {doc=""}' $(firstword $(MAKEFILE_LIST))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements or the package metadata change.
$(STAMP): $(BIN)/python requirements-dev.txt pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Install, migrate, load the sample into an empty database, serve the API.
run: $(STAMP)
	$(BIN)/insights db upgrade
	$(BIN)/insights ingest --if-empty $(SAMPLE_DATA)
	$(BIN)/insights run --host 127.0.0.1 --port 5000

## Install, then run the whole test suite (PYTEST_ARGS=... to narrow it).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## ruff check and ruff format --check.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## mypy on the typed packages.
typecheck: $(STAMP)
	$(BIN)/mypy

# Static security lint (medium severity and up), then known vulnerabilities of the pins
# (skipped with a message when the vulnerability database cannot be reached).
## bandit, then known vulnerabilities of the pinned dependencies.
security: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r api repository pipelines benchmarks --severity-level medium -q
	$(BIN)/python .ci/audit_dependencies.py

# 1,000,000 interactions for 100,000 customers: end to end vs plain COPY vs to_sql.
## Benchmark: ingest 1,000,000 interactions.
bench-ingest: $(STAMP)
	$(BIN)/python -m benchmarks.bench_ingest

# 1,000,000 interactions under gunicorn: endpoint latencies vs a pandas-per-request baseline.
## Benchmark: endpoint latencies under gunicorn.
bench-api: $(STAMP)
	$(BIN)/python -m benchmarks.bench_api

# The output checks alone, per text, on texts the mock wrote (no database).
## Benchmark: the output checks alone.
bench-checks: $(STAMP)
	$(BIN)/python -m benchmarks.bench_checks

# Recompile the pins after editing pyproject.toml's dependencies.
## Recompile requirements*.txt from pyproject.toml.
requirements: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra dev --extra embedded --extra openai --extra ollama \
		--output-file requirements-dev.txt pyproject.toml

## Delete the virtualenv and tool caches.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
