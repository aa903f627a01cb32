# Charter: `make run` sets up and starts everything with demo data; `make test` sets up and runs the checks.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test setup system-deps test-deps migrate messages demo lint typecheck pytest screenshots bench bench-cases bench-assessment bench-training bench-dashboard clean

# Debian packages, installed when missing (as root, or with sudo): GNU gettext compiles and checks the
# translation catalogues; a CJK font (WenQuanYi Micro Hei) is embedded in the PDFs Charter prints (training
# certificates); the tests also need Dovecot, the real IMAP server the mail tests fetch from (they start
# their own on a free local port), and Redis (the worker tests start their own redis-server, unless
# CHARTER_TEST_REDIS_URL names one). Backup and restore on PostgreSQL need its client (pg_dump, pg_restore).
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(1) >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $(1) >/dev/null; fi
system-deps:
	@if ! command -v msgfmt >/dev/null || ! command -v xgettext >/dev/null; then \
	  echo "Installing GNU gettext (msgfmt, xgettext)…"; $(call APT_INSTALL,gettext); fi
	@if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  echo "Installing a CJK font for PDFs (fonts-wqy-microhei)…"; $(call APT_INSTALL,fonts-wqy-microhei); fi
	@if ! command -v pg_dump >/dev/null || ! command -v pg_restore >/dev/null; then \
	  echo "Installing the PostgreSQL client (pg_dump, pg_restore: manage.py backup and restore)…"; \
	  $(call APT_INSTALL,postgresql-client); fi

# The browser tests drive Debian's Chromium (Playwright never downloads a browser of its own here) and need a
# CJK font, or Chinese pages render as empty boxes in screenshots.
test-deps: system-deps
	@if [ ! -x /usr/sbin/dovecot ]; then \
	  echo "Installing Dovecot (IMAP server for the mail tests)…"; $(call APT_INSTALL,dovecot-imapd); fi
	@if ! command -v redis-server >/dev/null; then \
	  echo "Installing Redis (the worker's Redis queue tests start their own redis-server)…"; \
	  $(call APT_INSTALL,redis-server); fi
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk'; then \
	  echo "Installing Chromium and a CJK font (browser tests)…"; $(call APT_INSTALL,chromium fonts-wqy-microhei); fi
	@if ! command -v pdftotext >/dev/null; then \
	  echo "Installing poppler-utils (the training journey reads a certificate PDF's text)…"; \
	  $(call APT_INSTALL,poppler-utils); fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: system-deps $(STAMP)
	@mkdir -p var/static

messages: setup
	@$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v 0

migrate: setup
	$(BIN)/python manage.py migrate --no-input -v 0

demo: migrate messages
	$(BIN)/python manage.py load_demo

# Web server and Huey worker together; Ctrl-C stops both. Both are told the address the server answers on
# (unless CHARTER_SITE_URL says otherwise), so the links the worker mails point at it: PORT=8100 make run.
run: demo
	@echo "Charter:  http://127.0.0.1:$(PORT)/   contact: /cases/new/   desk: /desk/   API docs: /api/docs/   health: /healthz"
	@export CHARTER_SITE_URL="$${CHARTER_SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	  trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python manage.py run_huey --quiet & \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & \
	  wait

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# Strict for the product; the tests are checked too, their functions need not be annotated (pyproject.toml).
typecheck: setup
	$(BIN)/mypy charter tests

# The browser suite commits the demo organisation to a database of its own, so it runs as a second pytest run.
pytest: setup test-deps messages
	$(BIN)/python manage.py makemigrations --check --dry-run -v 1
	$(BIN)/pytest -q
	$(BIN)/pytest -q tests/browser

# PNGs of the main pages, both languages, 1280 and 390 px wide, in docs/screenshots/.
screenshots: setup test-deps messages
	CHARTER_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser/test_screenshots.py

test: lint typecheck pytest

bench: demo
	$(BIN)/python -m bench.run

# Cases at scale: CASES=1000000 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_bench make bench-cases
CASES ?= 100000
bench-cases: setup messages
	$(BIN)/python -m bench.cases --cases $(CASES)

# Opening a monthly assessment cycle (issue 14): STAFF over CASES, e.g. with CASES=1000000 and
# BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_bench_assessment
STAFF ?= 500
bench-assessment: setup messages
	$(BIN)/python -m bench.assessment --cases $(CASES) --staff $(STAFF)

# Publishing a code version assigns its course to every staff member (issue 15: 5,000 within 30 s), e.g. with
# BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_bench_training
TRAINING_STAFF ?= 5000
bench-training: setup messages
	$(BIN)/python -m bench.training_assign --staff $(TRAINING_STAFF)

# The management dashboard (issue 17: p95 <= 300 ms at 1,000,000 cases), its rollups' backfill and refresh, on
# the database bench-cases seeded: CASES=1000000 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_bench
# make bench-dashboard (BENCH_REUSE= seeds a new one first)
BENCH_REUSE ?= --reuse
bench-dashboard: setup messages
	$(BIN)/python -m bench.dashboard --cases $(CASES) $(BENCH_REUSE)

# Scale-out, shown (issue 17): two gunicorn processes and two Huey workers on PostgreSQL and Redis under intake
# load with a backlog of SLA warnings; checks that each warning, breach and mail happens once and no intake is
# lost, and compares throughput with one web process and two. Drops and creates the database charter_scale
# (SCALE_PG=postgres://postgres@127.0.0.1:5432) and empties Redis database 7 (SCALE_REDIS_URL).
.PHONY: scale-demo
SCALE_SECONDS ?= 20
SCALE_BACKLOG ?= 300
scale-demo: setup messages
	$(BIN)/python -m bench.scale_demo --seconds $(SCALE_SECONDS) --backlog $(SCALE_BACKLOG)

clean:
	rm -rf $(VENV) var
