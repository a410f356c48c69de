# The two commands a newcomer needs: `make run` and `make test`.
PY ?= $(shell sh scripts/pickpy.sh)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv lint format css bench clean

# make run PORT=8001 when 8000 is taken: emailed links follow it.
PORT ?= 8000
RUN_ENV = DEBUG=$${DEBUG:-true} SERVICE_URL=$${SERVICE_URL:-http://127.0.0.1:$(PORT)}

# Two-factor sign-in is off for the demo users (settings allow that only with DEBUG on).
run: $(STAMP)
	mkdir -p var/celery-queue var/celery-processed var/celery-control var/private
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) TWO_FACTOR_REQUIRED=$${TWO_FACTOR_REQUIRED:-false} \
		PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho -f Procfile.dev start -p $(PORT)

test: $(STAMP)
	mkdir -p var/celery-queue var/celery-processed var/celery-control var/private
	$(BIN)/pytest

venv: $(STAMP)

# Rebuilt whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || test -n "$(PY)" || { echo "make: no Python 3.12 or newer to build $(VENV) with" >&2; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rebuilds the vendored GOV.UK and MOJ Frontend assets in static/ from the
# pinned npm packages. Only needed when upgrading them; the output is committed.
css:
	cd frontend && npm ci --no-audit --no-fund
	frontend/node_modules/.bin/sass --load-path=frontend --style=compressed --no-source-map --quiet-deps frontend/app.scss static/css/app.css
	rm -rf static/vendor && mkdir -p static/vendor/govuk-frontend/assets/images static/vendor/moj-frontend
	cp frontend/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js* static/vendor/govuk-frontend/
	cp frontend/node_modules/govuk-frontend/dist/govuk/assets/images/govuk-crest.svg static/vendor/govuk-frontend/assets/images/
	cp frontend/node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js* static/vendor/moj-frontend/
	cp frontend/node_modules/@ministryofjustice/frontend/moj/assets/images/icon-*.svg static/vendor/govuk-frontend/assets/images/
	mkdir -p tests/vendor && cp frontend/node_modules/axe-core/axe.min.js tests/vendor/

# Benchmarks at national scale (not part of `make test`): PostgreSQL at
# BENCH_DATABASE_URL (dropped and rebuilt), Redis, and Locust in its own
# virtualenv. Writes benchmarks/RESULTS.md. BENCH_ARGS="--skip-build" reuses
# the data of the last run.
LOAD_VENV := benchmarks/.venv-load
LOAD_STAMP := $(LOAD_VENV)/.installed

$(LOAD_STAMP): requirements-load.txt
	@test -x $(LOAD_VENV)/bin/python || test -n "$(PY)" || { echo "make: no Python 3.12 or newer to build $(LOAD_VENV) with" >&2; exit 1; }
	test -x $(LOAD_VENV)/bin/python || $(PY) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install -q -r requirements-load.txt
	touch $(LOAD_STAMP)

bench: $(STAMP) $(LOAD_STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
