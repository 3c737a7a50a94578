#!/usr/bin/env bash
# Production settings on this machine: gunicorn on 127.0.0.1, one Celery worker and
# one beat, against PostgreSQL and Redis (DATABASE_URL, REDIS_URL). `make run-prod`
# runs it; CI runs it through tests/test_prod_smoke.py. Ctrl-C (or SIGTERM) stops all.
#
# Needs: DATABASE_URL (postgres://...), REDIS_URL, SECRET_KEY, PII_KEYS, PII_HMAC_KEY. Optional: PORT (8000),
# VAR_DIR (var/prod), WEB_CONCURRENCY (2). Plain HTTP on loopback, so the HTTPS
# redirect and secure cookies are off unless the caller says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

: "${DATABASE_URL:?set DATABASE_URL to a postgres:// URL}"
: "${REDIS_URL:?set REDIS_URL to a redis:// URL}"
: "${SECRET_KEY:?set SECRET_KEY to a long random value}"
: "${PII_KEYS:?set PII_KEYS (docs/security.md, PII at rest)}"
: "${PII_HMAC_KEY:?set PII_HMAC_KEY (docs/security.md, PII at rest)}"
export DEBUG=0 TESTING=0
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0}
export SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-0}
export CSRF_COOKIE_SECURE=${CSRF_COOKIE_SECURE:-0}
export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
export VAR_DIR=${VAR_DIR:-var/prod}
export LOG_FORMAT=${LOG_FORMAT:-json}
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$VAR_DIR/metrics}
PORT=${PORT:-8000}

mkdir -p "$VAR_DIR"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput -v0

pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

"$BIN/celery" -A collections_app worker --loglevel=INFO --concurrency=2 \
  >"$VAR_DIR/worker.log" 2>&1 &
pids+=($!)
"$BIN/celery" -A collections_app beat --loglevel=INFO \
  --schedule "$VAR_DIR/celerybeat-schedule" >"$VAR_DIR/beat.log" 2>&1 &
pids+=($!)
"$BIN/gunicorn" collections_app.wsgi --bind "127.0.0.1:$PORT" \
  --workers "${WEB_CONCURRENCY:-2}" --access-logfile - --timeout 60 &
pids+=($!)
echo "Production stack on http://127.0.0.1:$PORT (logs in $VAR_DIR)."
wait -n "${pids[@]}"
