"""The shared body of the import_portfolio and import_payments commands."""

from __future__ import annotations

import getpass
import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imports.models import ImportRun
from imports.services import import_run


class ImportCommand(BaseCommand):
    kind = ""
    dry_run_supported = True

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the UTF-8 CSV file")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="load the valid rows, report the bad ones (default: all or nothing)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, write nothing"
        )
        parser.add_argument(
            "--user",
            help="username recorded as the importer (default: the OS user's name)",
        )

    def handle(self, *args, file, partial, dry_run, user=None, **options):
        verbosity = options["verbosity"]
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"--user {user!r}: no such user.")
        started = time.perf_counter()

        def progress(rows: int) -> None:
            if verbosity >= 1:
                elapsed = time.perf_counter() - started
                sys.stderr.write(f"  {rows:,} rows read ({elapsed:.1f} s)\n")
                sys.stderr.flush()

        try:
            handle = open(file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        with handle:
            run = import_run(
                kind=self.kind,
                file=handle,
                file_name=file,
                source=ImportRun.Source.COMMAND,
                actor=actor,
                actor_name=user or f"os:{getpass.getuser()}",
                partial=partial,
                dry_run=dry_run,
                progress=progress,
            )
        self.report(run, verbosity=verbosity)
        if run.status == ImportRun.Status.REJECTED:
            raise CommandError(
                f"{run.reference}: rejected, nothing written "
                f"({run.errors_total} error(s) in {run.rows_rejected} row(s))."
            )

    def report(self, run: ImportRun, *, verbosity: int) -> None:
        self.stdout.write(
            f"{run.reference} {run.kind} {run.status}: {run.rows_total} row(s) read, "
            f"{run.rows_loaded} loaded, {run.rows_rejected} rejected "
            f"in {run.duration_ms / 1000:.1f} s"
        )
        if verbosity >= 1:
            for key, value in run.counts.items():
                self.stdout.write(f"  {key}: {value}")
        for error in run.errors:
            where = f"row {error['row']}" if error["row"] else "file"
            self.stdout.write(f"  {where}, {error['field']}: {error['message']}")
        if run.errors_total > len(run.errors):
            self.stdout.write(
                f"  ... and {run.errors_total - len(run.errors)} more error(s)"
            )
