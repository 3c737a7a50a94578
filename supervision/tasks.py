"""Daily job of the supervision app: the bucket snapshot behind roll rates."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def take_bucket_snapshot() -> int:
    """Today's buckets of every open case; safe to run twice (nothing new)."""
    return services.bucket_snapshot_take()


@shared_task(ignore_result=True)
def credit_payments() -> int:
    """Credit the last two days' new payments to their collectors (run it often: the
    dashboard looks up what is not credited yet call by call)."""
    return services.payment_credits_take()
