"""Portfolio import: customers, contact points, loans and schedules from one CSV.

Two paths with one result (tests/imports/test_paths.py runs both on one file):

- PostgreSQL ("copy"): rows stream through the field checks (imports.parsing) straight
  into COPY to a temporary staging table, so memory stays flat; cross-row and
  against-the-database checks are SQL over that table; then plain INSERT ... SELECT
  for the new rows and UPDATE ... FROM for the changed ones, in the caller's
  transaction. New loans are written with their delinquency figures, so the refresh
  only has cases to open.
- Any database ("rows"): the same field checks, the cross-row checks in Python, and
  ORM bulk operations. For SQLite (tests, development); it holds the file's valid rows
  in memory.

Neither path writes simple-history rows: the ImportRun is the audit record
(docs/imports.md). Both finish with cases.services.delinquency_refresh, so overdue
loans get their figures and cases as everywhere else.

A package (DESIGN.md section 2, past ~500 lines): common (shared by both paths), rows
(the row path), staging, checks and writes (the COPY path).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from django.db import connection

from ..parsing import parse_caches_clear
from ..reading import ErrorLog
from .common import Outcome, set_error
from .rows import rows_load
from .staging import copy_load

__all__ = ["Outcome", "portfolio_load", "set_error"]


def portfolio_load(
    file: BinaryIO,
    *,
    errors: ErrorLog,
    partial: bool,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    method: str = "auto",
) -> Outcome:
    """Validate and (unless rejected or a dry run) write the file.

    The caller owns the transaction and rolls it back for a dry run. Nothing is
    written when `errors` has any error and `partial` is false.
    """
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "rows"
    load = copy_load if method == "copy" else rows_load
    try:
        return load(file, errors=errors, partial=partial, progress=progress)
    finally:
        parse_caches_clear()
