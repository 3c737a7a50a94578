"""Post payments from a UTF-8 CSV file, idempotent by payment reference.

All-or-nothing: with any bad row (including a reference twice in the file) nothing is
posted. --partial posts the good rows and lists the rest. A reference already
recorded with the same loan, amount and currency is counted, not posted again.
Columns: docs/imports.md.
"""

from imports.management.importing import ImportCommand


class Command(ImportCommand):
    help = __doc__
    kind = "payments"
    dry_run_supported = True
