"""Escalation sweep benchmark (DESIGN.md section 9).

Builds the reference portfolio (bench.portfolio), refreshes delinquency, then times:
- the floor: one set-based INSERT ... SELECT ... ON CONFLICT DO NOTHING of the same
  due actions into the outbox, rolled back (and, as reported before, into a
  temporary table);
- the write floor: the same actions' decisions, attempts, outbox rows and case moves
  with no gate, through the sweep's own write statement over a stage filled
  set-based, on one connection (rolled back);
- the full sweep, compliance included (time, ratios to both floors, peak memory of
  the sweep and of its largest batch process);
- a second sweep in the same window (time; must create nothing);
- outbox dispatch throughput to a local recording gateway with N processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_sweepbench \\
        .venv/bin/python -m bench.sweep_bench --loans 1000000 --attempts 10000000

Targets: sweep <= 30 s and <= 4x the floor, peak memory <= 500 MB, re-run <= 5 s
creating nothing; dispatch >= 2,000 messages/s with 2 workers (DESIGN.md section 9).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
import zoneinfo
from pathlib import Path

from bench.portfolio import PREFIX, ledger_unprotected, portfolio_build, setup_django

RESULTS = Path(__file__).parent / "results"


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process (or of its largest child), in MB."""
    return resource.getrusage(who).ru_maxrss / 1024


def _reset_sweep(cursor) -> None:
    """Undo what earlier sweeps made, so each run starts from the same state."""
    customers = "SELECT id FROM cases_customer WHERE reference LIKE %s"
    like = [PREFIX + "%"]
    cursor.execute(
        f"DELETE FROM messaging_outboundmessage WHERE customer_id IN ({customers})",  # noqa: S608
        like,
    )
    cursor.execute("DELETE FROM calls_calltask WHERE idempotency_key LIKE 'esc:%%'")
    # The work items of the review and legal rungs, and the legal holds they put.
    cursor.execute(
        "DELETE FROM escalation_workitem WHERE idempotency_key LIKE 'esc:%%'"
    )
    cursor.execute(
        "DELETE FROM compliance_contactrestriction "
        "WHERE source = 'escalation:legal_referral'"
    )
    with ledger_unprotected():
        # The dispatch benchmark's send-time attempts too: left in place, each run
        # would add one per message to the same customers' ledger, and the gate
        # would read (and the caps count) more of them every run.
        cursor.execute(
            "DELETE FROM compliance_contactattempt "
            "WHERE source IN ('escalation', 'dispatch')"
        )
        cursor.execute(
            f"DELETE FROM compliance_decision WHERE customer_id IN ({customers}) "  # noqa: S608
            "AND id NOT IN (SELECT decision_id FROM compliance_contactattempt "
            "WHERE decision_id IS NOT NULL)",
            like,
        )
    cursor.execute(
        "UPDATE cases_case SET stage_id = NULL, stage_at = NULL, next_action_at = NULL"
    )
    # Start from tables as autovacuum keeps them in production: the reset's dead rows
    # cleared and the visibility map set (index-only scans), statistics fresh.
    cursor.execute("VACUUM (ANALYZE)")


# The due actions of the ladder's first rung, as the floors select them: open cases on
# no rung yet, one day past due, due now, with no promise or plan in good standing,
# with their primary phone.
DUE = """
FROM cases_case c
JOIN cases_contactpoint cp ON cp.customer_id = c.customer_id
     AND cp.channel = 'phone' AND cp.is_primary
WHERE c.status = 'open' AND c.stage_id IS NULL AND c.max_days_past_due >= 1
  AND (c.next_action_at IS NULL OR c.next_action_at <= now())
  AND NOT EXISTS (SELECT 1 FROM cases_promisetopay p WHERE p.case_id = c.id
                  AND p.status = 'pending' AND p.due_date >= current_date)
  AND NOT EXISTS (SELECT 1 FROM cases_repaymentplan r WHERE r.case_id = c.id
                  AND r.status IN ('approved', 'active'))
"""
FLOOR = (
    """
INSERT INTO {table} (customer_id, case_id, contact_point_id, channel,
    subject, body, status, idempotency_key, send_after, attempts,
    provider_message_id, last_error, created_at)
SELECT c.customer_id, c.id, cp.id, 'sms', '', '', 'pending',
    'esc:' || c.id || ':1', now(), 0, '', '', now()
"""
    + DUE
    + "ON CONFLICT DO NOTHING"
)


def _floor(*, temporary: bool) -> tuple[float, int]:
    """DESIGN.md section 9's floor: the single set-based statement that turns the
    first rung's due cases into outbox rows, INSERT ... SELECT ... ON CONFLICT DO
    NOTHING. Into the outbox itself, rolled back (docs/decisions.md, record 22); or,
    `temporary`, into a temporary copy of it (no write-ahead log: the yardstick of
    the figures reported before record 22)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        table = "messaging_outboundmessage"
        if temporary:
            table = "floor_outbox"
            cursor.execute(
                "CREATE TEMP TABLE floor_outbox "
                "(LIKE messaging_outboundmessage INCLUDING ALL) ON COMMIT DROP"
            )
        started = time.perf_counter()
        cursor.execute(FLOOR.format(table=table))
        elapsed, rows = time.perf_counter() - started, cursor.rowcount
        transaction.set_rollback(True)
    return elapsed, rows


# What the sweep must write for each due case, with no gate: the sweep's own write
# statement (sweep_writes.write_statement(): a decision, an attempt and an outbox row
# each) over a stage filled set-based, the cases moved on, the deferred foreign keys
# checked.
WRITE_FLOOR_STAGE = (
    """
INSERT INTO sweep_stage (case_id, customer_id, contact_point_id, loan_id, channel,
    purpose, proposed_at, allowed, outcome, reasons, conditions, next_permitted_at,
    rule_pack, rule_pack_version, source, chain_shard, chain_seq, chain_hash,
    message_channel, template_id, step_id, idempotency_key, send_after)
SELECT c.id, c.customer_id, cp.id, NULL, 'sms', 'collection', now(), true, 'allowed',
    '[]', '[]', NULL, 'cn', 1, 'escalation',
    -- a link per row (no real hash: the floor does no work per decision; its rows
    -- are rolled back), so the floor writes the chain's columns and index too
    32767, row_number() OVER (), md5(c.id::text) || md5(c.id::text),
    'sms', %(template)s, %(step)s, 'floor:' || c.id, now()
"""
    + DUE
)
WRITE_FLOOR_MOVE = """
UPDATE cases_case c SET stage_id = %(step)s, stage_at = now(), next_action_at = NULL
FROM sweep_stage s WHERE c.id = s.case_id
"""


def _write_floor() -> float:
    """The writes alone (above) on one connection, rolled back: the least any sweep
    that keeps the ledger and the outbox spends, before the gate decides anything."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cases.models import EscalationPolicy, EscalationStep
    from escalation.sweep_writes import STAGE_TABLE, write_statement
    from messaging.models import MessageTemplate

    step = (
        EscalationStep.objects.filter(policy__status=EscalationPolicy.Status.ACTIVE)
        .order_by("policy_id", "order")
        .first()
    )
    template = MessageTemplate.objects.filter(code=step.template_code).first()
    ids = {"step": step.pk, "template": template.pk}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(STAGE_TABLE)
        started = time.perf_counter()
        cursor.execute(WRITE_FLOOR_STAGE, ids)
        cursor.execute(write_statement(), {"now": timezone.now()})
        cursor.execute(WRITE_FLOOR_MOVE, ids)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def _dispatch_worker(url: str, at_iso: str, ready, go, cpu) -> None:
    """One dispatcher process: send batches until nothing is due.

    Django's start-up and the first connection come before `ready`, and the clock
    starts when every worker has said ready (`go`): the figure is dispatch
    throughput, not how long two interpreters take to import the project (about a
    second each on this machine, half the run at 2,000 messages)."""
    setup_django()
    from django.db import connection

    from messaging import services, sms

    at = dt.datetime.fromisoformat(at_iso)
    backend = sms.HttpGatewayBackend(url=url, timeout=5, retries=0)
    connection.ensure_connection()
    ready.release()
    go.wait()
    started = time.process_time()
    # What the Celery task runs (messaging.tasks.dispatch_outbox), until none is due.
    services.outbox_dispatch_many(now=at, backend=backend)
    # The process's CPU (all its threads), a figure that another engineer's load on
    # the machine moves less than the wall clock.
    cpu.put(time.process_time() - started)


def _dispatch(n_workers: int, limit: int) -> dict:
    """Dispatch `limit` messages with `n_workers` processes to a gateway process."""
    import multiprocessing
    import subprocess
    import sys
    import urllib.request

    from django.db import connection

    from messaging.models import OutboundMessage

    at = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).replace(hour=10, minute=5)
    ids = list(
        OutboundMessage.objects.filter(status="pending", channel="sms")
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    # Only these rows are due for the measurement.
    OutboundMessage.objects.filter(status="pending").exclude(id__in=ids).update(
        send_after=at + dt.timedelta(days=365)
    )
    connection.close()
    gateway = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.sms_gateway"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = gateway.stdout.readline().strip()
        ctx = multiprocessing.get_context("spawn")
        ready, go, cpu = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
        workers = [
            ctx.Process(
                target=_dispatch_worker, args=(url, at.isoformat(), ready, go, cpu)
            )
            for _ in range(n_workers)
        ]
        spawned = time.perf_counter()
        for w in workers:
            w.start()
        for _ in workers:
            if not ready.acquire(timeout=120):
                raise RuntimeError("a dispatch worker did not start")
        started = time.perf_counter()
        go.set()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
        if any(w.exitcode for w in workers):
            raise RuntimeError("a dispatch worker failed")
        worker_cpu = sum(cpu.get(timeout=10) for _ in workers)
        stats_url = url.rsplit("/", 1)[0] + "/stats"
        with urllib.request.urlopen(stats_url) as resp:  # noqa: S310 - our own gateway
            stats = json.loads(resp.read())
    finally:
        gateway.kill()
    return {
        "dispatch_workers": n_workers,
        "dispatch_messages": stats["delivered"],
        "dispatch_duplicates": stats["requests"] - stats["delivered"],
        "dispatch_seconds": round(elapsed, 2),
        "dispatch_startup_seconds": round(started - spawned, 2),
        "dispatch_per_second": round(stats["delivered"] / elapsed) if elapsed else None,
        "dispatch_worker_cpu_ms_per_message": (
            round(1000 * worker_cpu / stats["delivered"], 3)
            if stats["delivered"]
            else None
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=10_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the built portfolio")
    parser.add_argument(
        "--dispatch",
        type=int,
        default=20_000,
        help="messages to dispatch for the throughput figure",
    )
    parser.add_argument("--dispatch-workers", type=int, default=2)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="cases per sweep batch"
    )
    parser.add_argument("--json", type=Path, default=RESULTS / "sweep.json")
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction

    from cases.services import delinquency_refresh
    from escalation.sweep import escalation_sweep

    if connection.vendor != "postgresql":
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database (see the docstring)."
        )
    results: dict = {"loans": args.loans, "attempts": args.attempts}
    if not args.reuse:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            portfolio_build(cursor, loans=args.loans, attempts=args.attempts)
        results["build_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        counts = delinquency_refresh()
        results["delinquency_refresh_seconds"] = round(time.perf_counter() - started, 1)
        results["cases_opened"] = counts["cases_opened"]
        took = results["delinquency_refresh_seconds"]
        print(f"delinquency refresh: {counts} in {took}s")

    with connection.cursor() as cursor:
        _reset_sweep(cursor)
    temp_floor_s, _ = _floor(temporary=True)
    floor_s, floor_rows = _floor(temporary=False)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM messaging_outboundmessage")  # the rolled-back rows
    write_floor_s = _write_floor()
    results.update(
        floor_seconds=round(floor_s, 2),
        floor_actions=floor_rows,
        floor_temp_table_seconds=round(temp_floor_s, 2),
        write_floor_seconds=round(write_floor_s, 2),
    )
    print(f"floor: {floor_rows:,} due actions into the outbox in {floor_s:.2f}s")
    print(f"floor into a temporary table: {temp_floor_s:.2f}s")
    print(
        f"write floor: their ledger and outbox rows, no gate, in {write_floor_s:.2f}s"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")  # the rolled-back rows, as autovacuum would

    at = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    rss_before = _rss_mb()
    started = time.perf_counter()
    batch = {"batch_size": args.batch_size} if args.batch_size else {}
    report = escalation_sweep(at=at, **batch)
    sweep_s = time.perf_counter() - started
    results.update(
        sweep_seconds=round(sweep_s, 2),
        sweep_created=report.created,
        sweep_blocked=dict(report.reasons),
        sweep_ratio_to_floor=round(sweep_s / floor_s, 1),
        sweep_ratio_to_temp_table_floor=round(sweep_s / temp_floor_s, 1),
        sweep_ratio_to_write_floor=round(sweep_s / write_floor_s, 1),
        peak_rss_mb=round(_rss_mb(), 1),
        peak_rss_batch_process_mb=round(_rss_mb(resource.RUSAGE_CHILDREN), 1),
        rss_before_sweep_mb=round(rss_before, 1),
    )
    print(
        f"sweep: {report.created:,} actions in {sweep_s:.2f}s "
        f"({results['sweep_ratio_to_floor']}x floor, "
        f"{results['sweep_ratio_to_temp_table_floor']}x temporary-table floor, "
        f"{results['sweep_ratio_to_write_floor']}x write floor), peak RSS "
        f"{results['peak_rss_mb']:.0f} MB, largest batch process "
        f"{results['peak_rss_batch_process_mb']:.0f} MB"
    )

    started = time.perf_counter()
    again = escalation_sweep(at=at + dt.timedelta(minutes=5))
    results.update(
        rerun_seconds=round(time.perf_counter() - started, 2),
        rerun_created=again.created,
    )
    print(f"re-run: {again.created} actions in {results['rerun_seconds']}s")

    if args.dispatch:
        results.update(_dispatch(args.dispatch_workers, args.dispatch))
        print(
            f"dispatch: {results['dispatch_messages']:,} messages with "
            f"{args.dispatch_workers} workers in {results['dispatch_seconds']}s = "
            f"{results['dispatch_per_second']}/s, duplicates "
            f"{results['dispatch_duplicates']}"
        )

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
