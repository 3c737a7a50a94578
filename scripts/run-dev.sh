#!/usr/bin/env bash
# Runs the web server and one Celery worker with beat; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var
"$BIN/celery" -A collections_app worker --beat --loglevel=INFO --concurrency=2 \
  --schedule var/celerybeat-schedule >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
echo "Celery worker with beat started (pid $worker, log: var/worker.log)."
echo "Open http://127.0.0.1:8000/ ; demo logins are listed in README.md."
"$BIN/python" manage.py runserver 127.0.0.1:8000
