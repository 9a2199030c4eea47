# TNE — the two commands of the quick start are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL run of the suite uses a throw-away local role and database (test_tne).
PG_TEST_URL ?= postgres://tne:tne@127.0.0.1:5432/tne
# Each run of the suite is bounded (CI has 90 minutes in all): past it pytest gets SIGINT and
# prints where it was before stopping. Single tests are bounded too (pyproject.toml).
PYTEST := timeout --signal=INT --kill-after=60 1800 $(BIN)/pytest -q -p no:cacheprovider --durations=5

.PHONY: help install demo serve test lint quality test-sqlite test-postgres test-both test-e2e bench bench-http clean

help:
	@echo "make demo   — installe, migre, charge le territoire de démonstration et sert TNE"
	@echo "make test   — lint, migrations, suite sur SQLite et PostgreSQL (côte à côte), puis tests de bout en bout"
	@echo "make bench  — mesures à l'échelle nationale (PostgreSQL), voir docs/benchmarks.md"

# Re-installs only when the lock or the project metadata changed.
$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 introuvable ($(PYTHON))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# WeasyPrint (the PDF documents) needs Pango and fonts from the system.
PDF_PACKAGES = libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
# The tests also read the PDFs back (pdftotext, pdffonts).
TEST_PACKAGES = $(PDF_PACKAGES) poppler-utils

install: $(STAMP)
	@scripts/ensure-debian-packages $(PDF_PACKAGES)

# The demo runs like production (DEBUG off, gunicorn + whitenoise) but on plain http on the
# loopback; its secret key is generated once into var/ (never committed).
DEMO_ENV = DEBUG=0 TNE_INSECURE_HTTP=1 TNE_LOG_FORMAT=text ALLOWED_HOSTS=127.0.0.1,localhost \
	SECRET_KEY="$$(cat var/secret_key)" TNE_DATA_KEYS="$$(cat var/data_keys)"

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

# The key that seals personal data at rest (tne.core.crypto), generated once like the secret.
var/data_keys: | install
	@mkdir -p var
	@$(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > $@
	@chmod 600 $@

demo: install var/secret_key var/data_keys
	$(DEMO_ENV) $(BIN)/tne migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/tne demo --serve --host $(HOST) --port $(PORT)

serve: install var/secret_key var/data_keys
	$(DEMO_ENV) $(BIN)/tne serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run

quality: lint

test-sqlite: install
	scripts/ensure-debian-packages $(TEST_PACKAGES)
	DEBUG=1 DATABASE_URL=sqlite:///:memory: $(PYTEST) -m "not e2e"

test-postgres: install
	scripts/ensure-debian-packages $(TEST_PACKAGES)
	scripts/ensure-postgres
	DEBUG=1 DATABASE_URL=$(PG_TEST_URL) $(PYTEST) -m "not e2e"

test-e2e: install
	scripts/ensure-debian-packages $(TEST_PACKAGES)
	scripts/ensure-chromium
	DEBUG=1 $(PYTEST) -m e2e

# The two engines' suites run side by side (one core each), then the browser tests.
test-both: install
	scripts/ensure-debian-packages $(TEST_PACKAGES)
	scripts/ensure-postgres
	scripts/run-suites "$(PYTEST)" $(PG_TEST_URL) -m "not e2e"

test: lint test-both test-e2e

bench: install
	scripts/ensure-postgres
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://tne:tne@127.0.0.1:5432/tne_bench} \
		DEBUG=1 $(BIN)/python bench/national.py $(BENCH_ARGS)

# The school list over HTTP through tne serve, at 10 and 50 connections, with and without slow
# clients (after `make bench`, on its database).
bench-http: install
	scripts/ensure-postgres
	$(BIN)/python bench/http_load.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static
