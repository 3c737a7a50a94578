# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run run-prod test lint format messages bench bench-smoke clean

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

## The benchmark suite (bench/run.py, README "Benchmarks"): every benchmark at the
## reference scale, three runs each, a row per headline figure in bench/results.md. Each
## benchmark gets its own database next to BENCH_DATABASE_URL on the local PostgreSQL.
## More arguments in BENCH_ARGS, e.g. BENCH_ARGS="--scale 0.1 --only sweep,gate".
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/collections_bench
bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run --scale 1 --runs 3 $(BENCH_ARGS)

## Every benchmark at scale 0.001, two runs, in a minute or two (.ci/run calls it): the
## benchmarks never rot. Its rows go to var/bench/, not bench/results.md.
bench-smoke: install
	mkdir -p var/bench
	BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_benchsmoke \
	  $(BIN)/python -m bench.run --scale 0.001 --runs 2 \
	  --results var/bench/smoke-results.md --log var/bench/smoke.log

clean:
	rm -rf $(VENV) var/db.sqlite3* var/broker
