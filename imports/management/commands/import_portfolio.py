"""Import customers, contact points, loans and schedules from a UTF-8 CSV file.

All-or-nothing: with any bad row nothing is written and every error is listed with
its row and column. --partial loads the good rows and lists the rest; --dry-run
checks and counts without writing. Columns: docs/imports.md. Progress goes to stderr.
"""

from imports.management.importing import ImportCommand


class Command(ImportCommand):
    help = __doc__
    kind = "portfolio"
    dry_run_supported = True
