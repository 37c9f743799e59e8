# The two quick-start commands: `make demo` (set up and run the demo) and `make test` (set up and run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DB_URL ?=

.PHONY: demo test test-fast test-deps setup lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/netral demo

# Everything the full suite needs beyond Python packages (Debian's Chromium, the npm Bluesky network).
test-deps: $(STAMP)
	bash scripts/install-test-deps.sh

# Fast suite then slow end-to-end tests, on SQLite and, when TEST_DB_URL/NETRAL_TEST_DATABASE_URL is set, PostgreSQL.
test: test-deps
	bash scripts/run-tests.sh

test-fast: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
