"""Record every open case's bucket for a day (default today), for roll rates.

    manage.py bucket_snapshot [--day YYYY-MM-DD] [--dry-run]

Set-based (one INSERT ... SELECT); running it twice on the same day adds nothing.
Schedule it daily, after the delinquency refresh.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from supervision.services import bucket_snapshot_take


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, day=None, dry_run=False, **options):
        try:
            when = dt.date.fromisoformat(day) if day else None
        except ValueError:
            raise CommandError(f"--day {day!r}: use YYYY-MM-DD.") from None
        with transaction.atomic():
            written = bucket_snapshot_take(day=when)
            if dry_run:
                transaction.set_rollback(True)
        if options["verbosity"]:
            verb = "Would record" if dry_run else "Recorded"
            self.stdout.write(f"{verb} {written} case buckets.")
