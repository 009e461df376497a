# kejiju — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
SCALE ?= city
export DJANGO_SETTINGS_MODULE ?= kejiju.config.settings.dev

.PHONY: run test check e2e bench install install-test lint typecheck contracts schema demo clean

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

## make test: the whole suite (SQLite unless DATABASE_URL is set), browser tests included when chromium is present.
test: install-test
	DJANGO_SETTINGS_MODULE=kejiju.config.settings.test $(BIN)/pytest -q

## Browser tests only.
e2e: install-test
	DJANGO_SETTINGS_MODULE=kejiju.config.settings.test $(BIN)/pytest -q -m e2e

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-test
	$(BIN)/mypy

contracts: install-test
	$(BIN)/lint-imports

schema: install-test
	$(BIN)/kejiju spectacular --file docs/api/openapi.yaml --validate

check: lint typecheck contracts
	$(BIN)/kejiju check
	DJANGO_SETTINGS_MODULE=kejiju.config.settings.prod KEJIJU_SECRET_KEY=check-only-$$(printf '%060d' 0) KEJIJU_ALLOWED_HOSTS=example.org $(BIN)/kejiju check --deploy --fail-level WARNING
	$(BIN)/kejiju makemigrations --check --dry-run
	$(MAKE) test

## Benchmarks at scale (not part of make test); see bench/README.md.
bench: install-test
	$(BIN)/python bench/run.py --scale $(SCALE)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
