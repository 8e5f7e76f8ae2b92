# `make run` and `make test` set everything up from scratch on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_DEBUG=1 $(BIN)/flask --app run
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Each test's SQLite copy lives in memory where the machine has /dev/shm: the suite
# then waits on no disk flush (about half the wall time on this machine).
TEST_TMPDIR ?= $(shell test -d /dev/shm -a -w /dev/shm && echo /dev/shm || echo $${TMPDIR:-/tmp})

.PHONY: run test test-sqlite test-postgres lint format setup setup-dev assets db bench clean

run: setup assets db
	FLASK_DEBUG=1 $(BIN)/python run.py $(ARGS)

test: setup-dev assets lint test-sqlite test-postgres

test-sqlite:
	env -u TEST_DATABASE_URL TMPDIR=$(TEST_TMPDIR) $(BIN)/pytest

# Runs only when TEST_DATABASE_URL is set (CI sets it to the local PostgreSQL). The
# pure statistics tests (tests/test_stats_*) touch no database: the SQLite pass
# runs them, this one does not repeat them.
test-postgres:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		TMPDIR=$(TEST_TMPDIR) $(BIN)/pytest --ignore-glob='tests/test_stats_*'; \
	else \
		echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (try TEST_DATABASE_URL=$(PG_TEST_URL) make test)"; \
	fi

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Pinned front-end packages from the npm registry, copied into static/vendor/.
assets: static/vendor/.installed

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor
	mkdir -p static/vendor/htmx static/vendor/pico
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico/
	touch $@

db: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo

bench: setup-dev
	$(BIN)/python benchmarks/stats_bench.py
	$(BIN)/python benchmarks/error_rates.py

clean:
	rm -rf $(VENV) node_modules static/vendor
