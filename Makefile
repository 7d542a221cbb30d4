# Biržai VMS — one-command runs. GNU make; Debian/Ubuntu; Python 3.11.
#
#   make demo     everything on this machine: SQLite, a private Redis, 24 simulated cameras
#   make test     lint, checks and the test suite against PostgreSQL and Redis on 127.0.0.1
#
# See README.md for what each target needs.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

# Tests: PostgreSQL and a Redis database the tests may flush. Override on the command line or in the
# environment. The demo does not use these (it runs on SQLite unless DATABASE_URL is set).
TEST_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/birzai_vms)
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
PYTEST_ARGS ?=
# Benchmarks `make bench` runs, in order; add a script here (or pass BENCHES="bench/x.py ...").
BENCHES ?= bench/recording.py bench/scale.py bench/dashboard.py bench/retention.py bench/export.py bench/reports.py

TEST_ENV := VMS_MODE=test DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(TEST_REDIS_URL)' \
	TEST_REDIS_URL='$(TEST_REDIS_URL)'

.PHONY: help venv venv-dev static-vendor system-packages-demo system-packages-test demo test check-services bench \
	lint format clean distclean

help:
	@echo "make demo     run the whole system with 24 simulated cameras (http://127.0.0.1:8000/admin/)"
	@echo "              DEMO_FIELD_CAMERAS=1 make demo adds one camera of every other kind (h265, mjpeg, ...)"
	@echo "make test     lint + Django checks + pytest against PostgreSQL and Redis on 127.0.0.1"
	@echo "              (PYTEST_ARGS='-k lease -x' passes arguments to pytest)"
	@echo "make bench    recording benchmarks ($(BENCHES))"
	@echo "make lint     ruff check + ruff format --check + lint-imports (the app layers)"
	@echo "make format   ruff format + ruff check --fix"
	@echo "make venv     create .venv with the runtime requirements"
	@echo "make clean    remove caches and generated static files (keeps var/: demo database, recordings)"

# --- Python virtualenv -------------------------------------------------------------------------------
$(PY):
	@if [ -z "$(PYTHON)" ]; then echo "ERROR: no python3.11 or python3 on PATH; install Python 3.11." >&2; exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
		echo "ERROR: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); Python 3.11 is needed (PYTHON=/path/to/python3.11 make ...)." >&2; exit 1; }
	@echo "Creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV) || { \
		echo "ERROR: '$(PYTHON) -m venv' failed; on Debian/Ubuntu install python3-venv (or python3.11-venv)." >&2; \
		rm -rf $(VENV); exit 1; }

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@ $(RUNTIME_STAMP)

venv: $(RUNTIME_STAMP) static-vendor
venv-dev: $(DEV_STAMP)

# --- System packages (apt; skipped when already installed) ------------------------------------------
system-packages-demo:
	@scripts/install-system-packages.sh demo

system-packages-test:
	@scripts/install-system-packages.sh test

# --- Demo ---------------------------------------------------------------------------------------------
# hls.js, Leaflet and Chart.js, pinned, from the npm registry into static/vendor/ (committed; npm needed only if absent)
static-vendor:
	@scripts/vendor-static.sh

demo: system-packages-demo venv
	$(PY) scripts/demo.py

# --- Tests --------------------------------------------------------------------------------------------
check-services: venv-dev
	@DATABASE_URL='$(TEST_DATABASE_URL)' TEST_REDIS_URL='$(TEST_REDIS_URL)' $(PY) scripts/check-services.py

test: system-packages-test venv-dev static-vendor check-services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# --- Benchmarks ---------------------------------------------------------------------------------------
# Rough durations on the 2-core development machine, printed before the run (each bench prints its progress).
BENCH_MINUTES := bench/recording.py=13 bench/scale.py=20 bench/dashboard.py=5 bench/retention.py=60 bench/export.py=6 bench/reports.py=10

bench: system-packages-demo venv
	@total=0; for b in $(BENCHES); do m=$$(echo "$(BENCH_MINUTES)" | tr ' ' '\n' | sed -n "s|^$$b=||p"); \
		echo "  $$b: about $${m:-?} min"; total=$$((total + $${m:-0})); done; \
		echo "make bench: about $$total min in all; results in bench/results/"
	@n=0; for b in $(BENCHES); do n=$$((n + 1)); echo "== [$$n/$(words $(BENCHES))] $$b ($$(date +%H:%M))"; $(PY) "$$b" || exit 1; done

# --- Code style ---------------------------------------------------------------------------------------
lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: venv-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# --- Cleaning -----------------------------------------------------------------------------------------
clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache test-results var/staticfiles var/run

distclean: clean
	rm -rf $(VENV)
