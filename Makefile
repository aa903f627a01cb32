# Charter: `make run` sets up and starts everything with demo data; `make test` sets up and runs the checks.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test setup system-deps test-deps migrate messages demo lint typecheck pytest bench bench-cases clean

# Debian packages, installed when missing (as root, or with sudo): GNU gettext compiles and checks the
# translation catalogues; the tests also need Dovecot, the real IMAP server the mail tests fetch from (they
# start their own on a free local port).
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(1) >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $(1) >/dev/null; fi
system-deps:
	@if ! command -v msgfmt >/dev/null || ! command -v xgettext >/dev/null; then \
	  echo "Installing GNU gettext (msgfmt, xgettext)…"; $(call APT_INSTALL,gettext); fi

test-deps: system-deps
	@if [ ! -x /usr/sbin/dovecot ]; then \
	  echo "Installing Dovecot (IMAP server for the mail tests)…"; $(call APT_INSTALL,dovecot-imapd); fi

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

# Web server and Huey worker together; Ctrl-C stops both.
run: demo
	@echo "Charter:  http://127.0.0.1:$(PORT)/   contact: /cases/new/   desk: /desk/   API docs: /api/docs/   health: /healthz"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python manage.py run_huey --quiet & \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & \
	  wait

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy charter

pytest: setup test-deps messages
	$(BIN)/python manage.py makemigrations --check --dry-run -v 1
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: demo
	$(BIN)/python -m bench.run

# Cases at scale: CASES=1000000 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter_bench make bench-cases
CASES ?= 100000
bench-cases: setup messages
	$(BIN)/python -m bench.cases --cases $(CASES)

clean:
	rm -rf $(VENV) var
