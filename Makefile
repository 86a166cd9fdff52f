# Every target builds the virtual environment itself (pinned by constraints.txt).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
DEMO_DIR ?= data/demo
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False

.PHONY: venv demo test test-fast test-celery image-check compose-validators benchmark lint clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	# --compile-bytecode: no first run (a benchmark, a DAG task) pays for compiling the stack
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -c constraints.txt -e ".[dev]"
	touch $@

venv: $(BIN)/.installed

## Generate the synthetic 2024 year and run the ledger_month_end DAG on it (SQLite warehouse, Airflow on SQLite).
demo: venv
	PATH=$(CURDIR)/$(BIN):$$PATH bash scripts/demo.sh $(DEMO_DIR)

## The whole test suite (PostgreSQL tests run against 127.0.0.1:5432 when it answers), including the
## Celery stack test (also needs Redis on 127.0.0.1:6379; skipped with the reason when either is missing).
test: venv
	$(BIN)/python -m pytest

## The Celery stack test alone: the real CeleryExecutor stack on the local PostgreSQL and Redis,
## ledger_month_end over three förvaltningar (3-5 min; docs/deployment.md). `make test` runs it too.
test-celery: venv
	$(BIN)/python -m pytest -m celery_stack tests/deploy/test_celery_stack.py

## The image's requirement set in a scratch venv + `pip check` (no Docker needed; docs/deployment.md).
image-check:
	PYTHON=$(PYTHON) bash scripts/check_image_requirements.sh

## Compose v1 and v2, for tests/deploy/test_compose.py's `config -q` checks (v2 into the venv).
compose-validators: venv
	bash scripts/install_compose_validators.sh

## Unit tests only (no DAG runs, no full-year loads).
test-fast: venv
	$(BIN)/python -m pytest -m unit

## Guardrails as code (README "Lint"): ruff (pyflakes everywhere, no heavy module-level imports in
## dags/), the import contracts over bokslut (layers, no cycles: lint-imports), sqlfluff on include/sql/.
## All configured in pyproject.toml.
lint: venv
	$(BIN)/ruff check --output-format concise plugins tests scripts dags
	$(BIN)/lint-imports --no-cache
	$(BIN)/sqlfluff lint --disable-progress-bar --nocolor include/sql

benchmark: venv
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf $(VENV) .airflow data out
