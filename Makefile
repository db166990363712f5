# Alongside: everyday commands. GNU make; recipes run with /bin/sh.
#
#   make run     virtual environment, install, migrate SQLite, demo data, serve :8000
#   make test    the whole suite: ruff, then pytest (browser tests included)
#   make lint    ruff check + ruff format --check
#   make serve   production: migrate, cache table, static files, gunicorn (DATABASE_URL)
#   make loadtest  50 simulated people and a SIGKILL against gunicorn on PostgreSQL
#   make fmt     ruff's fixes and formatting, in place
#
# DATABASE_URL=postgres://... make test   runs the suite against PostgreSQL.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# -n 2: two xdist workers (the CI machine has two cores). Override, e.g.
#   make pytest PYTEST_ARGS="-x -n 0 alongside/referrals"
PYTEST_ARGS ?= -q -n 2
# SKIP_BROWSER=1 leaves out the browser tests (for a machine without Chromium).
SKIP_BROWSER ?=

ifeq ($(SKIP_BROWSER),1)
PYTEST_MARKS := -m "not browser"
else
PYTEST_MARKS :=
endif

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help install run test pytest lint fmt chromium pdf-libs test-postgres serve loadtest messages

help:
	@echo "make run            set up and serve the demo on http://127.0.0.1:8000"
	@echo "make test           lint + the whole test suite (SQLite, or DATABASE_URL)"
	@echo "make test-postgres  the test suite against a local PostgreSQL"
	@echo "make lint | fmt     ruff checks | ruff fixes and formatting"
	@echo "make serve          production server (gunicorn) on DATABASE_URL; docs/deployment.md"
	@echo "make loadtest       load test and kill test on a local PostgreSQL (about 3.5 minutes)"

install: $(STAMP)

# Reinstall only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The Spanish catalog compiled for Django: the .mo is built here, never committed, so it
# cannot drift from the .po (docs/translating.md). msgfmt is Debian's gettext package.
PO := alongside/locale/es/LC_MESSAGES/django.po
MO := alongside/locale/es/LC_MESSAGES/django.mo
messages: $(MO)
$(MO): $(PO)
	@sh scripts/ensure-gettext.sh
	msgfmt --check-format -o $(MO) $(PO)

# make run always uses SQLite under var/ (DATABASE_URL is ignored here), so demo
# accounts never land in a real database.
run: install messages
	env -u DATABASE_URL ALONGSIDE_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL ALONGSIDE_DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo "Alongside runs on http://127.0.0.1:8000/ (Ctrl-C stops it)"
	env -u DATABASE_URL ALONGSIDE_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

chromium:
ifneq ($(SKIP_BROWSER),1)
	@sh scripts/ensure-chromium.sh
endif

# Pango and a font for WeasyPrint (signed documents as PDF).
pdf-libs:
	@sh scripts/ensure-weasyprint-libs.sh

# Lint and tests both run, so one report shows everything; either failing fails.
test: install messages chromium pdf-libs
	@status=0; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory pytest || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see above)" >&2; fi; \
	exit $$status

# The test run alone. pytest's exit code 5 (no tests collected) is a failure.
pytest: install messages
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "pytest database: PostgreSQL at $$(printf '%s' "$$DATABASE_URL" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#')"; \
	else \
	  echo "pytest database: SQLite (in-memory test database)"; \
	fi
	@rc=0; $(BIN)/pytest $(PYTEST_ARGS) $(PYTEST_MARKS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make: pytest collected no tests; that counts as a failure" >&2; fi; \
	exit $$rc

test-postgres: install messages chromium pdf-libs
	@url=$$(sh scripts/ensure-postgres.sh) && DATABASE_URL="$$url" $(MAKE) --no-print-directory pytest

lint: install
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	exit $$status

fmt: install
	$(BIN)/ruff check --fix --exit-zero --quiet .
	$(BIN)/ruff format .

# Known vulnerabilities in the installed dependency set (pip-audit with PyPI's service; the
# project itself is left out). Where the service cannot be reached it says "COULD NOT AUDIT"
# and passes, unless ALONGSIDE_AUDIT_REQUIRED=1 (docs/development.md, CI, says why).
.PHONY: audit
audit: install
	@rc=0; $(BIN)/python scripts/audit-deps.py || rc=$$?; \
	if [ $$rc -eq 3 ] && [ "$${ALONGSIDE_AUDIT_REQUIRED:-0}" != 1 ]; then \
	  echo "make audit: not audited, not counted as a failure (ALONGSIDE_AUDIT_REQUIRED=1 would fail)" >&2; \
	  rc=0; \
	fi; \
	exit $$rc

# Production (docs/deployment.md): the schema and the cache table brought up to date, static
# files collected for WhiteNoise, then gunicorn (gunicorn.conf.py) in the foreground for a
# service manager. PostgreSQL only: several workers write at once.
serve: install
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
	  *) echo "make serve needs DATABASE_URL=postgres://... (make run is the SQLite demo)" >&2; \
	     exit 2;; esac
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --noinput -v0
	exec $(BIN)/gunicorn -c gunicorn.conf.py

# The load and kill tests (loadtests/run.py) need locust, an extra of its own. They create
# and drop a database alongside_load on the PostgreSQL of DATABASE_URL, else a local one.
loadtest: install
	@$(BIN)/python -c "import locust" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[dev,load]'
	@url="$$DATABASE_URL"; [ -n "$$url" ] || url=$$(sh scripts/ensure-postgres.sh) || exit 1; \
	$(BIN)/python loadtests/run.py --server "$$url" $(LOADTEST_ARGS)
