"""Re-encrypt every PII value not under PII_ACTIVE_KEY_ID (and any still in clear),
table by table in batches; or, with --rehash, recompute the look-up hash and masked
columns under the current PII_HMAC_KEY.

Resumable: each batch commits on its own and only rows still needing work are
selected, so an interrupted run is simply started again. Runbook:
docs/operations.md, "Rotating the PII keys".
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from core import crypto
from core.pii_store import rewrite_all


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--rehash",
            action="store_true",
            help="Recompute the hash columns (after changing PII_HMAC_KEY).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the rows, write nothing."
        )

    def handle(self, *args, batch_size, rehash, dry_run, verbosity, **options):
        ring = crypto.keyring()
        mode = "rehash" if rehash else "rotate"
        if verbosity:
            self.stdout.write(
                f"{'Rehashing' if rehash else 'Re-encrypting under'} "
                f"{'' if rehash else ring.active_id}"
                f"{' (dry run)' if dry_run else ''}"
            )

        def report(done):
            if verbosity > 1:
                self.stdout.write(f"  {done.table}: {done.rows} rows so far")

        passes = rewrite_all(
            apps, mode=mode, batch_size=batch_size, dry_run=dry_run, report=report
        )
        total = 0
        for done in passes:
            total += done.rows
            if verbosity:
                self.stdout.write(f"{done.table}: {done.rows} rows")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"{total} rows rewritten"))
