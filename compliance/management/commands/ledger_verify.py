"""Recompute the decision ledger's hash chains and report the first broken link of
each (issue 15, finding 3). Prints, per shard, the rows checked, the anchors matched
and the head's link and hash; exits 1 when any chain is broken (a row changed,
deleted or inserted past the writers). Writes nothing: safe on a live database and
on a restored copy (scripts/restore-drill.sh runs it).

    python manage.py ledger_verify                    # every chain, from its start
    python manage.py ledger_verify --since 2026-12-01 # from the last link before
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from compliance.chain import ledger_verify


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            help="check links written from this day on (YYYY-MM-DD), starting "
            "from the last link before it",
        )

    def handle(self, *args, since=None, verbosity=1, **options):
        report = ledger_verify(since=_date(since) if since else None)
        for shard in report.shards:
            state = "BROKEN" if shard.broken else "ok"
            if verbosity >= 1 or shard.broken:
                self.stdout.write(
                    f"shard {shard.shard}: {state}, {shard.checked:,} rows checked, "
                    f"{shard.anchors_checked} anchors matched, head link "
                    f"{shard.head_seq} {shard.head_hash}"
                )
            if shard.broken:
                self.stdout.write(f"  first broken link: {shard.broken}")
        for problem in report.problems:
            self.stdout.write(f"problem: {problem}")
        if report.unchained and verbosity >= 1:
            self.stdout.write(
                f"{report.unchained:,} rows from before the chain began (unchained)"
            )
        if not report.ok:
            raise CommandError(
                f"the decision ledger's chain is broken ({report.checked:,} rows "
                "checked): see above"
            )
        self.stdout.write(
            f"ledger verified: {report.checked:,} rows in {len(report.shards)} shards"
        )
