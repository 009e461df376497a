# kejiju — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TEST_WORKERS ?= auto
PORT ?= 8000
SCALE ?= city
BENCH_ROWS ?= 100000
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-x -k login"`.
PYTEST_ARGS ?=
# What ruff looks at (only the folders that exist).
LINT_PATHS := $(wildcard src tests bench conftest.py)
export DJANGO_SETTINGS_MODULE ?= kejiju.config.settings.dev

.PHONY: run test check e2e bench install install-test lint format format-check typecheck contracts schema demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,dev,prod]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: install, migrate, load the demo city (once), print the accounts, serve on PORT.
run: install
	$(BIN)/kejiju migrate --noinput
	$(BIN)/kejiju demo --scale $(SCALE) --if-empty
	$(BIN)/kejiju demo --accounts
	$(BIN)/kejiju runserver 127.0.0.1:$(PORT)

## make test: the whole suite (SQLite unless DATABASE_URL is set), browser tests included when chromium is
## present (under CI=true a missing chromium fails them instead). Screenshots go to test-results/.
test: install-test
	DJANGO_SETTINGS_MODULE=kejiju.config.settings.test $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## Browser tests only (Playwright driving /usr/bin/chromium; never `playwright install`).
e2e: install-test
	DJANGO_SETTINGS_MODULE=kejiju.config.settings.test $(BIN)/pytest -q -m e2e tests/e2e $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check $(LINT_PATHS)

## `make format` rewrites files in the house style; `format-check` (part of `make check`) reports.
format: install-test
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

format-check: install-test
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: install-test
	$(BIN)/mypy

contracts: install-test
	$(BIN)/lint-imports --no-cache

schema: install-test
	mkdir -p docs/api
	$(BIN)/kejiju spectacular --file docs/api/openapi.yaml --validate

## make check: static checks, Django's system checks (also the production --deploy ones), migrations
## in step with the models, then the whole suite.
check: lint format-check typecheck contracts
	$(BIN)/kejiju check
	DJANGO_SETTINGS_MODULE=kejiju.config.settings.prod KEJIJU_SECRET_KEY=check-only-$$(printf '%060d' 0) KEJIJU_ALLOWED_HOSTS=example.org $(BIN)/kejiju check --deploy --fail-level WARNING
	$(BIN)/kejiju makemigrations --check --dry-run
	$(MAKE) test

## Benchmarks at scale (not part of make test); see bench/README.md.
bench: install-test
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/import_orgs.py --rows $(BENCH_ROWS)
	$(BIN)/python bench/run.py --scale $(SCALE)
	DJANGO_SETTINGS_MODULE=kejiju.config.settings.test $(BIN)/pytest -q --run-slow -m slow

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache test-results
