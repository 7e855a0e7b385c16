# Two commands on a fresh machine with Python 3.11+ and make:
#   make run    create .venv, install, migrate the SQLite default, serve on :8000
#   make test   install, run the tests on SQLite and (when reachable) PostgreSQL
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The PostgreSQL server the second test run uses. Set TEST_DATABASE_URL to require
# it (make test then fails if it is unreachable); otherwise the local default is
# tried and the PostgreSQL run is skipped with a warning if nothing answers.
PG_DEFAULT := postgresql://postgres@127.0.0.1:5432/test

.PHONY: install browser run test test-sqlite test-postgres lint format demo bench bench-tools bench-ingest clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The browser tests use Debian's Chromium; install it when we can (root or sudo),
# otherwise they are skipped with a message saying how.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then \
	    if [ "$$(id -u)" = 0 ]; then S=""; elif command -v sudo >/dev/null; then S="sudo -n"; else S=none; fi; \
	    if [ "$$S" != none ]; then \
	        echo "installing chromium for the browser tests"; \
	        $$S apt-get install -y -qq chromium fonts-dejavu-core >/dev/null 2>&1 || \
	        { $$S apt-get update -qq && $$S apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; } || \
	        echo "WARNING: could not install chromium; browser tests will be skipped"; \
	    fi; \
	fi

run: $(STAMP)
	$(BIN)/sipas db upgrade
	$(BIN)/sipas serve --host $(HOST) --port $(PORT)

test: test-sqlite test-postgres

test-sqlite: $(STAMP) browser
	TEST_DATABASE_URL= $(BIN)/pytest

test-postgres: $(STAMP) browser
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	    $(BIN)/pytest; \
	elif $(BIN)/python -c 'import psycopg,sys; psycopg.connect("$(PG_DEFAULT)", connect_timeout=3).close()' 2>/dev/null; then \
	    TEST_DATABASE_URL=$(PG_DEFAULT) $(BIN)/pytest; \
	else \
	    echo "WARNING: no PostgreSQL at $(PG_DEFAULT); PostgreSQL tests skipped (set TEST_DATABASE_URL)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app analysis tests
	$(BIN)/sipas questionnaires check

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: $(STAMP)
	$(BIN)/sipas db upgrade
	$(BIN)/sipas demo

# What the benchmarks drive the service with: wrk (HTTP load) and pgbench (the
# PostgreSQL baseline), from Debian packages; installed when we can (root or sudo).
bench-tools:
	@for tool in wrk:wrk pgbench:postgresql-client; do \
	    cmd=$${tool%%:*}; pkg=$${tool##*:}; \
	    if ! command -v $$cmd >/dev/null; then \
	        if [ "$$(id -u)" = 0 ]; then S=""; elif command -v sudo >/dev/null; then S="sudo -n"; else S=none; fi; \
	        if [ "$$S" = none ]; then echo "$$cmd is missing: apt-get install $$pkg"; exit 1; fi; \
	        echo "installing $$pkg for the benchmarks"; \
	        $$S apt-get install -y -qq $$pkg >/dev/null 2>&1 || \
	        { $$S apt-get update -qq && $$S apt-get install -y -qq $$pkg >/dev/null; }; \
	    fi; \
	done

# Ingest through `sipas serve --workers 2` against a bare insert and pgbench (docs/benchmarks.md).
bench-ingest: $(STAMP) bench-tools
	$(BIN)/python -m bench.ingest $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.db var/*.db-* var/*.result
