"""Cut a print batch now: every rendered letter not yet in a batch goes into one zip
for the print vendor (PDFs and manifest.csv), and is recorded as sent.

    manage.py cut_print_batch [--dry-run]

Beat runs the same every day at LETTER_BATCH_HOUR:LETTER_BATCH_MINUTE; running it
twice puts no letter in two batches (docs/operations.md, "Letters")."""

from django.core.management.base import BaseCommand

from messaging import services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="say how many letters, cut nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            count = services.print_batch_pending_count()
            self.stdout.write(f"Would put {count} letter(s) in a print batch.")
            return
        report = services.print_batch_cut()
        for reference in report.refused:
            self.stderr.write(
                f"Letter {reference} left out: its file is missing or changed."
            )
        if report.batch is None:
            self.stdout.write("No letter is waiting for a print batch.")
            return
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Print batch {report.batch.reference}: {report.letters} letter(s), "
                f"{report.batch.file.name} in LETTERS_ROOT."
            )
