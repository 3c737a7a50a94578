"""Run the escalation sweep once and print what it did (or would do, with --dry-run),
with counts per step and per blocking reason."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from escalation.sweep import escalation_sweep


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--at", help="ISO-8601 time to sweep at (default: now)")
        parser.add_argument("--dry-run", action="store_true", help="write nothing")

    def handle(self, *args, at=None, dry_run=False, **options):
        when = timezone.now()
        if at:
            try:
                when = dt.datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at {at!r} is not an ISO-8601 time.") from None
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
        report = escalation_sweep(at=when, dry_run=dry_run)
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(f"{verb} {report.created} action(s) at {when.isoformat()}")
        if options["verbosity"] >= 1:
            for label, counts in report.steps.items():
                parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                self.stdout.write(f"  {label}: {parts}")
            for code, n in report.reasons.most_common():
                self.stdout.write(f"  blocked by {code}: {n}")
