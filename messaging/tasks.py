"""Celery only wakes the dispatcher: the outbox rows are the work, so a task lost in
the broker loses no message and a task run twice sends nothing twice."""

import time

from celery import shared_task
from django.utils import timezone

from core.metrics import DISPATCHED

from . import services


@shared_task(ignore_result=True)
def dispatch_outbox(max_seconds: float = 50.0) -> int:
    """Send due rows batch after batch until none are left or the time budget ends."""
    report = services.outbox_dispatch_many(deadline=time.monotonic() + max_seconds)
    for result in (
        "sent",
        "failed",
        "dead",
        "unknown",
        "deferred",
        "cancelled",
        "rendered",
    ):
        DISPATCHED.labels(result=result).inc(getattr(report, result))
    return report.sent


@shared_task(ignore_result=True)
def recover_stale_outbox() -> dict:
    return services.outbox_recover_stale(now=timezone.now())


@shared_task(ignore_result=True)
def cut_print_batch() -> str:
    """The day's print batch (beat, LETTER_BATCH_HOUR). Safe to run twice: a second
    run finds no letter left outside a batch."""
    report = services.print_batch_cut(now=timezone.now())
    return report.batch.reference if report.batch else ""
