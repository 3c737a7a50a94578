"""Compliance gate benchmark: single-check p95 and batch decisions per second.

Builds (once) a ledger of `--ledger-rows` contact attempts over `--customers` customers
in PostgreSQL with set-based SQL (INSERT ... SELECT generate_series), then measures
`contact_evaluate` latency and `contact_evaluate_many` throughput. Targets (DESIGN.md
section 9): p95 ≤ 5 ms with the full ledger; ≥ 30,000 decisions/s in batch.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_bench \\
        .venv/bin/python -m bench.compliance_bench --ledger-rows 1000000

The bench's rows carry the reference prefix BENCH- and are rebuilt when the requested
sizes change (or with --rebuild); other data in the database is left alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

from bench.portfolio import ledger_unprotected, pii_keys_default, points_encrypt

PREFIX = "BENCH-"
RESULTS = Path(__file__).resolve().parent / "results" / "compliance.json"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_app.settings")
    # A throwaway key for this process only: the bench never serves requests.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    pii_keys_default()
    import django

    django.setup()


def _build(cursor, *, customers: int, ledger_rows: int, days: int) -> None:
    print(f"building {customers:,} customers and {ledger_rows:,} ledger rows ...")
    started = time.perf_counter()
    with ledger_unprotected():
        cursor.execute(
            """
            DELETE FROM compliance_contactattempt
            WHERE customer_id IN (SELECT id FROM cases_customer WHERE reference LIKE %s)
            """,
            [PREFIX + "%"],
        )
    cursor.execute(
        """
        DELETE FROM cases_contactpoint
        WHERE customer_id IN (SELECT id FROM cases_customer WHERE reference LIKE %s)
        """,
        [PREFIX + "%"],
    )
    cursor.execute("DELETE FROM cases_customer WHERE reference LIKE %s", [PREFIX + "%"])
    # 70% China, 20% United States (several states), 10% United Kingdom.
    cursor.execute(
        """
        INSERT INTO cases_customer (reference, full_name, national_id, language,
            country, region, address, time_zone, created_at, updated_at,
            national_id_hash, address_hash)
        SELECT %s || g, 'Bench customer ' || g, '', 'zh-hans',
            CASE WHEN g %% 10 < 7 THEN 'CN' WHEN g %% 10 < 9 THEN 'US' ELSE 'GB' END,
            CASE WHEN g %% 10 < 7 THEN 'SH'
                 WHEN g %% 10 < 9
                     THEN (ARRAY['CA','NY','TX','FL','IL','WA'])[1 + g %% 6]
                 ELSE 'ENG' END,
            '', '', now(), now(), '', ''
        FROM generate_series(1, %s) AS g
        """,
        [PREFIX, customers],
    )
    # One own mobile per customer; US area codes sometimes in another zone than the
    # state (212 New York, 213 Los Angeles, 312 Chicago), as in real portfolios.
    cursor.execute(
        """
        INSERT INTO cases_contactpoint (customer_id, channel, value, relationship,
            contact_name, is_primary, consent, invalid_reason, created_at,
            value_hash, value_masked)
        SELECT c.id, 'phone',
            CASE c.country
                WHEN 'CN' THEN '+86138' || lpad((c.id %% 100000000)::text, 8, '0')
                WHEN 'US' THEN '+1' || (ARRAY['212','213','312','206'])[1 + c.id %% 4]
                    || '555' || lpad((c.id %% 10000)::text, 4, '0')
                ELSE '+447700' || lpad((c.id %% 1000000)::text, 6, '0')
            END,
            'self', '', true, true, '', now(), '', ''
        FROM cases_customer c WHERE c.reference LIKE %s
        """,
        [PREFIX + "%"],
    )
    points_encrypt()
    cursor.execute(
        """
        CREATE TEMP TABLE bench_points ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY p.customer_id) - 1 AS n,
               p.customer_id, p.id AS point_id, p.value, p.value_hash
        FROM cases_contactpoint p JOIN cases_customer c ON c.id = p.customer_id
        WHERE c.reference LIKE %s
        """,
        [PREFIX + "%"],
    )
    cursor.execute("CREATE INDEX ON bench_points (n)")
    cursor.execute(
        """
        INSERT INTO compliance_contactattempt (customer_id, contact_point_id,
            contact_value, contact_value_hash, third_party, channel, purpose, at,
            allowed, result, completed_at, source)
        SELECT b.customer_id, b.point_id, b.value, b.value_hash, false,
            CASE WHEN s.g %% 10 = 0 THEN 'sms' ELSE 'call' END,
            'collection', s.at, true,
            CASE WHEN s.g %% 10 = 0 THEN 'sent'
                 ELSE (ARRAY['no_answer','no_answer','not_connected','voicemail',
                             'conversation'])[1 + (s.g / 10) %% 5] END,
            s.at, 'bench'
        FROM (
            -- random() in the select list: one timestamp per row, spread over `days`.
            SELECT g, now() - (random() * %s) * interval '1 day' AS at
            FROM generate_series(0, %s - 1) AS g
        ) s
        JOIN bench_points b ON b.n = (s.g::bigint * 7919) %% %s
        """,
        [days, ledger_rows, customers],
    )
    print(f"built in {time.perf_counter() - started:.1f} s")


def _vacuum(connection) -> None:
    # VACUUM sets the visibility map, so the ledger read is index-only (as it is in
    # a running system, where autovacuum keeps up); ANALYZE gives the planner counts.
    with connection.cursor() as cursor:
        for table in (
            "cases_customer",
            "cases_contactpoint",
            "compliance_contactattempt",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger-rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=60, help="ledger spread (days)")
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database.", file=sys.stderr)
        return 2
    _setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from cases.models import Customer
    from compliance.services import (
        ContactProposal,
        contact_evaluate,
        contact_evaluate_many,
    )

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_customer WHERE reference LIKE %s",
            [PREFIX + "%"],
        )
        have_customers = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FROM compliance_contactattempt a
               JOIN cases_customer c ON c.id = a.customer_id
               WHERE c.reference LIKE %s""",
            [PREFIX + "%"],
        )
        have_rows = cursor.fetchone()[0]
    if args.rebuild or (have_customers, have_rows) != (
        args.customers,
        args.ledger_rows,
    ):
        with transaction.atomic(), connection.cursor() as cursor:
            _build(
                cursor,
                customers=args.customers,
                ledger_rows=args.ledger_rows,
                days=args.days,
            )
        _vacuum(connection)
    else:
        print(f"reusing {have_customers:,} customers and {have_rows:,} ledger rows")

    customers = list(
        Customer.objects.filter(reference__startswith=PREFIX).only(
            "id", "country", "region", "time_zone"
        )
    )
    rng = random.Random(7)

    # Warm-up: compile packs, load zone data, warm the buffer cache a little.
    for c in rng.sample(customers, 50):
        contact_evaluate(customer=c, channel="call")

    timings = []
    outcomes: dict[str, int] = {}
    for c in rng.sample(customers, min(args.samples, len(customers))):
        started = time.perf_counter()
        decision = contact_evaluate(customer=c, channel="call")
        timings.append((time.perf_counter() - started) * 1000)
        outcomes[decision.outcome] = outcomes.get(decision.outcome, 0) + 1
    timings.sort()
    p = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]  # noqa: E731
    print(
        f"single check ({len(timings):,} samples): p50 {p(0.50):.2f} ms, "
        f"p95 {p(0.95):.2f} ms, p99 {p(0.99):.2f} ms, "
        f"mean {statistics.mean(timings):.2f} ms"
    )
    print(f"  outcomes: {outcomes}")
    results = {
        "ledger_rows": args.ledger_rows,
        "customers": args.customers,
        "check_p50_ms": round(p(0.50), 2),
        "check_p95_ms": round(p(0.95), 2),
        "check_p99_ms": round(p(0.99), 2),
    }

    batch = [
        ContactProposal(customer=c, channel="call" if i % 4 else "sms")
        for i, c in enumerate(
            (customers * (args.batch // len(customers) + 1))[: args.batch]
        )
    ]
    best = best_cpu = None
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.process_time()
        decisions = contact_evaluate_many(batch)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - started_cpu
        best = elapsed if best is None else min(best, elapsed)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    allowed = sum(d.allowed for d in decisions)
    print(
        f"batch: {len(batch):,} proposals in {best:.2f} s (best of 3) = "
        f"{len(batch) / best:,.0f} decisions/s ({allowed:,} allowed); "
        f"client CPU {best_cpu:.2f} s"
    )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    results.update(
        batch_proposals=len(batch),
        batch_seconds=round(best, 3),
        batch_decisions_per_second=round(len(batch) / best),
        batch_client_cpu_seconds=round(best_cpu, 3),
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
