"""The scheduled sweep fanned out over Celery workers (escalation/fanout.py): how long
one run takes with 1 and with 2 worker processes sharing its batch tasks, and the
speed-up. Each measurement starts from the same state (the sweep's writes undone),
on a Redis server of its own (a free port) and real `celery worker` processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_fanoutbench \\
        .venv/bin/python -m bench.fanout_bench --loans 100000 --attempts 1000000

Issue 19, item 3: more worker processes (on one machine or many) make it faster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zoneinfo
from contextlib import contextmanager
from pathlib import Path

from bench.portfolio import portfolio_build, setup_django

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _redis():
    port = _free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait()


@contextmanager
def _workers(n: int, env: dict):
    """`n` worker processes of one process each, as `n` machines would run them."""
    procs, logs = [], []
    try:
        for _ in range(n):
            log = Path(tempfile.gettempdir()) / f"fanout-bench-{uuid.uuid4().hex[:8]}"
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "collections_app",
                        "worker",
                        "--concurrency=1",
                        "--loglevel=WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "-n",
                        f"{uuid.uuid4().hex}@bench",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 60
        while not all("ready" in log.read_text() for log in logs):
            if time.monotonic() > deadline:
                raise SystemExit(f"workers not ready: see {logs}")
            time.sleep(0.1)
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _fanned_out_sweep(at: dt.datetime, timeout: float) -> tuple[float, dict]:
    from escalation.fanout import sweep_fanout_begin
    from escalation.models import SweepRun

    started = time.perf_counter()
    run = sweep_fanout_begin(at=at)
    deadline = time.monotonic() + timeout
    while not SweepRun.objects.filter(pk=run.pk, state="finished").exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"sweep run {run.pk} did not finish in {timeout}s")
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    return seconds, run.report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=10_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the built portfolio")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", type=Path, default=RESULTS / "fanout.json")
    args = parser.parse_args()
    with _redis() as broker:
        # The bench process sends the run's first task to the same broker.
        os.environ["REDIS_URL"] = broker
        os.environ["ESCALATION_SWEEP_BATCH_SIZE"] = str(args.batch_size)
        setup_django()
        from django.db import connection, transaction

        from bench.sweep_bench import _reset_sweep
        from cases.services import delinquency_refresh
        from escalation.models import SweepRun

        if connection.vendor != "postgresql":
            raise SystemExit("Set DATABASE_URL to a PostgreSQL database.")
        if not args.reuse:
            with transaction.atomic(), connection.cursor() as cursor:
                portfolio_build(cursor, loans=args.loans, attempts=args.attempts)
            delinquency_refresh()
        at = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        results: dict = {"loans": args.loans, "batch_size": args.batch_size}
        created = set()
        counts = [int(n) for n in args.workers.split(",")]
        for n in counts:
            with connection.cursor() as cursor:
                _reset_sweep(cursor)
                cursor.execute("DELETE FROM escalation_sweepbatch")
                cursor.execute("DELETE FROM escalation_sweeprun")
                cursor.execute("VACUUM (ANALYZE)")
            connection.close()
            with _workers(n, dict(os.environ)):
                seconds, report = _fanned_out_sweep(at, args.timeout)
            results[f"fanout_{n}_workers_seconds"] = round(seconds, 2)
            created.add(report["created"])
            batches = SweepRun.objects.get().batches.count()
            print(
                f"fanned-out sweep, {n} worker process(es): {report['created']:,} "
                f"actions in {batches} batch tasks, {seconds:.2f}s"
            )
        # Every measurement did the same work.
        results["fanout_created"] = created.pop() if len(created) == 1 else -1
        if len(counts) > 1:
            first, last = counts[0], counts[-1]
            results["fanout_speedup"] = round(
                results[f"fanout_{first}_workers_seconds"]
                / results[f"fanout_{last}_workers_seconds"],
                2,
            )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
