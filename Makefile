# Acompaña — the two doors: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install python-deps browser-deps translations run serve test lint format bench bench-quick loadtest messages clean

help:
	@echo "make run    install everything, migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test   install everything, then lint, checks and the whole test suite"
	@echo "make lint   ruff check and format check"
	@echo "make bench  pages with 10,000 people, page weight on a slow link, H5P statement ingest, certificate PDFs and pool exports (bench/results/)"
	@echo "make loadtest  gunicorn + PostgreSQL + Redis under 10, 50 and 200 Locust users: a mix, then each page alone (bench/results/)"
	@echo "make bench-quick  every benchmark with small data in a few minutes; fails when a page errors (CI runs it)"

# --- Installing -------------------------------------------------------------------------------
# Browser packages install with --ignore-scripts: no third-party install script ever runs.
# uv is bootstrapped with pip inside the project's virtual environment, then installs the
# locked dependencies (uv.lock) into that same environment. uv stays listed in the dev group
# so that `uv sync` keeps it.
$(UV):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

python-deps: $(UV)
	$(UV) sync --frozen --quiet

browser-deps:
	@if [ -f package-lock.json ]; then \
		if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
			npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
		fi; \
	fi

translations: python-deps
	@command -v msgfmt >/dev/null || { \
		echo "gettext (msgfmt) is missing; installing Debian's gettext package."; \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq gettext >/dev/null || \
			{ apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }; \
		else echo "Please install gettext (e.g. sudo apt-get install gettext)."; exit 1; fi; }
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0

install: python-deps browser-deps translations

# --- Door one: run ----------------------------------------------------------------------------
# The site and its H5P origin follow HOST and PORT (H5P is the same server under "localhost").
run: export ACOMPANA_PLATFORM_ORIGIN ?= http://$(HOST):$(PORT)
run: export H5P_ORIGIN ?= http://localhost:$(PORT)
run: install
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) seed_demo
	@$(MANAGE) demo_logins --address $(HOST):$(PORT)
	$(MANAGE) runserver $(HOST):$(PORT)

# --- Door two: test ---------------------------------------------------------------------------
# pytest exits 5 when it collected no test: that is a failure here, never a silent success.
# The whole suite runs in two pytest processes side by side (2 cores): the browser journeys
# (tests/browser: Chromium and a live server) and everything else. The browser half has its own
# test database (DATABASE_URL's name + "_browser") and writes its report to
# test-artifacts/browser-tests.log, printed when both are done; either failing fails the run.
# With PYTEST_ARGS (a selection), one pytest runs it as given.
BROWSER_LOG := test-artifacts/browser-tests.log
test: install lint
	DJANGO_SETTINGS_MODULE=training.settings.test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=training.settings.test $(MANAGE) makemigrations --check --dry-run -v1
ifneq ($(strip $(PYTEST_ARGS)),)
	@set +e; $(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing."; exit 1; fi; \
	exit $$status
else
	@set +e; mkdir -p $(dir $(BROWSER_LOG)); \
	browser_db=$$(printf '%s' "$$DATABASE_URL" | sed -E 's#(/[^/?]+)(\?|$$)#\1_browser\2#'); \
	echo "Browser journeys (tests/browser) run beside the rest; their report: $(BROWSER_LOG)"; \
	( if [ -n "$$DATABASE_URL" ]; then export DATABASE_URL=$$browser_db; fi; \
	  exec $(VENV)/bin/pytest tests/browser -p no:cacheprovider ) > $(BROWSER_LOG) 2>&1 & \
	browser_pid=$$!; \
	trap 'kill -TERM $$browser_pid 2>/dev/null; wait $$browser_pid; exit 130' INT TERM; \
	$(VENV)/bin/pytest --ignore=tests/browser; status=$$?; \
	wait $$browser_pid; browser_status=$$?; \
	echo; echo "== tests/browser (run beside the rest)"; cat $(BROWSER_LOG); \
	for s in $$status $$browser_status; do \
		if [ $$s -eq 5 ]; then echo "pytest collected no tests: failing."; exit 1; fi; \
		if [ $$s -ne 0 ]; then exit $$s; fi; \
	done
endif

lint: python-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: python-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# --- Benchmarks -------------------------------------------------------------------------------
# Every part on PostgreSQL (acompana_bench, created if missing) unless BENCH_DATABASE_URL says
# otherwise; bench/run.py alone defaults to SQLite (bench/bench.sqlite3). See bench/README.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/acompana_bench
bench: export BENCH_DATABASE_URL := $(BENCH_DATABASE_URL)
bench: install
	$(PY) bench/run.py
	$(PY) bench/page_weight.py
	BENCH_INGEST_RATE=300 $(PY) bench/ingest.py
	BENCH_INGEST_RATE=0 $(PY) bench/ingest.py
	$(PY) bench/certification.py

# Every scenario and every bench script with small data and few iterations, on its own database
# (acompana_bench_quick) and Redis databases (4 and 11); fails when a scenario errors or a page
# answers anything but 200; timing targets are reported, never enforced. bench/quick.py runs the
# four scripts, the database prepared once, and prints a timing summary. Run by .ci/run.
BENCH_QUICK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/acompana_bench_quick
bench-quick: export BENCH_QUICK := 1
bench-quick: export BENCH_DATABASE_URL := $(BENCH_QUICK_DATABASE_URL)
bench-quick: install
	$(PY) bench/quick.py

# A real server (production settings) under Locust; 6-7 minutes. See bench/README.md.
loadtest: install
	$(PY) bench/loadtest.py

# --- Translations: regenerate the catalogues after changing strings ----------------------------
messages: python-deps
	$(MANAGE) makemessages -l es -l pt_BR -l fr -l id -l ar --ignore=.venv --ignore=node_modules --ignore=bench --ignore=tests --ignore=test-artifacts --ignore=staticfiles --ignore=media --ignore=private --no-obsolete

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache db.sqlite3 db.sqlite3-wal db.sqlite3-shm test.sqlite3 test.sqlite3-wal test.sqlite3-shm
