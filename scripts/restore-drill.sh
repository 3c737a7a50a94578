#!/usr/bin/env bash
# Restore drill: dump the database at DATABASE_URL, restore the dump into a new
# database, and check the copy: same row counts in the regulated tables, every
# migration applied, and the decision ledger's hash chains intact (ledger_verify).
# Run it on a schedule against a replica or a recent backup (docs/operations.md,
# "Backups and restore"); CI runs it at small scale
# (tests/test_restore_drill.py). Exit code 0 means the backup restores.
#
#   DATABASE_URL=postgres://user@host:5432/collections scripts/restore-drill.sh [DUMP]
#
# DUMP (optional): an existing pg_dump -Fc file to restore instead of a fresh dump.
# KEEP_COPY=1 keeps the restored database for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
: "${DATABASE_URL:?set DATABASE_URL to the postgres:// URL of the database to dump}"

source_db=$DATABASE_URL
copy_name="restore_drill_$(date +%Y%m%d%H%M%S)_$$"
server_url=${source_db%/*}
copy_db="$server_url/$copy_name"
work=$(mktemp -d)
dump=${1:-$work/collections.dump}

cleanup() {
  if [ "${KEEP_COPY:-0}" != 1 ]; then
    psql "$server_url/postgres" -qAtc "DROP DATABASE IF EXISTS \"$copy_name\" WITH (FORCE)" >/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${1:-}" ]; then
  echo "dumping the source database"
  pg_dump --format=custom --no-owner --file="$dump" "$source_db"
fi
echo "restoring into $copy_name"
psql "$server_url/postgres" -qAtc "CREATE DATABASE \"$copy_name\"" >/dev/null
pg_restore --no-owner --exit-on-error --dbname="$copy_db" "$dump"

# The regulated record: every row the source has, the copy has.
tables=(cases_customer cases_contactpoint cases_loan cases_payment cases_case
  compliance_decision compliance_contactattempt compliance_contactrestriction
  calls_calllog messaging_outboundmessage)
status=0
for table in "${tables[@]}"; do
  want=$(psql "$source_db" -qAtc "SELECT count(*) FROM $table")
  got=$(psql "$copy_db" -qAtc "SELECT count(*) FROM $table")
  if [ "$want" != "$got" ]; then
    echo "MISMATCH $table: source $want, copy $got"
    status=1
  else
    echo "ok $table: $got rows"
  fi
done

# Production settings against the copy. The PII keys below only satisfy the start-up
# check (core.E010): neither command decrypts anything (the chain covers no encrypted
# column). A drill that reads PII needs the source's keys in PII_KEYS and PII_HMAC_KEY.
copy_env=(DATABASE_URL="$copy_db" DEBUG=0 TESTING=0
  SECRET_KEY="${SECRET_KEY:-restore-drill-only}" ALLOWED_HOSTS=localhost
  PII_KEYS="${PII_KEYS:-drill:cmVzdG9yZS1kcmlsbC1vbmx5LW5vdC1hLXNlY3JldCE=}"
  PII_HMAC_KEY="${PII_HMAC_KEY:-cmVzdG9yZS1kcmlsbC1obWFjLW5vdC1hLXNlY3JldCE=}")

# The copy is a working database for this code: no migration missing.
env "${copy_env[@]}" "$BIN/python" manage.py migrate --check --noinput >/dev/null \
  && echo "ok migrations: all applied" \
  || { echo "MISMATCH migrations: the copy lacks some"; status=1; }

# The copy's decision ledger is the one that was written: every hash chain verifies
# against its head and its anchors (compliance.chain; issue 15, finding 3).
if env "${copy_env[@]}" "$BIN/python" manage.py ledger_verify >"$work/verify.txt" 2>&1; then
  echo "ok ledger_verify: $(tail -n 1 "$work/verify.txt")"
else
  sed 's/^/  /' "$work/verify.txt"
  echo "MISMATCH ledger_verify: the copy's decision chain is broken"
  status=1
fi

if [ "$status" = 0 ]; then echo "restore drill passed"; else echo "restore drill FAILED"; fi
exit "$status"
