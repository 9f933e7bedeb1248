# The two commands a newcomer needs: `make run` and `make test`. Both need only python3 (3.11+).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint schema

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## Run the service in embedded mode (SQLite, eager Celery) with demo data, on http://127.0.0.1:8000
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	TILLIT_WATCHLIST_RETRIES=$${TILLIT_WATCHLIST_RETRIES:-1} TILLIT_WATCHLIST_TIMEOUT=$${TILLIT_WATCHLIST_TIMEOUT:-20} $(PY) manage.py demo_setup
	$(PY) manage.py runserver 127.0.0.1:8000

## Run the whole test suite (SQLite and eager Celery unless DATABASE_URL / CELERY_BROKER_URL are set)
test: $(STAMP)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

schema: $(STAMP)
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
