"""Scheduled jobs of the supervision app: the daily bucket snapshot behind roll rates,
payment credits, and the team dashboards kept computed."""

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


# How often beat runs `warm_dashboards` (settings.CELERY_BEAT_SCHEDULE uses it).
DASHBOARD_WARM_SECONDS = 60


@shared_task(ignore_result=True)
def warm_dashboards() -> int:
    """Keep the standard periods' team dashboards computed, so supervisors open the
    page from the cache (the figures at full scale take about a second to compute)."""
    from .selectors import dashboards_warm

    return dashboards_warm(interval=DASHBOARD_WARM_SECONDS)
