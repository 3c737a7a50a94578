"""Running an import: one ImportRun per file, the load in one transaction.

`import_run` is what the command, the API and the web page call. It records the run
(who, the file's SHA-256, when) before loading, so a rejected or failed import is on
record too, then loads in a single transaction: all-or-nothing unless `partial`, and
rolled back after counting for a dry run.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone

from .models import ImportRun
from .parsing import PAYMENT_COLUMNS, PORTFOLIO_COLUMNS
from .payments import _Abort, payments_load
from .portfolio import Outcome, portfolio_load
from .reading import ErrorLog, FileError, RowError, file_digest


class _Rollback(Exception):
    pass


def import_run(
    *,
    kind: str,
    file: BinaryIO,
    file_name: str,
    source: str,
    actor=None,
    actor_name: str = "",
    partial: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    method: str = "auto",
) -> ImportRun:
    """Import `file` (binary, seekable, UTF-8 CSV) of `kind` and return its run.

    The run's status says what happened: completed (every valid row written; with
    `partial`, bad rows reported and skipped), rejected (bad rows or an unreadable
    file, nothing written), dry_run (checked and counted, nothing written). Raises
    only for unexpected failures, after marking the run failed.
    """
    if kind not in ImportRun.Kind.values:
        raise ValueError(f"unknown import kind {kind!r}")
    digest, size = file_digest(file)
    if actor is not None and not actor.is_authenticated:
        actor = None
    run = ImportRun.objects.create(
        reference=f"IMP-{secrets.token_hex(6).upper()}",
        kind=kind,
        source=source,
        partial=partial,
        dry_run=dry_run,
        file_name=(file_name or "")[-255:],
        file_sha256=digest,
        file_size=size,
        created_by=actor,
        actor_name=(actor_name or (actor.get_username() if actor else ""))[:150],
        started_at=timezone.now(),
    )
    columns = PORTFOLIO_COLUMNS if kind == ImportRun.Kind.PORTFOLIO else PAYMENT_COLUMNS
    errors = ErrorLog(columns.names)
    outcome = Outcome()
    started = time.perf_counter()
    try:
        with transaction.atomic():
            if kind == ImportRun.Kind.PORTFOLIO:
                outcome = portfolio_load(
                    file,
                    errors=errors,
                    partial=partial,
                    dry_run=dry_run,
                    progress=progress,
                    method=method,
                )
            else:
                outcome = payments_load(
                    file,
                    errors=errors,
                    partial=partial,
                    dry_run=dry_run,
                    actor=actor,
                    progress=progress,
                )
            if dry_run or (errors.total and not partial):
                raise _Rollback
    except (_Rollback, _Abort):
        pass
    except FileError as exc:
        errors.add(RowError(exc.row, exc.field, exc.message))
    except Exception:
        run.status = ImportRun.Status.FAILED
        run.finished_at = timezone.now()
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.save()
        raise
    rejected = bool(errors.total) and not partial
    if dry_run:
        run.status = ImportRun.Status.DRY_RUN
    elif rejected or (not outcome.rows_total and errors.total):
        run.status = ImportRun.Status.REJECTED
    else:
        run.status = ImportRun.Status.COMPLETED
    run.rows_total = outcome.rows_total
    run.rows_rejected = errors.rows_rejected
    run.rows_loaded = (
        0 if run.status == ImportRun.Status.REJECTED else outcome.rows_loaded
    )
    run.counts = {} if run.status == ImportRun.Status.REJECTED else outcome.counts
    run.customer_references = (
        outcome.sample if run.status == ImportRun.Status.COMPLETED else []
    )
    run.errors = errors.report()
    run.errors_total = errors.total
    run.finished_at = timezone.now()
    run.duration_ms = int((time.perf_counter() - started) * 1000)
    run.save()
    return run
