# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
SAMPLE_DATA ?= artifacts/data/sample_export.xlsx

.PHONY: run test lint typecheck security requirements clean bench-ingest bench-api bench-checks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements or the package metadata change.
$(STAMP): $(BIN)/python requirements-dev.txt pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/insights db upgrade
	$(BIN)/insights ingest --if-empty $(SAMPLE_DATA)
	$(BIN)/insights run --host 127.0.0.1 --port 5000

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Static security lint (medium severity and up), then known vulnerabilities of the pins
# (skipped with a message when the vulnerability database cannot be reached).
security: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r api repository pipelines benchmarks --severity-level medium -q
	$(BIN)/python .ci/audit_dependencies.py

# 1,000,000 interactions for 100,000 customers: end to end vs plain COPY vs to_sql.
bench-ingest: $(STAMP)
	$(BIN)/python -m benchmarks.bench_ingest

# 1,000,000 interactions under gunicorn: endpoint latencies vs a pandas-per-request baseline.
bench-api: $(STAMP)
	$(BIN)/python -m benchmarks.bench_api

# The output checks alone, per text, on texts the mock wrote (no database).
bench-checks: $(STAMP)
	$(BIN)/python -m benchmarks.bench_checks

# Recompile the pins after editing pyproject.toml's dependencies.
requirements: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra dev --extra embedded --extra openai --extra ollama \
		--output-file requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
