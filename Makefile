# Rapport — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip
RAPPORT := $(BIN)/rapport
DEMO_CONTACTS ?= 2000
DEMO_SEED ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK=1

.PHONY: demo test install frontend messages lint bench clean test-postgres test-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Python dependencies, pinned by constraints.txt; re-run when pyproject or constraints change.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed frontend messages

# Compiled translations are build products: made from the committed .po files by Babel.
messages: $(VENV)/.installed
	$(BIN)/pybabel compile -d locale -D django

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend: node_modules/.installed

demo: install
	$(RAPPORT) migrate --noinput
	$(RAPPORT) collectstatic --noinput -v 0
	$(RAPPORT) demo --contacts $(DEMO_CONTACTS) --seed $(DEMO_SEED) --if-empty
	$(RAPPORT) serve --with-worker

# Debian packages the tests drive for real: redis-server, xgettext to check the catalogue,
# chromium for the browser tests (Playwright drives it; no browser is downloaded), Pango and the
# Noto CJK fonts for WeasyPrint's quote PDFs, and poppler-utils to read those PDFs back.
test-deps:
	@command -v redis-server >/dev/null && command -v xgettext >/dev/null && command -v chromium >/dev/null && command -v pdftotext >/dev/null && fc-list :lang=zh | grep -q . || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server gettext chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk poppler-utils >/dev/null)

test: install test-deps
	$(BIN)/pytest -n 2 -q

test-postgres: install
	bash .ci/test-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check rapport config tests bench conftest.py
	$(BIN)/mypy rapport config

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules var
