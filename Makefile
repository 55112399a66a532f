# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# `make test` runs on this many pytest-xdist processes; TEST_WORKERS=0 runs in one process.
# Tests are handed out one by one (--dist load): the schemathesis cases share one node id,
# and --dist loadfile/loadscope, which track tests by node id, ran 1 of the 40.
TEST_WORKERS ?= 2
SAMPLE_DATA ?= artifacts/data/sample_export.xlsx
# `make run PORT=8080` when 5000 is taken (macOS AirPlay uses it).
PORT ?= 5000
# The local data folder: embedded PostgreSQL, API key pepper, first admin key.
DATA_DIR ?= .data

.PHONY: help run test lint typecheck security requirements clean bench-ingest bench-api bench-checks bench-campaign stop reset-data
.PHONY: migrations-check
.PHONY: test-browser bench-console
.PHONY: bench-delivery
.DEFAULT_GOAL := help

## List the targets with what each does (the default).
help:
	@awk '/^## /{doc=substr($$0, 4); next} /^[a-zA-Z][a-zA-Z0-9_.-]*:([^=]|$$)/{split($$0, t, ":"); printf "  %-14s %s\n", t[1], doc} {doc=""}' $(firstword $(MAKEFILE_LIST))

$(BIN)/python:
	@echo "make: creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "make: upgrading pip in $(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements or the package metadata change.
$(STAMP): $(BIN)/python requirements-dev.txt pyproject.toml
	@echo "make: installing the pinned dependencies (requirements-dev.txt; a few minutes the first time)"
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@echo "make: installing this project in editable mode"
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Install, migrate, load the sample into an empty database, serve the API.
run: $(STAMP)
	$(BIN)/insights db upgrade
	$(BIN)/insights ingest --if-empty $(SAMPLE_DATA)
	$(BIN)/insights run --host 127.0.0.1 --port $(PORT)

## Install, then run the whole test suite (PYTEST_ARGS=... to narrow it).
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

## Run the console's browser tests (needs apt-get install chromium chromium-driver).
test-browser: $(STAMP)
	$(BIN)/python -m pytest tests/integration/test_console_browser.py $(PYTEST_ARGS)

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

# 1,000,000 interactions for 100,000 customers, as CSV and as .xlsx: end to end vs plain
# COPY, calamine's bare read and to_sql; BENCH_INGEST_ARGS="--baseline-ref main" adds the
# code of that commit in the same run; every contender runs 3 rounds (--repeat N), medians.
BENCH_INGEST_ARGS ?=
## Benchmark: ingest 1,000,000 interactions.
bench-ingest: $(STAMP)
	$(BIN)/python -m benchmarks.bench_ingest $(BENCH_INGEST_ARGS)

# 1,000,000 interactions under gunicorn: issue 17's table beside hello-world; BENCH_API_ARGS="--baseline-tree DIR" adds an earlier tree.
## Benchmark: endpoint latencies under gunicorn.
bench-api: $(STAMP)
	$(BIN)/python -m benchmarks.bench_api $(BENCH_API_ARGS)

# The output checks alone, per text, on texts the mock wrote (no database).
## Benchmark: the output checks alone.
bench-checks: $(STAMP)
	$(BIN)/python -m benchmarks.bench_checks

# 100,000 generated customers, `insights run` with its workers, mock model: a campaign over
# everyone against one generate-content call per customer, in the same run.
## Benchmark: campaign drafts per second against the naive way.
bench-campaign: $(STAMP)
	$(BIN)/python -m benchmarks.bench_campaign

## Benchmark: the console's first render of each page at a million interactions.
bench-console: $(STAMP)
	$(BIN)/python -m benchmarks.bench_console $(BENCH_CONSOLE_ARGS)

# Issue 15: 10,000 approved items to an SMTP server in the benchmark's process, by
# `insights worker` processes: one connection per batch job against one per message.
BENCH_DELIVERY_ARGS ?=
## Benchmark: delivery messages per second, connection reuse against one per message.
bench-delivery: $(STAMP)
	$(BIN)/python -m benchmarks.bench_delivery $(BENCH_DELIVERY_ARGS)

# Recompile the pins after editing pyproject.toml's dependencies.
## Recompile requirements*.txt from pyproject.toml.
requirements: $(BIN)/python
	@echo "make: installing pip-tools"
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra dev --extra embedded --extra openai --extra ollama \
		--output-file requirements-dev.txt pyproject.toml

## Delete the virtualenv and tool caches; the local data folder (.data) is kept.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# Stop the embedded PostgreSQL of EMBEDDED_PG_DIR (default $(DATA_DIR)/postgres) if one is
# still running, e.g. after the app was killed.
## Stop the embedded PostgreSQL left running for the data folder.
stop: $(STAMP)
	$(BIN)/insights db stop-embedded

# Start over with no data: stops the embedded server, deletes $(DATA_DIR) (its database,
# API key pepper and local admin key). The next `make run` loads the sample again.
## Stop the embedded server and delete the local data folder.
reset-data: stop
	rm -rf $(DATA_DIR)

## Check the Alembic proposal: head builds the yoyo schema; the example and stamping work.
migrations-check: $(STAMP)
	$(BIN)/python -m pytest -q -p no:randomly tests/integration/test_alembic_baseline.py
