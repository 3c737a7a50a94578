"""Portfolio import benchmark: write an N-loan CSV, import it on PostgreSQL with the
COPY path, and report the time, each phase's share and peak memory.

    createdb -h 127.0.0.1 -U postgres collections_importbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_importbench \\
        nice .venv/bin/python -m bench.import_bench --loans 100000 --keep /tmp/p.csv

`--keep PATH` keeps the file and reuses it when it exists (delete it to change
--loans); `--statements` prints every SQL statement of 50 ms or more, the delinquency
refresh's included. The last line of the split, "commit and bookkeeping", is mostly
PostgreSQL checking the deferred foreign keys of the inserted rows.

Rows carry the reference prefix IB-; each run first deletes those (and their cases).
Two loans per customer, three monthly instalments each, a third of the loans in
arrears over every bucket (like bench/portfolio.py); every customer has a mobile,
half an email, a quarter a spouse's number; names and addresses in Chinese.
`--reimport` imports the same file a second time (the update path: nothing changes).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import logging
import os
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

from bench.portfolio import ledger_unprotected, pii_keys_default

PREFIX = "IB-"
RESULTS = Path(__file__).resolve().parent / "results" / "import.json"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_app.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    pii_keys_default()
    import django

    django.setup()


def write_csv(path: str, *, loans: int) -> None:
    from imports.parsing import PORTFOLIO_COLUMNS

    today = dt.date.today()
    surnames = "王李张刘陈杨黄赵吴周"
    given = "伟芳娜敏静丽强磊军洋"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(PORTFOLIO_COLUMNS.names)
        for k in range(1, loans + 1):
            c = (k + 1) // 2
            lag = 1 + (k // 3) % 150 if k % 3 == 0 else -30
            first_due = today - dt.timedelta(days=lag)
            schedule = ";".join(
                f"{(first_due + dt.timedelta(days=30 * s)).isoformat()}:1000.00"
                for s in range(3)
            )
            spouse = c % 4 == 0
            writer.writerow(
                (
                    f"{PREFIX}C{c}",
                    surnames[c % 10] + given[(c // 10) % 10] + given[(c // 100) % 10],
                    f"1101011990{c % 100000000:08d}",
                    "zh-hans",
                    "CN",
                    "SH",
                    "",
                    f"上海市黄浦区南京东路{c % 1000}号",
                    f"139{c % 100000000:08d}",
                    f"c{c}@example.cn" if c % 2 else "",
                    "配偶" if spouse else "",
                    "spouse" if spouse else "",
                    f"137{c % 100000000:08d}" if spouse else "",
                    f"{PREFIX}L{k}",
                    "personal_loan",
                    "CNY",
                    "3000.00",
                    "",
                    (first_due - dt.timedelta(days=30)).isoformat(),
                    schedule,
                )
            )


def drop(cursor) -> None:
    customers = "SELECT id FROM cases_customer WHERE reference LIKE %s"
    loans = "SELECT id FROM cases_loan WHERE reference LIKE %s"
    for table, where in (
        ("messaging_outboundmessage", f"customer_id IN ({customers})"),
        (
            "calls_calltask",
            f"case_id IN (SELECT id FROM cases_case "
            f"WHERE customer_id IN ({customers}))",
        ),
        ("compliance_contactattempt", f"customer_id IN ({customers})"),
        ("compliance_decision", f"customer_id IN ({customers})"),
        ("cases_case", f"customer_id IN ({customers})"),
        ("cases_instalment", f"loan_id IN ({loans})"),
        ("cases_loan", "reference LIKE %s"),
        ("cases_contactpoint", f"customer_id IN ({customers})"),
        ("cases_customer", "reference LIKE %s"),
    ):
        with ledger_unprotected():
            cursor.execute(f"DELETE FROM {table} WHERE {where}", [PREFIX + "%"])  # noqa: S608


class PhaseLog(logging.Handler):
    """Collects the phases imports.portfolio logs ("portfolio import <phase>: s")."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.phases: list[tuple[str, float]] = []

    def emit(self, record):
        if record.msg.startswith("portfolio import %s"):
            self.phases.append(record.args)


def time_statement(execute, sql, params, many, context):
    """connection.execute_wrapper: every statement's duration (the import's and the
    delinquency refresh's) on stderr."""
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        elapsed = time.perf_counter() - started
        if elapsed >= 0.05:
            sys.stderr.write(f"    {elapsed:6.2f} s  {' '.join(sql.split())[:100]}\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--reimport", action="store_true")
    parser.add_argument(
        "--keep", help="keep the CSV at this path (reused when it exists)"
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="print each SQL statement that takes 50 ms or more, with its time",
    )
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    setup_django()
    logging.basicConfig(level=logging.INFO, format="  %(message)s", stream=sys.stderr)
    phases = PhaseLog()
    logging.getLogger("imports.portfolio").addHandler(phases)
    from django.db import connection, transaction

    from imports.services import import_run

    if connection.vendor != "postgresql":
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database (see the docstring)."
        )
    path = args.keep or tempfile.mktemp(suffix=".csv", prefix="import_bench_")
    if args.keep and os.path.exists(args.keep):
        print(f"reusing {path} ({os.path.getsize(path) / 1e6:.0f} MB)")
    else:
        started = time.perf_counter()
        write_csv(path, loans=args.loans)
        size = os.path.getsize(path) / 1e6
        elapsed = time.perf_counter() - started
        print(f"wrote {args.loans:,} loans ({size:.0f} MB) in {elapsed:.1f}s")
    with transaction.atomic(), connection.cursor() as cursor:
        drop(cursor)
    with connection.cursor() as cursor:
        # Dead rows from the previous run's delete would slow this one down.
        for table in ("cases_case", "cases_instalment", "cases_loan"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("VACUUM ANALYZE cases_contactpoint")
        cursor.execute("VACUUM ANALYZE cases_customer")
    rss_before = peak_rss_mb()
    results: dict = {"loans": args.loans}
    try:
        for attempt in range(2 if args.reimport else 1):
            phases.phases.clear()
            started = time.perf_counter()
            with open(path, "rb") as handle, contextlib.ExitStack() as stack:
                if args.statements:
                    stack.enter_context(connection.execute_wrapper(time_statement))
                run = import_run(
                    kind="portfolio",
                    file=handle,
                    file_name=path,
                    source="command",
                    actor_name="bench",
                    progress=lambda n: sys.stderr.write(f"  {n:,} rows read\n"),
                )
            elapsed = time.perf_counter() - started
            label = "re-import" if attempt else "import"
            print(
                f"{label}: {run.status} {run.rows_loaded:,} rows in {elapsed:.1f}s "
                f"({run.rows_loaded / elapsed:,.0f} rows/s); peak RSS "
                f"{peak_rss_mb():.0f} MB (before import {rss_before:.0f} MB)"
            )
            print(f"  counts: {run.counts}")
            key = "reimport" if attempt else "import"
            results.update(
                {
                    f"{key}_status": run.status,
                    f"{key}_rows": run.rows_loaded,
                    f"{key}_seconds": round(elapsed, 2),
                    f"{key}_rows_per_second": round(run.rows_loaded / elapsed),
                    f"{key}_peak_rss_mb": round(peak_rss_mb(), 1),
                }
            )
            for label, seconds in phases.phases:
                print(f"  {label}: {seconds:.1f}s")
            # What is left: mostly the commit, where PostgreSQL runs the deferred
            # foreign-key checks of every inserted row; plus the run's bookkeeping.
            rest = elapsed - sum(seconds for _label, seconds in phases.phases)
            print(f"  commit (deferred foreign-key checks), bookkeeping: {rest:.1f}s")
    finally:
        if not args.keep:
            os.unlink(path)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
