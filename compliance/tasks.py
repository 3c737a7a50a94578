"""Background work of the compliance app."""

from celery import shared_task

from .chain import ledger_anchor as _ledger_anchor


@shared_task(ignore_result=True)
def ledger_anchor() -> None:
    """Beat runs this daily: each decision chain's head to the log, /metrics and
    the anchor table. Safe to run twice (one anchor per shard and day)."""
    _ledger_anchor()
