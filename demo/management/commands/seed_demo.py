"""Seed a realistic, reproducible demo portfolio and one demo user per role.

    manage.py seed_demo [--customers 500] [--seed 2026] [--if-empty] [--dry-run]

Customers (mostly Chinese, a few in the US and UK) with valid phone numbers, emails and
third-party contacts; CNY loans with monthly schedules placed so that every DPD bucket
(current, 1-30, 31-60, 61-90, 90+) is populated; past payments, promises, repayment
plans, contact restrictions and past calls with their ledger rows; teams, bucket
queues and the demo users. Then runs the delinquency refresh so cases exist and are
queued; the escalation ladder's history, each case at a rung drawn for it, its earlier
rungs done by the real sweep at the time they came due (demo/ladder.py), so that the
start-up sweep has emails, call tasks, letters and supervisor reviews to create; and
records a few live payments through payment_record.

The portfolio is written with bulk_create for speed, so it has no history rows
(accepted for bulk writes, DESIGN.md section 8); the service calls at the end do.
The same --seed on the same day gives the same customers, names and loans.
"""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import Case, Customer, Loan
from demo import portfolio, work
from demo.data import DEMO_PASSWORD, DEMO_USERS, STATES, TEAM_NAMES, DemoRun
from demo.ladder import seed_ladder_history
from demo.letters import seed_letter_rung
from demo.self_service import seed_self_service_sms
from demo.supervision import seed as seed_supervision


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=500)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any customer exists (used by `make run`).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Build everything, report the counts, then roll back.",
        )

    def handle(self, *args, customers: int, seed: int, if_empty: bool, **options):
        self.verbosity = options["verbosity"]
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        if Customer.objects.exists():
            if if_empty:
                self.say(1, "Customers exist already; nothing seeded (--if-empty).")
                return
            raise CommandError(
                "The database already has customers. Seed an empty database, or pass "
                "--if-empty to skip quietly."
            )
        started = time.monotonic()
        run = DemoRun(
            rng=random.Random(seed),
            today=timezone.localdate(),
            now=timezone.now(),
            say=self.say,
        )
        with transaction.atomic():
            portfolio.seed_people(run)
            seed_letter_rung(run)
            seed_self_service_sms(run)
            portfolio.seed_portfolio(run, customers)
            refresh = services.delinquency_refresh(today=run.today)
            self.say(2, f"Delinquency refresh: {refresh}")
            open_cases = list(
                Case.objects.open()
                .select_related("customer", "queue")
                .order_by("customer__reference")
            )
            work.assign_cases(run, open_cases)
            work.seed_restrictions(run)
            # The ladder's history: cases at varied rungs, the next one due now.
            seed_ladder_history(run, open_cases, seed=seed)
            work.seed_calls(run, open_cases)
            work.seed_promises_and_plans(run, open_cases)
            work.seed_live_payments(run, open_cases)
            # The supervisor's workspace: recordings, flags, reviews, snapshots.
            run.counts.update(
                seed_supervision(
                    users=run.users, open_cases=open_cases, now=run.now, seed=seed
                )
            )
            if options["dry_run"]:
                transaction.set_rollback(True)
        self.report(run, time.monotonic() - started, dry_run=options["dry_run"])

    def say(self, level: int, message: str) -> None:
        if self.verbosity >= level:
            self.stdout.write(message)

    def report(self, run: DemoRun, seconds: float, *, dry_run: bool) -> None:
        if self.verbosity < 1:
            return
        buckets = {}
        for state in STATES:
            label = "" if state[0] == "current" else state[0]
            buckets[state[0]] = Loan.objects.filter(
                status=Loan.Status.ACTIVE, bucket=label
            ).count()
        verb = "Would seed" if dry_run else "Seeded"
        figures = ", ".join(f"{n} {what}" for what, n in run.counts.items())
        self.stdout.write(self.style.SUCCESS(f"{verb} {figures} in {seconds:.1f} s."))
        if not dry_run:
            self.stdout.write(
                "Active loans by bucket: "
                + ", ".join(f"{k} {v}" for k, v in buckets.items())
                + f"; open cases {Case.objects.open().count()}."
            )
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for username, _, _, role, team, supervises in DEMO_USERS:
                where = TEAM_NAMES.get(team or supervises or "", "everything")
                self.stdout.write(f"  {username:<11} {role:<10} {where}")
