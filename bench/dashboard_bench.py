"""Supervisor dashboard budget (DESIGN.md section 9: p95 <= 100 ms server time, a
bounded number of queries) on the large portfolio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_supbench \\
        .venv/bin/python -m bench.portfolio --loans 1000000 --attempts 10000000
    DATABASE_URL=... ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=0 \\
        .venv/bin/python -m bench.dashboard_bench [--calls 1000000] [--samples 20]

Adds 4 teams of 50 collectors (prefix SB-) with bucket queues and a supervisor each,
opens and queues the cases (delinquency refresh), then writes the supervisor's data
set-based: calls spread over 90 days, reviews, promises, payments after calls,
blocked attempts with their decisions, and two bucket snapshots (a week apart). Then
it times the dashboard page (7, 30 and 90 days) and the report API through Django's
test client in-process (the whole Django stack, no network hop).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from pathlib import Path

from bench.portfolio import pages_without_static_manifest, setup_django

BUCKETS = ["1-30", "31-60", "61-90", "90+"]
PER_TEAM = 50
RESULTS = Path(__file__).resolve().parent / "results" / "dashboard.json"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _step(cursor, label: str, sql: str, params=()) -> None:
    started = time.perf_counter()
    cursor.execute(sql, params)
    print(
        f"  {label}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f}s"
    )


def prepare(*, calls: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cases.models import Team, WorkQueue
    from cases.services import delinquency_refresh

    users = get_user_model()
    collector_group = Group.objects.get(name="collector")
    supervisor_group = Group.objects.get(name="supervisor")
    for n, bucket in enumerate(BUCKETS):
        team, _ = Team.objects.get_or_create(name=f"SB-team-{n}")
        WorkQueue.objects.get_or_create(
            code=f"sb-{n}",
            defaults={
                "name": f"SB bucket {bucket}",
                "team": team,
                "criteria": {"buckets": [bucket]},
                "priority": n,
            },
        )
        boss, created = users.objects.get_or_create(username=f"SB-s{n}")
        if created:
            boss.groups.add(supervisor_group)
            team.supervisors.add(boss)
        for i in range(PER_TEAM):
            user, created = users.objects.get_or_create(username=f"SB-c{n}-{i}")
            if created:
                user.groups.add(collector_group)
                team.members.add(user)
    started = time.perf_counter()
    print(
        "delinquency_refresh",
        delinquency_refresh(),
        f"{time.perf_counter() - started:.1f}s",
    )

    _prepare_data(calls=calls)
    # What the credit_payments task does as payments arrive: the dashboard then
    # sums credits instead of looking up a call per payment.
    from django.utils import timezone

    from supervision.services import payment_credits_take

    started = time.perf_counter()
    credited = payment_credits_take(since=timezone.now() - dt.timedelta(days=120))
    print(
        f"  payment credits: {credited:,} rows in {time.perf_counter() - started:.1f}s"
    )


def _prepare_data(*, calls: int) -> None:
    from django.db import connection, transaction

    from supervision.services import bucket_snapshot_take

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM calls_calllog WHERE reference LIKE 'SB-%%'"
        )
        if cursor.fetchone()[0]:
            print("supervisor data exists")
            return
        _step(
            cursor,
            "case map",
            """
            CREATE TEMP TABLE sb_case AS
            SELECT row_number() OVER (ORDER BY c.id) AS rn, c.id AS case_id,
                   c.customer_id, q.team_id,
                   (SELECT min(cp.id) FROM cases_contactpoint cp
                     WHERE cp.customer_id = c.customer_id
                       AND cp.channel = 'phone') AS cp
            FROM cases_case c JOIN cases_workqueue q ON q.id = c.queue_id
            WHERE c.status = 'open' AND q.code LIKE 'sb-%%'
            """,
        )
        _step(
            cursor,
            "collector map",
            """
            CREATE TEMP TABLE sb_collector AS
            SELECT t.id AS team_id, m.user_id,
                   row_number() OVER (PARTITION BY t.id ORDER BY m.user_id) - 1 AS k
            FROM cases_team t JOIN cases_team_members m ON m.team_id = t.id
            WHERE t.name LIKE 'SB-team-%%'
            """,
        )
        cursor.execute("SELECT count(*) FROM sb_case")
        n_cases = cursor.fetchone()[0]
        # Each call: a case of some team, by one of that team's collectors, at a
        # time in the last 90 days; about half reach the customer.
        _step(
            cursor,
            "calls",
            f"""
            INSERT INTO calls_calllog (reference, case_id, collector_id,
                contact_point_id, started_at, ended_at, duration_seconds, outcome,
                right_party_contact, identity_confirmed, disclosure_made, attitude,
                notes, notes_flagged, recording_content_type, created_at)
            SELECT 'SB-' || g, sc.case_id, col.user_id, sc.cp, t.at,
                t.at + make_interval(secs => t.talk), t.talk,
                CASE WHEN t.talk > 0 THEN 'other' ELSE 'no_answer' END,
                t.talk > 0, t.talk > 0, t.talk > 0,
                CASE WHEN t.talk > 0 THEN 'cooperative' ELSE 'unknown' END,
                '', g %% 997 = 0, '', now()
            FROM generate_series(1, %s) g
            CROSS JOIN LATERAL (
                SELECT now() - make_interval(days => g %% 90, mins => g %% 480) AS at,
                       CASE WHEN g %% 2 = 0 THEN 60 + g %% 400 ELSE 0 END AS talk
            ) t
            JOIN sb_case sc ON sc.rn = 1 + (g::bigint * 7919) %% {n_cases}
            JOIN sb_collector col
              ON col.team_id = sc.team_id AND col.k = g %% {PER_TEAM}
            WHERE sc.cp IS NOT NULL
            """,  # noqa: S608
            [calls],
        )
        cursor.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'SB-s%%'")
        reviewer = cursor.fetchone()[0]
        _step(
            cursor,
            "reviews",
            """
            INSERT INTO calls_callreview (call_id, reviewer_id,
                identity_before_disclosure, accurate_amounts, professional_tone,
                no_threats, options_offered, notes_complete, score, violation,
                comments, sampled, created_at)
            SELECT id, %s, true, true, true, true, id %% 3 = 0, true,
                   CASE WHEN id %% 3 = 0 THEN 100 ELSE 83 END, id %% 50 = 0, '',
                   false, now()
            FROM calls_calllog WHERE reference LIKE 'SB-%%' AND id %% 50 = 0
            """,
            [reviewer],
        )
        _step(
            cursor,
            "promises",
            """
            INSERT INTO cases_promisetopay (case_id, amount, currency, due_date,
                status, made_at, created_by_id, call_id)
            SELECT case_id, 500, 'CNY', (started_at + interval '7 days')::date,
                   CASE WHEN id %% 3 = 0 THEN 'kept' WHEN id %% 3 = 1 THEN 'broken'
                        ELSE 'pending' END,
                   started_at, collector_id, id
            FROM calls_calllog WHERE reference LIKE 'SB-%%' AND id %% 10 = 0
            """,
        )
        _step(
            cursor,
            "payments",
            """
            INSERT INTO cases_payment (reference, loan_id, amount, currency,
                received_at, unallocated_amount, created_at)
            SELECT 'SB-P' || cl.id, l.id, 300, 'CNY',
                   cl.started_at + interval '2 days', 0, now()
            FROM calls_calllog cl
            JOIN cases_case c ON c.id = cl.case_id
            JOIN LATERAL (SELECT id FROM cases_loan WHERE customer_id = c.customer_id
                          ORDER BY id LIMIT 1) l ON true
            WHERE cl.reference LIKE 'SB-%%' AND cl.id %% 20 = 0
            """,
        )
        _step(
            cursor,
            "blocked decisions",
            """
            INSERT INTO compliance_decision (customer_id, case_id, channel, purpose,
                proposed_at, evaluated_at, allowed, outcome, reasons, conditions,
                rule_pack, rule_pack_version, actor_id, next_permitted_at,
                chain_hash)
            -- Outside the hash chain (chain_hash ''): the dashboard reads the
            -- decisions, never verifies them; ledger_verify would list these rows.
            SELECT c.customer_id, cl.case_id, 'call', 'collection', cl.started_at,
                   cl.started_at, false, 'defer',
                   jsonb_build_array(jsonb_build_object('code',
                       CASE WHEN cl.id %% 2 = 0 THEN 'contact_window'
                            ELSE 'frequency_cap' END)),
                   '[]'::jsonb, 'cn', 1, cl.collector_id, NULL, ''
            FROM calls_calllog cl JOIN cases_case c ON c.id = cl.case_id
            WHERE cl.reference LIKE 'SB-%%' AND cl.id %% 25 = 0
            """,
        )
        _step(
            cursor,
            "blocked attempts",
            """
            INSERT INTO compliance_contactattempt (customer_id, case_id, contact_value,
                contact_value_hash, third_party, channel, purpose, at, allowed, result,
                decision_id, source, actor_id)
            SELECT d.customer_id, d.case_id, '', '', false, 'call', 'collection',
                   d.proposed_at, false, 'blocked', d.id, 'bench', d.actor_id
            FROM compliance_decision d
            WHERE d.allowed = false AND d.actor_id IN (SELECT user_id FROM sb_collector)
            """,
        )
        cursor.execute("SELECT (now() - interval '7 days')::date")
        week_ago = cursor.fetchone()[0]
        _step(
            cursor,
            "snapshot a week ago",
            """
            INSERT INTO supervision_bucketsnapshot
                (day, case_id, bucket, overdue_amount)
            SELECT %s, id,
                   CASE WHEN max_days_past_due - 7 <= 0 THEN ''
                        WHEN max_days_past_due - 7 <= 30 THEN '1-30'
                        WHEN max_days_past_due - 7 <= 60 THEN '31-60'
                        WHEN max_days_past_due - 7 <= 90 THEN '61-90' ELSE '90+' END,
                   overdue_amount
            FROM cases_case WHERE status = 'open'
            ON CONFLICT DO NOTHING
            """,
            [week_ago],
        )
        print(f"  snapshot today: {bucket_snapshot_take():,} rows")
        cursor.execute("ANALYZE")


def _timed(client, url: str, params: dict) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url, params)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), response.status_code


def measure(samples: int) -> dict:
    """Each URL and period twice: with the figures cache off (every request computes
    them: the cold cost) and on (the default; the first request computes, the rest
    read the cache). The first request of each series warms per-process caches and
    is not counted."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    results = {}
    client = Client()
    client.force_login(get_user_model().objects.get(username="SB-s0"))
    for mode, seconds in (("cold", 0), ("cached", 120)):
        settings.SUPERVISION_DASHBOARD_CACHE_SECONDS = seconds
        cache.clear()
        for label, url in (
            ("page", "/supervisor/dashboard/"),
            ("api", "/api/v1/reports/team/"),
        ):
            for days in (7, 30, 90):
                times, counts = [], []
                for n in range(samples + 1):
                    elapsed, count, status = _timed(client, url, {"days": days})
                    assert status == 200, status
                    if n:
                        times.append(elapsed)
                        counts.append(count)
                key = f"{mode}_{label}_{days}d"
                results[f"{key}_p50_ms"] = round(statistics.median(times) * 1000, 1)
                results[f"{key}_p95_ms"] = round(p95(times) * 1000, 1)
                results[f"{key}_queries"] = max(counts)
                print(key, results[f"{key}_p95_ms"], "ms p95", max(counts), "queries")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument(
        "--skip-prepare", action="store_true", help="measure the data already written"
    )
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    setup_django()
    pages_without_static_manifest()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (see above).")
    if not args.skip_prepare:
        prepare(calls=args.calls)
    from calls.models import CallLog

    results = {"calls": CallLog.objects.count(), **measure(args.samples)}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
