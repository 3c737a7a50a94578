"""Running one step's batches of the sweep, in forked processes where that is safe
(docs/decisions.md, record 21)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import billiard
import billiard.einfo
import billiard.util
from django.conf import settings
from django.db import connection, connections

from .report import SweepReport

logger = logging.getLogger(__name__)

# The job a forked batch process runs: (run, batches, at, dry_run).
_FORKED: tuple | None = None


def run_batches(
    run: Callable[..., None],
    batches: list[list[int]],
    report: SweepReport,
    *,
    fork: bool,
) -> None:
    """Run one step's batches; with `fork`, in several processes at once where that
    is safe.

    Batches hold disjoint cases (and so disjoint customers: one open case each), lock
    their own rows and commit on their own, so they need no order among themselves.
    The gate and the bookkeeping are Python: threads would share one interpreter lock
    and leave a core idle (docs/decisions.md, record 21), so the batches run in forked
    processes, each with its own connection. billiard (Celery's fork of
    multiprocessing) rather than the standard library: a Celery worker's pool process
    may start it. The sweep forks (a Celery pool process or a management command runs
    it); a simulation does not: it runs in a web server's process, maybe threaded, and
    a fork there copies whatever lock another thread holds at that moment. One at a
    time also inside a caller's transaction (other connections would not see its
    rows) and on SQLite.
    """
    workers = min(settings.ESCALATION_SWEEP_WORKERS, len(batches))
    if (
        not fork
        or workers < 2
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
    ):
        for case_ids in batches:
            run(case_ids=case_ids, report=report)
        return
    global _FORKED
    # The children inherit the job by fork (no pickling of steps, packs or a test's
    # stand-in) and must not share this process's database connection: close it.
    _FORKED = (run, batches, report.at, report.dry_run)
    connections.close_all()
    logger.info("escalation sweep: %d batches in %d processes", len(batches), workers)
    pool = billiard.get_context("fork").Pool(workers, initializer=_forked_init)
    try:
        for counts in pool.imap_unordered(_forked_batch, range(len(batches))):
            report.merge_counts(counts)
    except BaseException as exc:
        # One batch failed (or the task is being stopped): stop the others. Whatever
        # they had not committed rolls back, and the next sweep takes those cases.
        pool.terminate()
        if isinstance(exc, billiard.einfo.ExceptionWithTraceback):
            # How billiard reports a batch process that died (killed, out of memory).
            raise exc.exc from exc
        raise
    else:
        pool.close()
    finally:
        pool.join()
        _FORKED = None


def _forked_init() -> None:
    # A pool process ends without Python's exit handlers but runs billiard's
    # finalizers: close its connection there rather than drop it on the server.
    billiard.util.Finalize(None, connections.close_all, exitpriority=10)


def _forked_batch(index: int) -> tuple:
    """In a forked process: run one batch; return its counts to the parent."""
    run, batches, at, dry_run = _FORKED
    part = SweepReport(at=at, dry_run=dry_run)
    run(case_ids=batches[index], report=part)
    return part.counts()
