# PRB — one command to run the demo, one to run the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install system-deps test-deps run test lint format diagram screenshots audit bench clean

# The virtual environment is rebuilt whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Debian packages for PDF rendering and the PDF tests (installed only when missing)
system-deps:
	.ci/system-deps

## Test tools outside Python: Debian's Chromium (end-to-end tests), axe-core and Lighthouse from npm
test-deps: system-deps
	.ci/system-deps chromium
	command -v npm >/dev/null || .ci/system-deps nodejs npm
	test -f node_modules/axe-core/axe.min.js -a -x node_modules/.bin/lighthouse \
		|| npm ci --no-audit --no-fund --silent

## make run: install, build the SQLite database from the migrations, load the demo, serve
## the web pages and run the background worker (reports, deadlines) beside them
run: system-deps install
	$(BIN)/prb db upgrade
	$(BIN)/prb demo
	@echo "PRB is on http://$(HOST):$(PORT)/ with its worker beside it (Ctrl-C stops both)"
	$(BIN)/prb worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	PRB_SESSION_COOKIE_SECURE=false PRB_TWO_STEP_ROLES= PRB_SHOW_MAIL=true $(BIN)/prb run --host $(HOST) --port $(PORT)

## make test: lint, then the whole suite (SQLite; PostgreSQL too when PRB_TEST_DATABASE_URL is set)
test: test-deps install lint
	$(BIN)/pytest

## make screenshots: refresh docs/screenshots/ (dashboards per role, a meeting, the minutes)
screenshots: test-deps install
	PRB_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/e2e/test_screenshots.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make diagram: rewrite the lifecycle diagram in README.md from workflows/
diagram: install
	$(BIN)/python -m workflows.readme README.md

## make audit: Lighthouse (accessibility, best practices) on every main page for every role,
## desktop and mobile, on the demo; fails unless every score is 100 (ARGS="--only board" narrows)
audit: test-deps install
	$(BIN)/python -m tests.audit.lighthouse $(ARGS)

## make bench: the load benchmark (not part of the tests); SIZES and BACKENDS can be narrowed
SIZES    ?= 1000 10000 100000
BACKENDS ?= sqlite postgresql
bench: system-deps install
	.ci/system-deps wrk
	$(BIN)/python -m benchmarks.run --sizes $(SIZES) --backends $(BACKENDS)
	$(BIN)/python -m benchmarks.readme

clean:
	rm -rf $(VENV) instance build dist *.egg-info .pytest_cache .ruff_cache node_modules
