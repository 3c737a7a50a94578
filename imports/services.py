"""Running an import: one ImportRun per file, the load in one transaction.

`import_run` is what the command calls (synchronously). It records the run (who,
the file's SHA-256, when) before loading, so a rejected or failed import is on
record too, then loads in a single transaction: all-or-nothing unless `partial`, and
rolled back after counting for a dry run.

The web page and the API call `import_submit` instead: the upload (at most
IMPORT_MAX_BYTES) is stored under IMPORT_FILES_ROOT, the run recorded as queued and
`import_execute` run by a Celery worker (imports.tasks), which claims the run,
writes its progress on the row and loads the same way. A worker that dies leaves
the run "running"; `import_recover_stale` (beat) marks it failed after
IMPORT_STALE_MINUTES, and `import_restart` queues it again (decision 33).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import connection, connections, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import ApplicationError

from .models import ImportRun
from .parsing import PAYMENT_COLUMNS, PORTFOLIO_COLUMNS
from .payments import _Abort, payments_load
from .portfolio import Outcome, portfolio_load
from .reading import ErrorLog, FileError, RowError, file_digest

logger = logging.getLogger(__name__)


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
    run = _run_create(
        kind=kind,
        file=file,
        file_name=file_name,
        source=source,
        actor=actor,
        actor_name=actor_name,
        partial=partial,
        dry_run=dry_run,
    )
    return _run_load(run, file, actor=run.created_by, progress=progress, method=method)


def _run_create(
    *,
    kind: str,
    file: BinaryIO,
    file_name: str,
    source: str,
    actor,
    actor_name: str,
    partial: bool,
    dry_run: bool,
    status: str = ImportRun.Status.RUNNING,
    **fields,
) -> ImportRun:
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
        status=status,
        **fields,
    )
    return run


def _run_load(
    run: ImportRun,
    file: BinaryIO,
    *,
    actor,
    progress: Callable[[int], None] | None = None,
    method: str = "auto",
) -> ImportRun:
    """Load `file` for `run` (status running) and record the outcome on it."""
    kind, partial, dry_run = run.kind, run.partial, run.dry_run
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
    except Exception as exc:
        run.status = ImportRun.Status.FAILED
        run.failure_reason = f"{type(exc).__name__}: {exc}"[:2000]
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


# --- queued imports (the web page and the API) ---------------------------------------


def _too_large(size: int) -> ApplicationError:
    message = gettext(
        "The file is %(size)s; files above %(limit)s are imported with the "
        "import_portfolio command."
    ) % {
        "size": filesizeformat(size),
        "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
    }
    return ApplicationError(message, errors={"file": [message]})


def _line_count(file: BinaryIO) -> int:
    """Lines in `file` less the header: the expected total the page shows progress
    against (a quoted value spanning lines makes it an overestimate)."""
    file.seek(0)
    lines, last = 0, b"\n"
    while chunk := file.read(1 << 20):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    file.seek(0)
    return max(lines + (last != b"\n") - 1, 0)


def _store(run: ImportRun, file: BinaryIO) -> str:
    """Copy the upload under IMPORT_FILES_ROOT (no URL serves it), named by run."""
    root = Path(settings.IMPORT_FILES_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{run.reference}.csv"
    file.seek(0)
    with open(root / name, "wb") as out:
        while chunk := file.read(1 << 20):
            out.write(chunk)
    file.seek(0)
    return name


def import_submit(
    *,
    kind: str,
    file: BinaryIO,
    file_name: str,
    size: int,
    source: str,
    actor=None,
    partial: bool = False,
    dry_run: bool = False,
) -> ImportRun:
    """Record a queued run for an uploaded file, keep the file, and have a worker
    load it once this transaction commits. `size` is the upload's size as received:
    above IMPORT_MAX_BYTES it is refused (400, naming `file`) before anything is
    read or written."""
    if size > settings.IMPORT_MAX_BYTES:
        raise _too_large(size)
    if kind not in ImportRun.Kind.values:
        message = gettext("Choose portfolio or payments.")
        raise ApplicationError(message, errors={"kind": [message]})
    with transaction.atomic():
        run = _run_create(
            kind=kind,
            file=file,
            file_name=file_name,
            source=source,
            actor=actor,
            actor_name="",
            partial=partial,
            dry_run=dry_run,
            status=ImportRun.Status.QUEUED,
            rows_expected=_line_count(file),
        )
        run.stored_file = _store(run, file)
        run.save(update_fields=["stored_file"])
        _enqueue(run)
    return run


def _enqueue(run: ImportRun) -> None:
    from .tasks import import_execute_task  # the task module imports this one

    transaction.on_commit(lambda: import_execute_task.delay(run.pk))


class _ProgressWriter:
    """Writes the rows read so far on the run while its load is still open.

    The load is one transaction, invisible to the page until it commits; on
    PostgreSQL the count goes through a second, autocommitting connection so the
    page sees it as it grows. SQLite has a single writer, which the load holds: there
    the count is written when the load ends.
    """

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(connection.alias)

    def __call__(self, rows: int) -> None:
        if self.side is None:
            return
        with self.side.cursor() as cursor:
            cursor.execute(
                "UPDATE imports_importrun SET rows_read = %s WHERE id = %s",
                [rows, self.run.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def import_execute(*, run_id: int) -> ImportRun | None:
    """Load a queued run's stored file (the worker's side of `import_submit`).

    The run is claimed with a conditional update (queued -> running), so a task
    delivered twice loads it once; None when there is nothing to do.
    """
    claimed = ImportRun.objects.filter(
        pk=run_id, status=ImportRun.Status.QUEUED
    ).update(status=ImportRun.Status.RUNNING, started_at=timezone.now(), rows_read=0)
    if not claimed:
        return None
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    path = Path(settings.IMPORT_FILES_ROOT) / run.stored_file
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        return _run_fail(run, reason=f"stored file unreadable: {exc.strerror}")
    writer = _ProgressWriter(run)
    try:
        with handle:
            run = _run_load(run, handle, actor=run.created_by, progress=writer)
    finally:
        writer.close()
    run.rows_read = run.rows_total
    run.save(update_fields=["rows_read"])
    return run


def _run_fail(run: ImportRun, *, reason: str) -> ImportRun:
    run.status = ImportRun.Status.FAILED
    run.failure_reason = reason
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "failure_reason", "finished_at"])
    return run


def import_recover_stale(*, now: datetime | None = None) -> int:
    """Mark failed the runs left "running" IMPORT_STALE_MINUTES after they started:
    their worker died (killed, out of memory), and nothing else would ever finish
    them. Their load was one transaction, so nothing of it was written."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.IMPORT_STALE_MINUTES)
    reason = (
        f"still running {settings.IMPORT_STALE_MINUTES} minutes after it started: "
        "the worker stopped; nothing was written"
    )
    stale = ImportRun.objects.filter(
        status=ImportRun.Status.RUNNING, started_at__lt=cutoff
    )
    count = stale.update(
        status=ImportRun.Status.FAILED, failure_reason=reason, finished_at=now
    )
    if count:
        logger.warning("import runs marked failed after a stopped worker: %d", count)
    return count


def import_restart(*, run: ImportRun) -> ImportRun:
    """Queue a failed run's stored file again, as the same run (its reference and
    audit stay; the counts start over)."""
    if run.status != ImportRun.Status.FAILED or not run.stored_file:
        message = gettext("Only a failed import with its file kept can be restarted.")
        raise ApplicationError(message, errors={"status": [message]})
    with transaction.atomic():
        updated = ImportRun.objects.filter(
            pk=run.pk, status=ImportRun.Status.FAILED
        ).update(
            status=ImportRun.Status.QUEUED,
            failure_reason="",
            finished_at=None,
            rows_read=0,
        )
        run.refresh_from_db()
        if updated:
            _enqueue(run)
    return run
