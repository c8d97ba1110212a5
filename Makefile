# Two commands for a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP := $(BIN)/python -m pip

.PHONY: backup restore scale-out worker run test install install-dev lint format migrations messages bench bench-reset clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Serve the portal on http://127.0.0.1:$(PORT) (SQLite file by default, DATABASE_URL when set).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrap
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Run the whole test suite (PostgreSQL when DATABASE_URL is set, else SQLite), in TEST_WORKERS processes
## (pytest-xdist; default one per core, TEST_WORKERS=0 runs in this process).
TEST_WORKERS ?= auto
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

## Rebuild the translation catalogues and their compiled .mo files (needs GNU gettext).
messages: install-dev
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

## Benchmark at 100,000 cooperatives on PostgreSQL (see docs/performance.md). BENCH_ARGS="--load" adds the load run;
## BENCH_ARGS="--relevance" measures only search relevance, "--relevance --sqlite FILE" on a SQLite demo registry.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
bench: install-dev
	@psql "$(BENCH_DATABASE_URL)" -c "select 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres portal_bench
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run $(BENCH_ARGS)

# Drop the benchmark database (the next `make bench` rebuilds the data set).
bench-reset:
	dropdb --if-exists -h 127.0.0.1 -U postgres portal_bench

## Run a Celery worker with the beat schedule (needs REDIS_URL or CELERY_BROKER_URL; see README).
worker: install
	$(BIN)/celery -A portal worker --beat --loglevel=INFO

## Back up the database (pg_dump, custom format) and MEDIA_ROOT / PRIVATE_MEDIA_ROOT into BACKUP_DIR (default
## backups/<time>; docs/operations.md, "Backup and restore"). Needs DATABASE_URL (PostgreSQL).
backup: install
	$(BIN)/python manage.py backup_portal $(BACKUP_DIR)

## Restore BACKUP_DIR into DATABASE_URL (replaces it), then the files, and clear the cache. Stop the app servers first.
restore: install
	@test -n "$(BACKUP_DIR)" || { echo "make restore BACKUP_DIR=backups/<time>"; exit 2; }
	$(BIN)/python manage.py restore_portal $(BACKUP_DIR) --yes

## Requests per second of one app server against two behind nginx, on DATABASE_URL's data (docs/performance.md).
scale-out: install-dev
	$(BIN)/python -m bench.scale_out $(SCALE_OUT_ARGS)
