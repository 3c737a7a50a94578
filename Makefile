# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run run-prod test lint format messages bench bench-needs-postgres clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Web server on 127.0.0.1:8000 plus a Celery worker with beat, on demo data.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=1 $(BIN)/python manage.py run_escalation
	DEBUG=1 bash scripts/run-dev.sh

## Production settings on this machine: gunicorn, a worker and beat, against
## PostgreSQL and Redis (DATABASE_URL, REDIS_URL, SECRET_KEY); docs/operations.md.
run-prod: install
	bash scripts/run-prod.sh

## The whole test suite (SQLite unless DATABASE_URL / REDIS_URL say otherwise).
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

## ruff (lint and format check) and the layering contract in .importlinter.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Rebuild the translation catalogues (needs gettext); the compiled .mo files are committed.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'var/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore '.venv/*'

## The escalation sweep benchmark (docs/escalation.md, "Benchmarks") on the PostgreSQL
## database in DATABASE_URL, which it fills with a generated portfolio: use a database of
## its own. Arguments go in BENCH_ARGS, e.g. BENCH_ARGS="--loans 100000 --reuse".
bench: bench-needs-postgres install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	$(BIN)/python -m bench.sweep_bench $(BENCH_ARGS)

bench-needs-postgres:
	@case "$$DATABASE_URL" in \
	  postgres://*|postgresql://*|pgsql://*) ;; \
	  *) echo "make bench: set DATABASE_URL to a PostgreSQL database of its own, e.g." \
	       "DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_sweepbench" \
	       "(createdb it first; see docs/escalation.md, Benchmarks)." >&2; exit 1;; \
	esac

clean:
	rm -rf $(VENV) var/db.sqlite3* var/broker
