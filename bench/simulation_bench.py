"""Policy simulation benchmark: how long simulating a draft takes over the reference
portfolio, next to the sweep's own dry run over the same cases, and proof that the
simulation wrote nothing (row counts of the touched tables before and after).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_simbench \\
        nice .venv/bin/python -m bench.simulation_bench --loans 200000

The draft is a copy of the live default ladder with the SMS moved from 1 to 3 days
past due (the change the issue's walkthrough makes). Target: within the sweep budget
(DESIGN.md section 9: 30 s for 1,000,000 loans).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import time
import zoneinfo
from pathlib import Path

from bench.portfolio import portfolio_build, setup_django

RESULTS = Path(__file__).parent / "results"
TABLES = [
    "cases_case",
    "messaging_outboundmessage",
    "calls_calltask",
    "compliance_contactattempt",
    "compliance_decision",
    "cases_historicalcase",
]


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=200_000)
    parser.add_argument("--attempts", type=int, default=2_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the built portfolio")
    parser.add_argument("--json", type=Path, help="results file (default: by --loans)")
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction

    from cases.models import EscalationPolicy
    from cases.services import delinquency_refresh
    from escalation import services as policies
    from escalation.simulation import policy_simulation
    from escalation.sweep import escalation_simulate, escalation_sweep

    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (see above).")
    results: dict = {"loans": args.loans, "attempts": args.attempts}
    if not args.reuse:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            portfolio_build(cursor, loans=args.loans, attempts=args.attempts)
        results["build_seconds"] = round(time.perf_counter() - started, 1)
        counts = delinquency_refresh()
        results["cases_opened"] = counts["cases_opened"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case WHERE status = 'open'")
        results["open_cases"] = cursor.fetchone()[0]

    live = EscalationPolicy.objects.get(status="active", is_default=True)
    EscalationPolicy.objects.filter(code=live.code, status="draft").delete()
    draft = policies.policy_copy(policy=live)
    steps = policies.policy_inputs(draft)
    steps[0] = dataclasses.replace(steps[0], trigger_days=3)
    draft = policies.policy_update(policy=draft, name=draft.name, steps=steps)

    at = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    with connection.cursor() as cursor:
        before = _counts(cursor)

    started = time.perf_counter()
    report = escalation_simulate(policy=draft, at=at)
    results["simulate_draft_seconds"] = round(time.perf_counter() - started, 2)
    results["simulated_actions"] = report.created

    started = time.perf_counter()
    dry = escalation_sweep(at=at, dry_run=True)
    results["sweep_dry_run_seconds"] = round(time.perf_counter() - started, 2)
    results["sweep_dry_run_actions"] = dry.created

    simulation = policy_simulation(policy=draft, at=at)
    results["compare_with_live_seconds"] = round(simulation.seconds, 2)
    results["totals"] = {
        kind: {"draft": ours, "live": theirs, "difference": diff}
        for kind, ours, theirs, diff in simulation.totals
    }
    with connection.cursor() as cursor:
        after = _counts(cursor)
    results["rows_unchanged"] = before == after
    policies.policy_delete(policy=draft)

    for key, value in results.items():
        print(f"{key}: {value}")
    path = args.json or RESULTS / f"simulation-{args.loans}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
