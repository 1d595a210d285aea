# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian packages: Chromium for the browser tests (tests/browser), Noto CJK fonts and Pango for
# WeasyPrint's PDFs, GNU gettext for the catalogue. Installed with apt-get when missing.
DEB_PACKAGES := chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 gettext

.PHONY: run test install system lint audit messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: system $(STAMP)

## Install the Debian packages that are missing (apt-get, with sudo unless root); never fails.
system:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  case "$$(dpkg-query -W -f='$${Status}' $$p 2>/dev/null)" in *" installed") ;; *) missing="$$missing $$p" ;; esac; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	hint="make: could not install Debian packages:$$missing (browser tests and PDFs will skip or fail); run: sudo apt-get install$$missing"; \
	if ! command -v apt-get >/dev/null 2>&1; then echo "$$hint"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else echo "$$hint"; exit 0; fi; \
	echo "installing Debian packages:$$missing"; \
	{ $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; } >/dev/null || \
	  echo "$$hint"

# `make run`'s Celery worker and beat: kombu's filesystem transport (messages are files under
# .run/celery/, no server), tasks sent to the worker rather than run eagerly. The web process keeps
# the embedded default (its own tasks run in process); beat's periodic tasks reach the worker.
RUN_DIR := .run
CELERY_RUN := CELERY_BROKER_URL=filesystem:// CELERY_TASK_ALWAYS_EAGER=false $(BIN)/celery -A config

## Install, migrate, load the demo data and serve http://127.0.0.1:$(PORT)/ (SQLite; `make run PORT=8100`
## for another port), with a Celery worker and beat in the background (log in .run/celery.log), stopped
## when runserver stops. The demo's log and the e-mails it sends go to .run/ (demo.log, mail/: EMAIL_URL
## names the file backend; the inbox at /notices/ shows each user's notices); the address and the demo
## logins are printed last, once the server answers.
PORT ?= 8000
RUN_ENV := EMAIL_URL=filemail:///$(RUN_DIR)/mail

run: install
	$(BIN)/python manage.py migrate --noinput
	mkdir -p $(RUN_DIR)/celery/queue $(RUN_DIR)/celery/control $(RUN_DIR)/mail
	@echo "Loading the demo data (its log in $(RUN_DIR)/demo.log, the e-mails it sends in $(RUN_DIR)/mail/)..."
	@$(RUN_ENV) $(BIN)/python manage.py load_demo --address http://127.0.0.1:$(PORT)/ > $(RUN_DIR)/demo.log 2>&1 || \
	  { tail -n 40 $(RUN_DIR)/demo.log; echo "load_demo failed: $(RUN_DIR)/demo.log has its whole log"; exit 1; }
	@trap 'kill $$worker $$server 2>/dev/null; wait $$worker $$server 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(CELERY_RUN) --quiet worker --beat --pool=solo --loglevel=INFO --logfile=$(RUN_DIR)/celery.log & worker=$$!; \
	echo "Celery worker and beat started (pid $$worker), logging to $(RUN_DIR)/celery.log"; \
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
	$(BIN)/python manage.py demo_logins --address http://127.0.0.1:$(PORT)/ --wait 60; \
	wait $$server

## Install and run the whole test suite on both cores (SQLite by default; DATABASE_URL and REDIS_URL for PostgreSQL and Redis).
test: install audit
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## bandit over the project's code (findings resolved or justified inline, `# nosec BXXX # reason`), and
## pip-audit over the installed packages: it needs its vulnerability database on the network, and
## says "dependency audit SKIPPED" where it cannot reach it (tools/audit_dependencies.py).
audit: install
	$(BIN)/bandit -c pyproject.toml -q -r .
	$(BIN)/python tools/audit_dependencies.py

## Refresh the Chinese catalogue after changing strings (needs GNU gettext), then compile it.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv
